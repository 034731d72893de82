// instanceof with Symbol.hasInstance (a static method the plugin instruments), bound
// functions, Object.create chains; what is and is not a constructor, and the errors.
export function run(log) {
  class Even {
    static [Symbol.hasInstance](n) {
      return typeof n === "number" && n % 2 === 0;
    }
  }
  log("Symbol.hasInstance", 2 instanceof Even, 3 instanceof Even, "2" instanceof Even);

  const Duck = {
    [Symbol.hasInstance](value) {
      return typeof value?.quack === "function";
    },
  };
  log("object with hasInstance", { quack() {} } instanceof Duck, {} instanceof Duck);

  class Animal {}
  class Dog extends Animal {}
  const BoundDog = Dog.bind(null);
  const d = new Dog();
  log("chains", d instanceof Dog, d instanceof Animal, d instanceof Object, d instanceof BoundDog, new BoundDog() instanceof Dog);
  log("isPrototypeOf", Animal.prototype.isPrototypeOf(d), Object.getPrototypeOf(Dog) === Animal);

  function Legacy() {}
  const fromCreate = Object.create(Legacy.prototype);
  log("Object.create", fromCreate instanceof Legacy);
  Legacy.prototype = {};
  log("prototype replaced", fromCreate instanceof Legacy);

  function Factory() {
    return { made: "by factory" };
  }
  log("constructor returning an object", new Factory(), new Factory() instanceof Factory);
  function PrimitiveReturn() {
    this.self = true;
    return "ignored";
  }
  log("constructor returning a primitive", new PrimitiveReturn());
  function ReturnsFunction() {
    return function returned() {};
  }
  log("constructor returning a function", new ReturnsFunction().name);

  const notConstructors = {
    arrow: () => {},
    method: { m() {} }.m,
    asyncFunction: async function () {},
    generator: function* () {},
    getter: Object.getOwnPropertyDescriptor({ get g() { return 1; } }, "g").get,
    bound: (() => {}).bind(null),
  };
  for (const [name, fn] of Object.entries(notConstructors)) {
    try {
      new fn();
      log(name, "constructed");
    } catch (e) {
      log(name, e.constructor.name, e.message);
    }
  }
  const namedArrow = () => {};
  try {
    new namedArrow();
  } catch (e) {
    log("arrow by name", e.message);
  }

  class NotCallable {}
  try {
    NotCallable();
  } catch (e) {
    log("class call", e.constructor.name, e.message);
  }

  function typeofs() {
    return [typeof Even, typeof Even[Symbol.hasInstance], typeof (() => {}), typeof async function () {}, typeof class {}];
  }
  log("typeof", typeofs());

  const constructed = [];
  function Tracks(name) {
    constructed.push([name, new.target === Tracks, this instanceof Tracks]);
  }
  new Tracks("new");
  Tracks.call({}, "call");
  Reflect.construct(Tracks, ["reflect"]);
  class Sub extends Tracks {}
  new Sub("subclass");
  log("new.target and this", constructed);

  const fn = function () {};
  log("prototype.constructor", fn.prototype.constructor === fn, Object.getOwnPropertyNames(fn.prototype));
  log("Function.prototype.toString is native for bound", Function.prototype.toString.call(fn.bind(null)));
}
