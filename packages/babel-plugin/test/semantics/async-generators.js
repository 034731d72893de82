// @compilers: tsc-es2015 tsc-es5
// Async generators and for await: interleaved consumers, awaits between yields, yield of
// promises, yield* over async and sync iterables, next(v)/return()/throw() (also queued while
// the generator is busy), break/throw out of for await (closing the source), for await over
// sync iterables of promises, labelled loops.
export async function run(log) {
  const ticks = (label, n) => {
    let p = Promise.resolve();
    for (let i = 1; i <= n; i++) p = p.then(() => log(`${label} tick ${i}`));
    return p;
  };

  async function* numbers(name, n) {
    try {
      for (let i = 0; i < n; i++) {
        log(`${name} producing ${i}`);
        await null;
        const sent = yield i;
        if (sent !== undefined) log(`${name} received ${sent}`);
      }
      return `${name} done`;
    } finally {
      log(`${name} finally`);
    }
  }

  async function consume(name, n) {
    const seen = [];
    for await (const x of numbers(name, n)) {
      log(`${name} consumed ${x}`);
      seen.push(x);
    }
    return seen;
  }
  log("interleaved", await Promise.all([consume("A", 3), consume("B", 2), ticks("chain", 10)]));

  log("--- manual protocol");
  const g = numbers("M", 3);
  log(await g.next("ignored"));
  log(await g.next("one"));
  log(await g.return("stopped"));
  log(await g.next());

  const queued = numbers("Q", 5);
  const all = await Promise.all([queued.next(), queued.next("q1"), queued.return("queued return"), queued.next()]);
  log("queued requests", all);

  async function* catching() {
    while (true) {
      try {
        yield "ready";
      } catch (e) {
        log("async generator caught", e);
        await null;
      }
    }
  }
  const c = catching();
  await c.next();
  log(await c.throw("first"), await c.throw("second"), await c.return("end"), await c.next());
  const uncaughtThrow = numbers("T", 3);
  await uncaughtThrow.next();
  await uncaughtThrow.throw(new Error("thrown in")).catch((e) => log("throw() rejects", e.message));
  log(await uncaughtThrow.next());

  log("--- yield of promises and yield*");
  async function* yieldsPromises() {
    const v = yield Promise.resolve("resolved before yielding");
    log("got", v);
    try {
      yield Promise.reject(new Error("rejected yield"));
    } catch (e) {
      log("rejection thrown back at the yield", e.message);
    }
    return Promise.resolve("return awaits too");
  }
  const yp = yieldsPromises();
  log(await yp.next(), await yp.next("x"), await yp.next(), await yp.next());

  async function* delegating() {
    const r = yield* numbers("D", 2);
    log("delegate returned", r);
    yield* [Promise.resolve("sync iterable of promises"), "plain"];
    yield* (function* () {
      yield "from sync generator";
    })();
    return "delegating done";
  }
  const collected = [];
  for await (const x of delegating()) collected.push(x);
  log("yield*", collected);

  log("--- for await over sync iterables");
  const fromSync = [];
  for await (const x of [Promise.resolve(1), 2, new Promise((r) => setTimeout(() => r(3), 1))]) fromSync.push(x);
  log(fromSync);
  try {
    for await (const x of [Promise.resolve("ok"), Promise.reject(new Error("rejected element"))]) log("element", x);
  } catch (e) {
    log("for await over a rejected element", e.message);
  }

  log("--- leaving for await early");
  async function early() {
    outer: for (const round of [1, 2]) {
      for await (const x of numbers(`E${round}`, 5)) {
        if (x === 1) continue outer;
        log("early body", round, x);
      }
    }
    doubly: labelled: for await (const x of numbers("DL", 3)) {
      if (x === 0) continue doubly;
      if (x === 1) continue labelled;
      break doubly;
    }
    for await (const x of numbers("Br", 5)) {
      if (x === 1) break;
    }
    try {
      for await (const x of numbers("Th", 5)) {
        if (x === 1) throw new Error("thrown from loop body");
      }
    } catch (e) {
      log(e.message);
    }
    for await (const x of numbers("Ret", 5)) {
      if (x === 2) return `returned at ${x}`;
    }
  }
  log(await early());

  log("--- for await with destructuring and existing bindings");
  async function* pairs() {
    yield ["a", 1];
    yield ["b", 2];
  }
  const obj = {};
  let key;
  for await ([key, obj[key + "!"]] of pairs());
  log(obj, key);
  for await (const { 0: k, length } of pairs()) log(k, length);

  log("--- async generator methods and this/arguments");
  class Source {
    constructor() {
      this.items = ["s1", "s2"];
    }
    async *[Symbol.asyncIterator]() {
      for (const item of this.items) {
        await null;
        yield `${item} (${arguments.length})`;
      }
    }
    static async *gen(...args) {
      yield* args;
    }
  }
  const fromClass = [];
  for await (const x of new Source()) fromClass.push(x);
  for await (const x of Source.gen(1, 2)) fromClass.push(x);
  log(fromClass);

  log("--- async generator objects");
  const ag = numbers("O", 1);
  log(Object.prototype.toString.call(ag), typeof ag[Symbol.asyncIterator], ag[Symbol.asyncIterator]() === ag);
  await ag.return();
}
