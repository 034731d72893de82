// Classes: `super()` and `super.x` in constructors, methods, static methods, accessors and
// arrows; `new.target`; derived constructors returning objects; fields (with arrows capturing
// `this`), private methods and accessors, `#x in obj`, static blocks.
export function run(log) {
  class Base {
    static count = 0;
    base = "base field";
    constructor(name) {
      this.name = name;
      this.newTarget = new.target.name;
      Base.count++;
      log("Base constructor", name, new.target === Base, this.constructor.name, this.base);
    }
    greet(greeting = "hello") {
      return `${greeting} from Base(${this.name})`;
    }
    get kind() {
      return "base kind";
    }
    set label(v) {
      this._label = `base:${v}`;
    }
    static create(name) {
      return new this(name);
    }
    static describe() {
      return `Base.describe on ${this.name}`;
    }
  }

  class Derived extends Base {
    derived = `derived field sees ${this.name}`;
    arrowField = () => this.name;
    #secret = "secret";
    static #instances = 0;
    static {
      log("static block", this.name, typeof this.create);
      Derived.blockRan = true;
    }
    constructor(name, extra) {
      log("before super", typeof new.target, new.target.name);
      const viaArrow = () => super(name.toUpperCase());
      viaArrow();
      this.extra = extra;
      Derived.#instances++;
      log("after super", this.derived, this.#secret, this.arrowField());
    }
    greet() {
      return `${super.greet("hi")} via Derived`;
    }
    greetLater() {
      const arrow = () => super.greet("arrow");
      return arrow();
    }
    get kind() {
      return `derived + ${super.kind}`;
    }
    set label(v) {
      super.label = v + "!";
    }
    static describe() {
      return `${super.describe()} + Derived.describe`;
    }
    static instances() {
      return Derived.#instances;
    }
    #privateMethod(x) {
      return `${this.#secret}:${x}`;
    }
    get #privateAccessor() {
      return this.#privateMethod("accessor");
    }
    usePrivate() {
      return [this.#privateMethod(1), this.#privateAccessor];
    }
    static isDerived(o) {
      return #secret in o;
    }
  }

  const d = new Derived("dee", 42);
  log("instance", d.name, d.newTarget, d.extra, d.base);
  log("greet", d.greet(), d.greetLater());
  log("accessors", d.kind);
  d.label = "x";
  log("super setter", d._label);
  log("static", Derived.describe(), Derived.create("made").constructor.name, Base.count, Derived.instances(), Derived.blockRan);
  log("private", d.usePrivate(), Derived.isDerived(d), Derived.isDerived({}));
  log("arrow field detached", (0, d.arrowField)());
  try {
    Derived.prototype.usePrivate.call({});
  } catch (e) {
    log("private brand check", e.constructor.name);
  }

  class ReturnsObject extends Base {
    constructor() {
      super("temp");
      return { replaced: true };
    }
  }
  log("derived constructor returning an object", new ReturnsObject());

  class ReturnsUndefinedExplicitly extends Base {
    constructor() {
      super("explicit");
      return undefined;
    }
  }
  log("explicit return undefined", new ReturnsUndefinedExplicitly().name);

  class ReturnsPrimitive {
    constructor() {
      this.kept = true;
      return 5;
    }
  }
  log("base constructor returning a primitive", new ReturnsPrimitive());

  class DerivedReturnsPrimitive extends Base {
    constructor() {
      super("p");
      return 5;
    }
  }
  try {
    new DerivedReturnsPrimitive();
  } catch (e) {
    log("derived returning a primitive", e.constructor.name, e.message);
  }

  class NoSuper extends Base {
    constructor() {
      log("no super yet");
    }
  }
  try {
    new NoSuper();
  } catch (e) {
    log("missing super", e.constructor.name, e.message);
  }

  class ThisBeforeSuper extends Base {
    constructor() {
      try {
        this.x = 1;
      } catch (e) {
        log("this before super", e.constructor.name, e.message);
      }
      super("late");
    }
  }
  log("recovered", new ThisBeforeSuper().name);

  class SuperTwice extends Base {
    constructor() {
      super("once");
      try {
        super("twice");
      } catch (e) {
        log("super twice", e.constructor.name, e.message);
      }
    }
  }
  new SuperTwice();

  try {
    Derived("no new");
  } catch (e) {
    log("class called without new", e.constructor.name, e.message);
  }

  function Legacy(x) {
    if (!new.target) return new Legacy(x);
    this.x = x;
    this.target = new.target === Legacy;
  }
  Legacy.prototype.get = function () {
    return this.x;
  };
  log("new.target in functions", Legacy(1).target, new Legacy(2).get(), Legacy(3) instanceof Legacy);

  function Other() {}
  const constructed = Reflect.construct(Legacy, [7], Other);
  log("Reflect.construct newTarget", constructed instanceof Other, constructed.target, constructed.x);
  const reflectedDerived = Reflect.construct(Derived, ["reflected"], class Marker extends Derived {});
  log("Reflect.construct derived", reflectedDerived.newTarget, reflectedDerived.constructor.name);

  function ArrowTarget() {
    const arrow = () => new.target;
    return { target: arrow() === ArrowTarget };
  }
  log("new.target in arrow", new ArrowTarget().target, ArrowTarget().target);

  class Mixed extends (function () {
    log("heritage expression evaluated");
    return Base;
  })() {}
  log("heritage", new Mixed("mixed").name, Object.getPrototypeOf(Mixed) === Base);

  class ComputedKeys {
    [(log("computed key 1"), "a")]() {
      return "a";
    }
    static [(log("computed key 2"), "b")] = (log("static field initializer"), "b");
    [(log("computed key 3"), "c")] = (log("instance field initializer"), "c");
  }
  const ck = new ComputedKeys();
  log("computed keys", ck.a(), ComputedKeys.b, ck.c);

  const anonymous = class {
    static who() {
      return this.name;
    }
  };
  log("anonymous class", anonymous.who(), anonymous.name);

  class Accessors {
    static #count = 0;
    #value = 0;
    get value() {
      Accessors.#count++;
      return this.#value;
    }
    set value(v) {
      this.#value = v * 2;
    }
    static get reads() {
      return Accessors.#count;
    }
  }
  const acc = new Accessors();
  acc.value = 5;
  acc.value += 1;
  log("class accessors", acc.value, Accessors.reads, "value" in acc, Object.keys(acc));

  class WithToString {
    toString() {
      return "custom toString";
    }
    [Symbol.toPrimitive](hint) {
      return hint === "number" ? 99 : `primitive:${hint}`;
    }
  }
  const ts = new WithToString();
  log("conversions", `${ts}`, +ts, ts + "");
}
