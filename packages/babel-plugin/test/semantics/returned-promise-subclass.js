// Promise subclasses whose `then` is observable: returning one from a sync function calls
// nothing on it; returning one from an async function makes the engine call its `then` once,
// in a later job. Nothing else may call it.
export async function run(log) {
  class LoggingPromise extends Promise {
    // Left uninstrumented on purpose: an instrumented `then` has a problem of its own
    // (promise-subclass-then.js); this program is about the functions returning the promise.
    /** @spanFn ignore */
    then(onFulfilled, onRejected) {
      log(`${this.label} .then called`);
      return super.then(onFulfilled, onRejected);
    }
  }
  const make = (label, value) => {
    const p = LoggingPromise.resolve(value);
    p.label = label;
    return p;
  };

  function syncReturnsSubclass() {
    return make("sync", 1);
  }
  const s = syncReturnsSubclass();
  log("sync call returned", s instanceof LoggingPromise);

  async function asyncReturnsSubclass() {
    return make("async", 2);
  }
  const a = asyncReturnsSubclass();
  log("async call returned");
  log("async result", await a);

  const arrowReturnsSubclass = () => make("arrow", 3);
  arrowReturnsSubclass();
  log("arrow call returned");

  // A native promise, not a subclass, with an own `constructor` getter: calling `then` on it
  // reads `constructor` (to create the derived promise). An async function returning it has
  // the engine call then once, later; a sync function returning it reads nothing.
  const withConstructorGetter = (label) => {
    const p = Promise.resolve(label);
    Object.defineProperty(p, "constructor", {
      get() {
        log(`${label}: constructor read`);
        return Promise;
      },
    });
    return p;
  };
  function syncReturnsNative() {
    return withConstructorGetter("native from sync");
  }
  syncReturnsNative();
  log("sync native call returned");
  async function asyncReturnsNative() {
    return withConstructorGetter("native from async");
  }
  const n = asyncReturnsNative();
  log("async native call returned");
  log("async native result", await n);

  await null;
  log("end");
}
