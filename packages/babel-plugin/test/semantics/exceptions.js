// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// Exceptions thrown and caught across instrumented frames: rethrow, finally order, non-Error
// values, errors thrown from getters, constructors, callbacks and toString, custom classes.
export function run(log) {
  const order = [];
  class AppError extends Error {
    constructor(message, code) {
      super(message);
      this.name = "AppError";
      this.code = code;
    }
  }
  function level3(kind) {
    order.push("level3");
    switch (kind) {
      case "error":
        throw new AppError("deep", 42);
      case "string":
        throw "a string";
      case "undefined":
        throw undefined;
      case "null":
        throw null;
      case "number":
        throw 0;
      case "object":
        throw { plain: "object" };
      case "function":
        throw function thrownFunction() {};
    }
    return "no throw";
  }
  function level2(kind) {
    try {
      order.push("level2 try");
      return level3(kind);
    } finally {
      order.push("level2 finally");
    }
  }
  function level1(kind) {
    try {
      return level2(kind);
    } catch (e) {
      order.push("level1 catch");
      if (kind === "error") throw e;
      return e;
    }
  }
  for (const kind of ["none", "error", "string", "undefined", "null", "number", "object", "function"]) {
    try {
      const caught = level1(kind);
      log(kind, "returned", caught, order.splice(0));
    } catch (e) {
      log(kind, "rethrown", e instanceof AppError, e.name, e.code, e.message, order.splice(0));
    }
  }

  function identity() {
    const original = new Error("identity");
    try {
      (function thrower() {
        throw original;
      })();
    } catch (e) {
      return e === original;
    }
  }
  log("same object", identity());

  function catchWithoutBinding() {
    try {
      JSON.parse("{");
    } catch {
      return "caught without binding";
    }
  }
  log("optional catch binding", catchWithoutBinding());

  function destructuredCatch() {
    try {
      throw { code: 7, detail: { reason: "why" } };
    } catch ({ code, detail: { reason } }) {
      return [code, reason];
    }
  }
  log("destructured catch parameter", destructuredCatch());

  const obj = {
    get broken() {
      throw new TypeError("getter threw");
    },
    toString() {
      throw new RangeError("toString threw");
    },
  };
  try {
    obj.broken;
  } catch (e) {
    log("getter", e.name, e.message);
  }
  try {
    `${obj}`;
  } catch (e) {
    log("toString", e.name, e.message);
  }
  try {
    [3, 1, 2].sort(function compare() {
      throw new Error("comparator threw");
    });
  } catch (e) {
    log("callback", e.message);
  }
  try {
    [1].forEach(() => {
      null.property;
    });
  } catch (e) {
    log("native TypeError", e.name, e.message);
  }
  try {
    undefinedFunctionCall();
  } catch (e) {
    log("ReferenceError", e.name, e.message);
  }
  function callsNonFunction() {
    const notAFunction = 5;
    return notAFunction();
  }
  try {
    callsNonFunction();
  } catch (e) {
    log("calling a number", e.name, e.message);
  }
  function returnsCallOfMissingMethod(o) {
    return o.missing();
  }
  try {
    returnsCallOfMissingMethod({});
  } catch (e) {
    log("missing method in a return", e.name, e.message);
  }
  function returnsPropertyOfUndefined(o) {
    return o.a.b;
  }
  try {
    returnsPropertyOfUndefined({});
  } catch (e) {
    log("property of undefined in a return", e.name, e.message);
  }

  function finallyOrder() {
    const steps = [];
    function inner() {
      try {
        steps.push("inner");
        throw new Error("x");
      } finally {
        steps.push("inner finally");
      }
    }
    function middle() {
      try {
        inner();
      } catch (e) {
        steps.push("middle catch");
        throw new Error("wrapped", { cause: e });
      } finally {
        steps.push("middle finally");
      }
    }
    try {
      middle();
    } catch (e) {
      steps.push(`outer caught ${e.message} caused by ${e.cause.message}`);
    }
    return steps;
  }
  log("finally order", finallyOrder());

  function recursionUnwinds(n) {
    if (n === 0) throw new Error("bottom");
    try {
      return recursionUnwinds(n - 1);
    } finally {
      order.push(n);
    }
  }
  try {
    recursionUnwinds(5);
  } catch (e) {
    log("unwound", e.message, order.splice(0));
  }

  const aggregate = new AggregateError([new Error("a"), new Error("b")], "many");
  log("aggregate", aggregate.name, aggregate.errors.map((e) => e.message));

  function errorPropertiesFromConstructor() {
    const e = new AppError("props", 1);
    return [e instanceof Error, e instanceof AppError, Object.prototype.toString.call(e), e.constructor.name, String(e)];
  }
  log("error class", errorPropertiesFromConstructor());
}
