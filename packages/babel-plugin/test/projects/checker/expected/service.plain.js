import * as _spanfn from "@spanfn/tracing";
var _spanfnSites = _spanfn.registerSpans("src/service", "src/service.ts", [["src/service::load", 11], ["src/service::whenReady", 16], ["src/service::Api.page", 24], ["src/service::maybe", 30], ["src/service::count", 35]]);
const _spanfnGates = _spanfn.siteGates(_spanfnSites, true),
  _spanfnCalls = _spanfn.siteCalls(_spanfnSites);
import { fetchRow, sleep } from "./db";
let ready = Promise.resolve(0);
export function prepare() {
  ready = sleep(20).then(() => 1);
}

/** @spanFn */
export function load(id) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[0] === 0 ? _spanfn.beginGated(_spanfnSites) : _spanfnGates[0] === 1 ? (_spanfnCalls[0]++, -1) : _spanfnGates[0] === 3 ? _spanfn.beginOutermost(_spanfnSites) : -1,
    _sf$r;
  try {
    _sf$r = fetchRow(id);
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}

/** @spanFn */
export function whenReady() {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[1] === 0 ? _spanfn.beginGated(_spanfnSites + 1) : _spanfnGates[1] === 1 ? (_spanfnCalls[1]++, -1) : _spanfnGates[1] === 3 ? _spanfn.beginOutermost(_spanfnSites + 1) : -1,
    _sf$r;
  try {
    _sf$r = ready;
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}
export class Api {
  constructor(client) {
    this.client = client;
  }

  /** @spanFn */
  page(path) {
    var _sf$t = _spanfnGates[2] === 0 ? _spanfn.beginGated(_spanfnSites + 2) : _spanfnGates[2] === 1 ? (_spanfnCalls[2]++, -1) : _spanfnGates[2] === 3 ? _spanfn.beginOutermost(_spanfnSites + 2) : -1,
      _sf$r;
    try {
      _sf$r = this.client.get(path);
      if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
      return _sf$r;
    } catch (_sf$e) {
      if (_sf$t >= 0) _spanfn.end(_sf$t);
      throw _sf$e;
    }
  }
}

/** @spanFn */
export function maybe(later) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[3] === 0 ? _spanfn.beginGated(_spanfnSites + 3) : _spanfnGates[3] === 1 ? (_spanfnCalls[3]++, -1) : _spanfnGates[3] === 3 ? _spanfn.beginOutermost(_spanfnSites + 3) : -1,
    _sf$r;
  try {
    _sf$r = later ? sleep(20).then(() => "later") : "now";
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}

/** @spanFn */
export function count(items) {
  var _sf$t = _spanfnSites === void 0 ? _spanfn.beginEarly() : _spanfnGates[4] === 0 ? _spanfn.beginGated(_spanfnSites + 4) : _spanfnGates[4] === 1 ? (_spanfnCalls[4]++, -1) : _spanfnGates[4] === 3 ? _spanfn.beginOutermost(_spanfnSites + 4) : -1,
    _sf$r;
  try {
    _sf$r = items.length;
    if (_sf$t >= 0) _spanfn.endReturn(_sf$t, _sf$r);
    return _sf$r;
  } catch (_sf$e) {
    if (_sf$t >= 0) _spanfn.end(_sf$t);
    throw _sf$e;
  }
}
