// Functions returning a `then`/`catch` chain or a `new Promise` they make: the instrumented call
// must make the very same call (the `then` read once, the same arguments to a custom `then`,
// handlers and executors called with the same `this` and arguments), settle in the same job
// (microtask order against other chains and queueMicrotask), and throw the same errors.
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

  function made(value) {
    return new Promise((resolve) => resolve(value));
  }
  function madeLater(value) {
    return new Promise((resolve) => setTimeout(() => resolve(value), 1));
  }
  function madeRejected(message) {
    return new Promise((_, reject) => reject(new Error(message)));
  }
  function madeThrowing(message) {
    return new Promise(() => {
      throw new Error(message);
    });
  }
  function madeFromPromise(value) {
    return new Promise((resolve) => resolve(ready(value)));
  }
  function executorView() {
    return new Promise(function (resolve, reject) {
      "use strict";
      resolve([this === undefined, arguments.length, resolve.length, reject.length, typeof resolve, resolve.name, resolve === reject]);
    });
  }
  function firstWins() {
    return new Promise((resolve, reject) => {
      resolve("first");
      resolve("second");
      reject(new Error("third"));
    });
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
    made(1).then((v) => log("made", v)),
    tick("tick 4"),
    madeRejected("r").catch((e) => log("made rejected", e.message)),
    madeThrowing("t").catch((e) => log("made throwing", e.message)),
    madeFromPromise(2).then((v) => log("made from a promise", v)),
    tick("tick 5"),
    executorView().then((v) => log("executor view", v)),
    firstWins().then((v) => log("first wins", v)),
    madeLater("later").then((v) => log("made later", v)),
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
  function badExecutor(executor) {
    return new Promise(executor);
  }
  try {
    badExecutor(42);
  } catch (e) {
    log("TypeError", e.constructor.name, e.message);
  }
}
