import * as _spanfn from "@spanfn/tracing";
var _spanfnSites = _spanfn.registerSpans("src/service", "src/service.ts", [["src/service::load", 11], ["src/service::whenReady", 16], ["src/service::Api.page", 24], ["src/service::maybe", 30], ["src/service::count", 35]], _sf$words);
var _sf$w3 = -1,
  _sf$w4 = -1;
function _sf$words(i, reset) {
  var value;
  switch (i) {
    case 3:
      value = _sf$w3;
      if (reset) _sf$w3 = -1;
      return value;
    case 4:
      value = _sf$w4;
      if (reset) _sf$w4 = -1;
      return value;
  }
}
import { fetchRow, sleep } from "./db";
let ready = Promise.resolve(0);
export function prepare() {
  ready = sleep(20).then(() => 1);
}

/** @spanFn */
export function load(id) {
  var _sf$s = _spanfn.beginAsync(_spanfnSites),
    _sf$r;
  try {
    return _sf$r = fetchRow(id);
  } catch (_sf$e) {
    _spanfn.fail(_sf$s);
    throw _sf$e;
  } finally {
    _spanfn.endAsync(_sf$s, _sf$r);
  }
}

/** @spanFn */
export function whenReady() {
  var _sf$s = _spanfn.beginAsync(_spanfnSites + 1),
    _sf$r;
  try {
    return _sf$r = ready;
  } catch (_sf$e) {
    _spanfn.fail(_sf$s);
    throw _sf$e;
  } finally {
    _spanfn.endAsync(_sf$s, _sf$r);
  }
}
export class Api {
  constructor(client) {
    this.client = client;
  }

  /** @spanFn */
  page(path) {
    var _sf$s = _spanfn.beginAsync(_spanfnSites + 2),
      _sf$r;
    try {
      return _sf$r = this.client.get(path);
    } catch (_sf$e) {
      _spanfn.fail(_sf$s);
      throw _sf$e;
    } finally {
      _spanfn.endAsync(_sf$s, _sf$r);
    }
  }
}

/** @spanFn */
export function maybe(later) {
  var _sf$t = _sf$w3 >= 0 ? (++_sf$w3, -1) : (_sf$t = _spanfn.beginWord(_spanfnSites + 3)) === -2 ? (_sf$w3 = 0, -1) : _sf$t,
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
  var _sf$t = _sf$w4 >= 0 ? (++_sf$w4, -1) : (_sf$t = _spanfn.beginWord(_spanfnSites + 4)) === -2 ? (_sf$w4 = 0, -1) : _sf$t,
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
