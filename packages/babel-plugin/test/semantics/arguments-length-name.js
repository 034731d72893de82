// Strict-mode `arguments`, `arguments.length`, and the `length` and `name` of every kind of
// function the plugin instruments: what a caller can read off a function must not change.
const sym = Symbol("described");
const computed = "computedName";

export function declared(a, b) {}
export default function (x) {}
const expression = function (a, b, c) {};
const namedExpression = function inner(a) {};
const arrow = (a, b) => a;
const asyncArrow = async (a) => a;
async function asyncFn(a, b, c, d) {}
function* gen(a) {}
async function* asyncGen(a, b) {}
const withDefaults = function (a, b = 1, c) {};
const withRest = function (a, ...rest) {};
const withDestructuring = function ({ a }, [b], c = 3) {};
const obj = {
  method(a) {},
  arrowProp: (a, b) => {},
  fnProp: function (a) {},
  [computed](a, b) {},
  [sym]() {},
  get getter() { return 1; },
  set setter(v) {},
  async asyncMethod() {},
  *genMethod() {},
  async *asyncGenMethod() {},
  "string key"() {},
  42() {},
};
class Klass {
  constructor(a, b) {}
  method(a) {}
  static staticMethod(a, b, c) {}
  #privateMethod(a) {}
  get accessor() { return 1; }
  set accessor(v) {}
  static get staticAccessor() { return 1; }
  field = (a) => a;
  static staticField = function (a, b) {};
  [sym](a) {}
  privateName() { return this.#privateMethod.name + "/" + this.#privateMethod.length; }
}
let assignedLater;
assignedLater = function (a) {};
let assignedArrow;
assignedArrow = () => {};
const { destructuredDefault = function (a) {} } = {};

function describeFn(fn) {
  return `${fn.name}/${fn.length}`;
}

export function run(log) {
  function args() {
    return [arguments.length, Array.from(arguments), typeof arguments, Object.prototype.toString.call(arguments)];
  }
  log("arguments", args(), args(1), args(1, undefined), args(...[1, 2, 3]));

  function strictUnmapped(a) {
    arguments[0] = "changed";
    a = "param";
    return [a, arguments[0]];
  }
  log("strict arguments unmapped", strictUnmapped(1));
  function calleeThrows() {
    try {
      return arguments.callee;
    } catch (e) {
      return e.constructor.name;
    }
  }
  log("strict callee", calleeThrows());
  log("caller poison", (() => { try { return declared.caller; } catch (e) { return e.constructor.name; } })());

  function argumentsIterable() {
    const out = [];
    for (const a of arguments) out.push(a);
    return [out, [...arguments].length, arguments[Symbol.iterator] === Array.prototype.values];
  }
  log("arguments iterable", argumentsIterable("x", "y"));

  const arrowArgs = function () {
    return ((a) => [arguments.length, arguments[0], a])("arrow's own");
  };
  log("arrow sees outer arguments", arrowArgs("outer", "second"));

  log("declared", describeFn(declared));
  log("expression", describeFn(expression), describeFn(namedExpression), describeFn(arrow), describeFn(asyncArrow));
  log("async and generators", describeFn(asyncFn), describeFn(gen), describeFn(asyncGen));
  log("defaults, rest, destructuring", describeFn(withDefaults), describeFn(withRest), describeFn(withDestructuring));
  log(
    "object members",
    describeFn(obj.method),
    describeFn(obj.arrowProp),
    describeFn(obj.fnProp),
    describeFn(obj[computed]),
    describeFn(obj[sym]),
    describeFn(Object.getOwnPropertyDescriptor(obj, "getter").get),
    describeFn(Object.getOwnPropertyDescriptor(obj, "setter").set),
    describeFn(obj.asyncMethod),
    describeFn(obj.genMethod),
    describeFn(obj.asyncGenMethod),
    describeFn(obj["string key"]),
    describeFn(obj[42]),
  );
  const instance = new Klass();
  log(
    "class members",
    describeFn(Klass),
    describeFn(instance.method),
    describeFn(Klass.staticMethod),
    instance.privateName(),
    describeFn(Object.getOwnPropertyDescriptor(Klass.prototype, "accessor").get),
    describeFn(Object.getOwnPropertyDescriptor(Klass.prototype, "accessor").set),
    describeFn(Object.getOwnPropertyDescriptor(Klass, "staticAccessor").get),
    describeFn(instance.field),
    describeFn(Klass.staticField),
    describeFn(instance[sym]),
  );
  log("assigned later", describeFn(assignedLater), describeFn(assignedArrow), describeFn(destructuredDefault));
  log("property descriptors", Object.getOwnPropertyNames(declared).sort(), Object.getOwnPropertyNames(arrow).sort());
  log("prototype", typeof declared.prototype, typeof arrow.prototype, typeof obj.method.prototype, typeof gen.prototype, typeof asyncFn.prototype);
  log("own keys of a function's prototype", Object.getOwnPropertyNames(declared.prototype));
  log("constructor names", Object.getPrototypeOf(asyncFn).constructor.name, Object.getPrototypeOf(gen).constructor.name, Object.getPrototypeOf(asyncGen).constructor.name);
}
