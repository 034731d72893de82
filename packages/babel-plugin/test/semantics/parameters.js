// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// Parameters: defaults with side effects (and their order), defaults that see earlier params,
// `this` and `arguments`; the separate parameter scope; destructuring and rest parameters.
export function run(log) {
  const order = [];
  const note = (label, value) => {
    order.push(label);
    return value;
  };
  function defaults(a = note("a", 1), b = note("b", a + 1), c = note("c", b * 10)) {
    note("body");
    return [a, b, c];
  }
  log("all defaults", defaults(), order.splice(0));
  log("some passed", defaults(5, undefined, null), order.splice(0));
  log("undefined triggers default", defaults(undefined, 2), order.splice(0));

  function seesThisAndArguments(a = this && this.tag, b = arguments.length) {
    return [a, b];
  }
  log("this/arguments in defaults", seesThisAndArguments.call({ tag: "T" }), seesThisAndArguments.call({ tag: "T" }, undefined, undefined, 3));

  let x = "outer";
  function paramScope(getX = () => x, setX = (v) => (x = v)) {
    var x = "body";
    setX("set via param closure");
    return [getX(), x];
  }
  log("parameter scope", paramScope(), x);

  function paramScopeNoVar(getX = () => x) {
    x = "assigned in body";
    return getX();
  }
  log("parameter scope without var", paramScopeNoVar(), x);

  function defaultCallsFunctionDeclaredInBody(a = typeof inner) {
    function inner() {}
    return a;
  }
  log("body functions invisible to defaults", defaultCallsFunctionDeclaredInBody());

  function tdzInDefaults(a = b, b = 1) {
    return [a, b];
  }
  try {
    tdzInDefaults();
  } catch (e) {
    log("TDZ in defaults", e.constructor.name, e.message);
  }
  log("TDZ avoided", tdzInDefaults(0));

  function throwingDefault(a = (() => { throw new Error("default threw"); })()) {
    log("unreachable body");
    return a;
  }
  try {
    throwingDefault();
  } catch (e) {
    log("throwing default", e.message);
  }
  log("default not evaluated when passed", throwingDefault("given"));

  function destructure({ a, b: { c = "c default" } = {}, ...others }, [first, , third = "t", ...tail] = [], ...rest) {
    return { a, c, others, first, third, tail, rest };
  }
  log("destructuring", destructure({ a: 1, b: { c: 2 }, z: 26 }, [1, 2, 3, 4, 5], "r1", "r2"));
  log("destructuring defaults", destructure({}, undefined));
  try {
    destructure();
  } catch (e) {
    log("destructuring undefined", e.constructor.name);
  }
  try {
    destructure({}, 5);
  } catch (e) {
    log("destructuring a non-iterable", e.constructor.name);
  }

  const getterCalls = [];
  const source = {
    get a() {
      getterCalls.push("a");
      return "A";
    },
    get b() {
      getterCalls.push("b");
      return "B";
    },
  };
  function destructureGetters({ b, a }) {
    return a + b;
  }
  log("destructuring order", destructureGetters(source), getterCalls);

  const iteratorSteps = [];
  const iterable = {
    [Symbol.iterator]() {
      let i = 0;
      return {
        next() {
          iteratorSteps.push(`next ${i}`);
          return { value: i++, done: i > 5 };
        },
        return() {
          iteratorSteps.push("return");
          return {};
        },
      };
    },
  };
  function firstTwo([a, b]) {
    return a + b;
  }
  log("array pattern closes the iterator", firstTwo(iterable), iteratorSteps.splice(0));
  function allOfThem([...all]) {
    return all;
  }
  log("rest pattern exhausts it", allOfThem(iterable), iteratorSteps.splice(0));

  function rest(...args) {
    return [args.length, Array.isArray(args), arguments.length];
  }
  log("rest", rest(), rest(1, 2, 3));
  const arrowRest = (...args) => args.reverse();
  log("arrow rest", arrowRest(1, 2, 3));
  const arrowDefaults = (a, b = a * 2, { c } = { c: b + 1 }) => [a, b, c];
  log("arrow defaults", arrowDefaults(1), arrowDefaults(1, 1, { c: "c" }));

  let counter = 0;
  const freshEachCall = (list = [], n = ++counter) => {
    list.push(n);
    return list;
  };
  log("defaults are fresh per call", freshEachCall(), freshEachCall(), counter);

  function paramNamedLikeGenerated(_t, _s, _y, _e, _spanfn, _spanfnSites) {
    return [_t, _s, _y, _e, _spanfn, _spanfnSites];
  }
  log("parameters named like generated identifiers", paramNamedLikeGenerated(1, 2, 3, 4, 5, 6));
  function bodyNamesLikeGenerated() {
    var _t = "t", _t2 = "t2";
    let _s = "s";
    const _spanfn = "not the runtime";
    return [_t, _t2, _s, _spanfn];
  }
  log("locals named like generated identifiers", bodyNamesLikeGenerated());
}
