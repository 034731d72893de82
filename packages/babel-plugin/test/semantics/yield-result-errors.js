// @known-difference: as await-result-errors.js: a TypeError's message quotes the generated sequence around a rewritten yield.
// Error messages V8 builds from the source text around a yield: calling, iterating and
// destructuring the value sent in, and yield* over a non-iterable.
export function run(log) {
  const generators = {
    call: function* () {
      (yield "call")();
    },
    destructure: function* () {
      const [a] = yield "destructure";
      return a;
    },
    spread: function* () {
      return [...(yield "spread")];
    },
    construct: function* () {
      return new (yield "construct")();
    },
    delegate: function* () {
      yield* (yield "delegate");
    },
  };
  for (const [name, make] of Object.entries(generators)) {
    const g = make();
    g.next();
    try {
      g.next(5);
    } catch (e) {
      log(name, e.constructor.name, e.message);
    }
  }
  function* delegateToNonIterable() {
    yield* { notIterable: true };
  }
  try {
    delegateToNonIterable().next();
  } catch (e) {
    log("yield* non-iterable", e.constructor.name, e.message);
  }
}
