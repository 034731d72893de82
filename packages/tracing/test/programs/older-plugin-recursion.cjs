// What the plugin emitted before site words (test/demote-recursion.test.ts's SOURCE, all-mode, then
// CommonJS): per-module gates and counters, which caches and published bundles still hold.
// Frozen: the runtime must keep running it as it was written.
"use strict";

Object.defineProperty(exports, "__esModule", {
  value: true
});
exports.deep = deep;
exports.fib = fib;
exports.slow = slow;
exports.twice = twice;
exports.wrapper = wrapper;
var _spanfn = _interopRequireWildcard(require("@spanfn/tracing"));
var cache;
function _interopRequireWildcard(e, t) { if (!t && e && e.__esModule) return e; var r, c, a = Object.defineProperty, n = { __proto__: null, default: e }; if (Object(e) !== e) return n; if (cache || "function" != typeof WeakMap || (cache = new WeakMap()), cache) { if (cache.has(e)) return cache.get(e); cache.set(e, n); } for (c in e) "default" !== c && {}.hasOwnProperty.call(e, c) && ((r = a && Object.getOwnPropertyDescriptor(e, c)) && (r.get || r.set) ? a(n, c, r) : n[c] = e[c]); return n; }
var _spanfnSites = _spanfn.registerSpans("src/recursion-older", "src/recursion-older.js", [["src/recursion-older::fib", 2], ["src/recursion-older::busy", 6], ["src/recursion-older::deep", 12], ["src/recursion-older::slow", 18], ["src/recursion-older::wrapper", 24], ["src/recursion-older::twice", 28]]);
const _spanfnGates = _spanfn.siteGates(_spanfnSites, true),
  _spanfnCalls = _spanfn.siteCalls(_spanfnSites);
function fib(n) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[0] === 0 ? _spanfn.beginGated(_spanfnSites) : _spanfnGates[0] === 1 ? (_spanfnCalls[0]++, -1) : _spanfnGates[0] === 3 ? _spanfn.beginOutermost(_spanfnSites) : -1,
    _sf$r;
  try {
    _sf$r = n < 2 ? n : fib(n - 1) + fib(n - 2);
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}
function busy(ms) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[1] === 0 ? _spanfn.beginGated(_spanfnSites + 1) : _spanfnGates[1] === 1 ? (_spanfnCalls[1]++, -1) : _spanfnGates[1] === 3 ? _spanfn.beginOutermost(_spanfnSites + 1) : -1;
  try {
    const until = performance.now() + ms;
    while (performance.now() < until);
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
  if (_sf$t >= 0) _spanfn.end(_sf$t);
}

// Recurses, and does tens of microseconds of work of its own in every call.
function deep(n) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[2] === 0 ? _spanfn.beginGated(_spanfnSites + 2) : _spanfnGates[2] === 1 ? (_spanfnCalls[2]++, -1) : _spanfnGates[2] === 3 ? _spanfn.beginOutermost(_spanfnSites + 2) : -1,
    _sf$r;
  try {
    busy(0.05);
    _sf$r = n === 0 ? 0 : 1 + deep(n - 1);
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}

// Neither recurses nor is quick.
function slow(x) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[3] === 0 ? _spanfn.beginGated(_spanfnSites + 3) : _spanfnGates[3] === 1 ? (_spanfnCalls[3]++, -1) : _spanfnGates[3] === 3 ? _spanfn.beginOutermost(_spanfnSites + 3) : -1,
    _sf$r;
  try {
    busy(0.05);
    _sf$r = x + 1;
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}

// Does nothing itself but hand its work to another function.
function wrapper(x) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[4] === 0 ? _spanfn.beginGated(_spanfnSites + 4) : _spanfnGates[4] === 1 ? (_spanfnCalls[4]++, -1) : _spanfnGates[4] === 3 ? _spanfn.beginOutermost(_spanfnSites + 4) : -1,
    _sf$r;
  try {
    _sf$r = slow(x);
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}
function twice(n) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[5] === 0 ? _spanfn.beginGated(_spanfnSites + 5) : _spanfnGates[5] === 1 ? (_spanfnCalls[5]++, -1) : _spanfnGates[5] === 3 ? _spanfn.beginOutermost(_spanfnSites + 5) : -1,
    _sf$r;
  try {
    _sf$r = fib(n) + fib(n);
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}
