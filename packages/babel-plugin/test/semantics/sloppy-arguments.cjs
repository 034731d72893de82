// Sloppy mode (a CommonJS script, no "use strict"): mapped `arguments`, `this` boxing and
// defaulting to the global object, `arguments.callee`, `fn.caller`, `fn.arguments`.
module.exports.run = function run(log) {
  log("sloppy", (function () { return this === undefined; })() === false);
  log("this is global", (function () { return this === globalThis; })());
  log("this boxed", typeof (function () { return this; }).call(7), (function () { return this instanceof Number; }).call(7));

  function mapped(a, b) {
    arguments[0] = "changed";
    b = "param";
    return [a, arguments[1], arguments.length];
  }
  log("mapped", mapped(1, 2));
  log("mapped missing", mapped(1));

  function extra(a) {
    arguments[2] = "x";
    return [arguments.length, a, arguments[2], Array.prototype.slice.call(arguments)];
  }
  log("extra", extra(1, 2, 3, 4));

  function unmappedDefaults(a = 0) {
    arguments[0] = "changed";
    return [a, arguments[0]];
  }
  log("unmapped with defaults", unmappedDefaults(1));

  function unmappedRest(a, ...rest) {
    a = "param";
    return [arguments[0], rest.length, arguments.length];
  }
  log("unmapped with rest", unmappedRest(1, 2, 3));

  function deleted(a) {
    delete arguments[0];
    a = "after delete";
    return [arguments[0], a, 0 in arguments, arguments.length];
  }
  log("delete breaks mapping", deleted(1));

  function lengthChanged(a, b) {
    arguments.length = 1;
    return [Array.prototype.slice.call(arguments), a, b];
  }
  log("length assignment", lengthChanged(1, 2));

  function callee(n) {
    return n <= 1 ? 1 : n * arguments.callee(n - 1);
  }
  log("callee", callee(5), (function () { return arguments.callee.name; })());

  function arrowsSeeOuterArguments() {
    const inner = () => arguments[0];
    arguments[0] = "via arguments";
    return inner();
  }
  log("arrow arguments", arrowsSeeOuterArguments("original"));

  function reassignArguments() {
    arguments = ["replaced"];
    return arguments[0];
  }
  log("reassign", reassignArguments("x"));

  function shadowArguments(arguments) {
    return arguments;
  }
  log("shadowed arguments param", shadowArguments("param"));

  function varArguments() {
    var arguments;
    return typeof arguments;
  }
  log("var arguments", varArguments(1));

  function caller() {
    return callee2();
  }
  function callee2() {
    return callee2.caller === caller ? "caller is caller" : `caller is ${callee2.caller && callee2.caller.name}`;
  }
  log("fn.caller", caller());

  function withArgumentsProperty(a) {
    return inspect();
    function inspect() {
      return withArgumentsProperty.arguments && Array.prototype.slice.call(withArgumentsProperty.arguments);
    }
  }
  log("fn.arguments", withArgumentsProperty("a", "b"));

  function sloppyThisInArrow() {
    return (() => this === globalThis)();
  }
  log("arrow this in sloppy", sloppyThisInArrow());

  // Octal-ish and other sloppy-only syntax still behave.
  log("legacy octal", 010, "\101");

  function implicitGlobal() {
    leakedGlobal = "leaked";
    return typeof leakedGlobal;
  }
  log("implicit global", implicitGlobal(), delete globalThis.leakedGlobal);
};
