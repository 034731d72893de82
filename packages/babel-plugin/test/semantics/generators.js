// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// Generators: yielded values, values sent in with next(v), yield*, return() and throw() at
// every kind of suspension point, finally blocks that run (and yield) on return(), laziness,
// iteration protocols that close generators (break, destructuring, spread).
export function run(log) {
  function* counter(limit) {
    log("counter started", this === undefined, arguments.length);
    for (let i = 0; i < limit; i++) {
      const sent = yield i;
      if (sent !== undefined) log("counter received", sent);
    }
    return "counter done";
  }
  const lazy = counter(3);
  log("created, not started");
  log(lazy.next("ignored first"), lazy.next("a"), lazy.next(), lazy.next("b"), lazy.next(), lazy.next());
  log("spread", [...counter(4)]);

  function* twoWay() {
    const a = yield "first";
    const b = yield `got ${a}`;
    const c = (yield `got ${b}`) + (yield "fourth");
    return [a, b, c];
  }
  const tw = twoWay();
  log("two way", tw.next().value, tw.next(1).value, tw.next(2).value, tw.next(3).value, tw.next(4));

  function* inner() {
    const x = yield "inner 1";
    log("inner got", x);
    try {
      yield "inner 2";
    } finally {
      log("inner finally");
    }
    return "inner result";
  }
  function* outer() {
    yield "outer start";
    const result = yield* inner();
    log("yield* result", result);
    yield* [10, 20];
    yield* "ab";
    return "outer done";
  }
  log("delegation", [...outer()]);
  const delegating = outer();
  delegating.next();
  delegating.next();
  delegating.next("sent to inner");
  log("return() through yield*", delegating.return("early"), delegating.next());

  const delegatingThrow = outer();
  delegatingThrow.next();
  delegatingThrow.next();
  delegatingThrow.next();
  try {
    delegatingThrow.throw(new Error("thrown into inner"));
  } catch (e) {
    log("throw() through yield*", e.message, delegatingThrow.next());
  }

  function* withCatch() {
    while (true) {
      try {
        yield "waiting";
      } catch (e) {
        log("caught inside generator", e);
        yield `recovered from ${e}`;
      }
    }
  }
  const wc = withCatch();
  wc.next();
  log("throw() caught", wc.throw("boom"), wc.next(), wc.throw("again"), wc.return("stop"), wc.next());

  function* finallyYields() {
    try {
      yield 1;
      yield 2;
    } finally {
      log("cleanup starts");
      yield "from finally";
      log("cleanup ends");
    }
  }
  const fy = finallyYields();
  fy.next();
  log("return() runs finally, which yields", fy.return("R"), fy.next(), fy.next());

  function* finallyOverridesReturn() {
    try {
      yield 1;
    } finally {
      return "finally value";
    }
  }
  const fo = finallyOverridesReturn();
  fo.next();
  log("finally overrides return()", fo.return("ignored"));

  function* finallyThrows() {
    try {
      yield 1;
    } finally {
      throw new Error("finally threw");
    }
  }
  const ft = finallyThrows();
  ft.next();
  try {
    ft.return("x");
  } catch (e) {
    log("finally throws on return()", e.message, ft.next());
  }

  const notStarted = counter(5);
  log("return() before start", notStarted.return("never ran"), notStarted.next());
  const notStarted2 = counter(5);
  try {
    notStarted2.throw(new Error("thrown before start"));
  } catch (e) {
    log("throw() before start", e.message, notStarted2.next());
  }

  function* uncaught() {
    yield 1;
    throw new Error("generator threw");
  }
  const un = uncaught();
  un.next();
  try {
    un.next();
  } catch (e) {
    log("exception from body", e.message, un.next());
  }

  function* self() {
    try {
      yield gen.next();
    } catch (e) {
      yield `${e.constructor.name}: ${e.message}`;
    }
  }
  const gen = self();
  log("re-entrancy", gen.next().value);

  const closes = [];
  function* tracked(name) {
    try {
      yield 1;
      yield 2;
      yield 3;
    } finally {
      closes.push(name);
    }
  }
  for (const x of tracked("break")) if (x === 2) break;
  const [first] = tracked("destructure");
  try {
    for (const x of tracked("throw")) {
      throw new Error(`thrown at ${x}`);
    }
  } catch (e) {
    log(e.message);
  }
  (function () {
    for (const x of tracked("return")) return x;
  })();
  log("iterators closed", closes, first);

  function* infinite() {
    let n = 0;
    while (true) yield n++;
  }
  function* take(n, it) {
    for (const x of it) {
      if (n-- <= 0) return;
      yield x;
    }
  }
  function* map(f, it) {
    for (const x of it) yield f(x);
  }
  log("pipelines", [...take(5, map((x) => x * x, infinite()))]);

  function* fibGen() {
    let [a, b] = [0, 1];
    for (;;) {
      yield a;
      [a, b] = [b, a + b];
    }
  }
  log("fibonacci generator", [...take(15, fibGen())]);

  function* treeWalk(node) {
    if (!node) return;
    yield* treeWalk(node.left);
    yield node.value;
    yield* treeWalk(node.right);
  }
  const tree = { value: 4, left: { value: 2, left: { value: 1 }, right: { value: 3 } }, right: { value: 6, left: { value: 5 } } };
  log("recursive yield*", [...treeWalk(tree)]);

  class Collection {
    constructor(...items) {
      this.items = items;
    }
    *[Symbol.iterator]() {
      yield* this.items;
    }
    *pairs() {
      for (const [i, item] of this.items.entries()) yield `${i}:${item}`;
    }
    static *range(a, b) {
      while (a < b) yield a++;
    }
  }
  const col = new Collection("x", "y");
  log("generator methods", [...col], [...col.pairs()], [...Collection.range(1, 4)]);
  const objGen = {
    *gen() {
      yield this === objGen;
    },
  };
  log("object generator method this", objGen.gen().next().value);

  function* yieldExpressions() {
    const arr = [yield "a", yield "b"];
    const obj = { [yield "key"]: yield "value" };
    const sum = (yield "x") + (yield "y");
    log("collected", arr, obj, sum);
    yield;
    yield yield "nested";
    return typeof (yield "in typeof");
  }
  const ye = yieldExpressions();
  const values = [];
  let step = ye.next();
  let n = 0;
  while (!step.done) {
    values.push(step.value);
    step = ye.next(n++);
  }
  log("yield in expressions", values, step.value);

  function* generatorArguments(a, b) {
    arguments[0] = "changed";
    yield [a, arguments.length, arguments[0]];
    yield (() => arguments[1])();
  }
  log("arguments in generators", [...generatorArguments(1, 2)]);

  const proto = Object.getPrototypeOf(counter);
  log(
    "generator objects",
    Object.prototype.toString.call(counter(1)),
    counter(1) instanceof counter,
    typeof counter(1)[Symbol.iterator],
    proto === Object.getPrototypeOf(function* () {}),
  );
  try {
    new counter(1);
  } catch (e) {
    log("generators are not constructors", e.constructor.name, e.message);
  }
}
