// Hoisting in strict code: `var` and function declarations in function bodies, use before the
// declaration, temporal dead zones for let/const/class, closures over loop bindings.
export function run(log) {
  function varHoisting() {
    const before = typeof v;
    const valueBefore = v;
    var v = "assigned";
    return [before, valueBefore, v];
  }
  log("var hoisting", varHoisting());

  function functionHoisting() {
    const early = helper();
    return [early, typeof helper, helper.name];
    function helper() {
      return "called before its declaration";
    }
  }
  log("function hoisting", functionHoisting());

  function afterReturn() {
    return inner();
    function inner() {
      return "declared after return";
    }
  }
  log("declared after return", afterReturn());

  function parameterAndFunction(p) {
    return typeof p;
    function p() {}
  }
  log("function declaration over parameter", parameterAndFunction("string"));

  function parameterAndVar(p) {
    var p;
    return p;
  }
  log("var redeclaring a parameter keeps its value", parameterAndVar("kept"));

  function tdz() {
    const results = [];
    try {
      results.push(value);
    } catch (e) {
      results.push(`${e.constructor.name}: ${e.message}`);
    }
    try {
      results.push(typeof value);
    } catch (e) {
      results.push(`typeof: ${e.constructor.name}`);
    }
    try {
      new Later();
    } catch (e) {
      results.push(`class: ${e.constructor.name}: ${e.message}`);
    }
    const closure = () => value;
    try {
      closure();
    } catch (e) {
      results.push(`closure: ${e.constructor.name}`);
    }
    let value = "initialized";
    class Later {}
    results.push(closure());
    return results;
  }
  log("TDZ", tdz());

  function selfReferenceInInitializer() {
    try {
      const x = x + 1;
      return x;
    } catch (e) {
      return `${e.constructor.name}: ${e.message}`;
    }
  }
  log("self reference", selfReferenceInInitializer());

  function constAssignment() {
    const c = 1;
    try {
      c = 2;
    } catch (e) {
      return `${e.constructor.name}: ${e.message}`;
    }
  }
  log("const assignment", constAssignment());

  function loops() {
    const withLet = [];
    for (let i = 0; i < 3; i++) withLet.push(() => i);
    const withVar = [];
    for (var j = 0; j < 3; j++) withVar.push(() => j);
    const forOf = [];
    for (const k of ["a", "b"]) forOf.push(() => k);
    return [withLet.map((f) => f()), withVar.map((f) => f()), forOf.map((f) => f()), j];
  }
  log("closures in loops", loops());

  function blockScoped() {
    let shadow = "outer";
    {
      let shadow = "inner";
      function blockFn() {
        return shadow;
      }
      var escaped = blockFn;
    }
    return [shadow, escaped(), typeof blockFn];
  }
  log("strict block function", blockScoped());

  function switchScope(n) {
    switch (n) {
      case 1:
        let a = "one";
        return a;
      case 2:
        try {
          return a;
        } catch (e) {
          return `${e.constructor.name}`;
        }
    }
  }
  log("switch lexical scope", switchScope(1), switchScope(2));

  function varInCatchAndLoops() {
    try {
      throw "e";
    } catch (err) {
      var fromCatch = err;
    }
    for (var i = 0; i < 2; i++) var fromLoop = i;
    return [fromCatch, fromLoop, i];
  }
  log("var escapes blocks", varInCatchAndLoops());

  function functionExpressionNameIsReadOnly() {
    const f = function named() {
      try {
        named = "reassigned";
      } catch (e) {
        return `${e.constructor.name}`;
      }
      return typeof named;
    };
    return f();
  }
  log("function expression name binding", functionExpressionNameIsReadOnly());
}
