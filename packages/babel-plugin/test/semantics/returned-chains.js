// Functions returning a `then`/`catch` chain they make: the instrumented call must make the very
// same call (the `then` read once, the same arguments to a custom `then`, handlers called with the
// same `this` and arguments), settle in the same job (microtask order against other chains and
// queueMicrotask), and throw the same errors.
export async function run(log) {
  const tick = (label) => Promise.resolve().then(() => log(label));
  const ready = (v) => Promise.resolve(v);

  function doubled(p) {
    return p.then((v) => v * 2);
  }
  function handled(p) {
    return p.then(
      (v) => `value ${v}`,
      (e) => `error ${e.message}`,
    );
  }
  function caught(p) {
    return p.catch((e) => `caught ${e.message}`);
  }
  function passed(p) {
    return p.then((v) => v);
  }
  function followed(p) {
    return p.then((v) => ready(v + 1).then((w) => w * 10));
  }
  function thisAndArgs(p) {
    return p.then(function () {
      "use strict";
      return [this === undefined, arguments.length];
    });
  }
  function nonFunctions(p) {
    return p.then(null, undefined);
  }
  function nonFunctionReject(p) {
    return p.then(null, 42);
  }

  // Ordering: each chain's settlement against plain ticks.
  const order = Promise.all([
    doubled(ready(1)).then((v) => log("doubled", v)),
    tick("tick 1"),
    handled(Promise.reject(new Error("x"))).then((v) => log("handled", v)),
    tick("tick 2"),
    caught(Promise.reject(new Error("y"))).then((v) => log("caught", v)),
    followed(ready(2)).then((v) => log("followed", v)),
    tick("tick 3"),
    thisAndArgs(ready(0)).then((v) => log("this and args", v)),
    nonFunctions(ready("same")).then((v) => log("non-functions", v)),
  ]);
  queueMicrotask(() => log("queueMicrotask"));
  await order;

  const boom = new Error("boom");
  try {
    await passed(Promise.reject(boom));
  } catch (e) {
    log("passed on the same error", e === boom);
  }
  try {
    await nonFunctionReject(Promise.reject(boom));
  } catch (e) {
    log("non-function onRejected passes it on", e === boom);
  }

  // A custom `then` (a thenable, and a subclass that overrides it) sees the call as written.
  let seen = null;
  const thenable = {
    then(...args) {
      seen = args.length;
      return "custom result";
    },
  };
  log("thenable result", doubled(thenable), "arguments", seen);
  class Counted extends Promise {
    then(onFulfilled, onRejected) {
      log("Counted.then", arguments.length);
      return super.then(onFulfilled, onRejected);
    }
  }
  log("subclass", await doubled(Counted.resolve(4)));

  // A `then` getter is read once, as by the call itself.
  let reads = 0;
  const p = ready(3);
  Object.defineProperty(p, "then", {
    get() {
      reads++;
      return Promise.prototype.then;
    },
  });
  log("getter", await doubled(p), "reads", reads);

  // Not a function: the same TypeError.
  try {
    doubled({ then: 1 });
  } catch (e) {
    log("TypeError", e.constructor.name, e.message);
  }
  try {
    caught({ catch: undefined });
  } catch (e) {
    log("TypeError", e.constructor.name, e.message);
  }
}
