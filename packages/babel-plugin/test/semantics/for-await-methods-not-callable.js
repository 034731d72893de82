// @realm: vm
// `for await` over iterators whose `return`, `throw` or `next` is there but is not a function
// (a Symbol, a number, an object). The loop reads the method and calls it, and the engine throws
// its own TypeError; run in a `vm` context, that error must be of the program's realm (a
// `TypeError` of its own), as it is plain, never one thrown by the runtime's realm.
export async function run(log) {
  function iterable(name, methods, { async = true } = {}) {
    let i = 0;
    const iterator = {
      next() {
        const result = i < 2 ? { value: `${name} ${i++}`, done: false } : { value: undefined, done: true };
        return async ? Promise.resolve(result) : result;
      },
      ...methods,
    };
    return { [async ? Symbol.asyncIterator : Symbol.iterator]: () => iterator };
  }
  function report(what, e) {
    log(what, e instanceof TypeError, e.constructor === TypeError, Object.getPrototypeOf(e) === TypeError.prototype, e.message);
  }
  for (const [label, value] of [
    ["a Symbol", Symbol("not callable")],
    ["a number", 5],
    ["an object", {}],
  ]) {
    try {
      for await (const x of iterable(`return ${label}`, { return: value })) {
        log("body", x);
        break;
      }
      log("no error for return", label);
    } catch (e) {
      report(`return ${label}:`, e);
    }
    try {
      for await (const x of iterable(`sync return ${label}`, { return: value }, { async: false })) {
        log("body", x);
        break;
      }
      log("no error for sync return", label);
    } catch (e) {
      report(`sync return ${label}:`, e);
    }
    try {
      for await (const x of iterable(`next ${label}`, { next: value })) log("body", x);
      log("no error for next", label);
    } catch (e) {
      report(`next ${label}:`, e);
    }
    // A `throw` that is not a function is never read by the loop: it finishes as usual.
    try {
      for await (const x of iterable(`throw ${label}`, { throw: value })) log("body", x);
      log("finished with throw", label);
    } catch (e) {
      report(`throw ${label}:`, e);
    }
  }
  // A `return` of null or undefined is skipped: the loop just stops.
  for (const value of [null, undefined]) {
    for await (const x of iterable(`return ${value}`, { return: value })) {
      log("body", x);
      break;
    }
    log("stopped, return", value);
  }
  // yield* in an async generator calls `throw` when one is thrown in: a Symbol there fails too.
  async function* delegating() {
    yield* iterable("delegated", { throw: Symbol("no throw"), return: undefined });
  }
  const g = delegating();
  log("delegated", (await g.next()).value);
  try {
    await g.throw(new Error("thrown in"));
  } catch (e) {
    report("delegated throw:", e);
  }
}
