// Object literals: getters/setters (counted), `super.method()` and `super.prop` in methods of
// literals with `__proto__`, accessors from defineProperty, Object.setPrototypeOf after the fact.
export async function run(log) {
  const base = {
    greet(who) {
      return `base greets ${who} as ${this.name}`;
    },
    get title() {
      return `title of ${this.name}`;
    },
    set title(v) {
      this._title = `base-set:${v}`;
    },
  };
  const child = {
    __proto__: base,
    name: "child",
    greet(who) {
      return `${super.greet(who)}; child adds`;
    },
    get title() {
      return `${super.title} (child)`;
    },
    set title(v) {
      super.title = v.toUpperCase();
    },
    arrowSuper() {
      return (() => super.greet("arrow"))();
    },
    async asyncSuper() {
      await null;
      return super.greet("async");
    },
  };
  log("super method", child.greet("you"));
  log("super getter", child.title);
  child.title = "new";
  log("super setter", child._title, Object.prototype.hasOwnProperty.call(child, "_title"));
  log("super in arrow", child.arrowSuper());
  log("super in async method", await child.asyncSuper());

  // super is bound to the home object, not to `this`.
  const borrowed = { name: "borrowed", greet: child.greet };
  log("borrowed method keeps home object", borrowed.greet("x"));

  // Changing the home object's prototype changes what super finds.
  Object.setPrototypeOf(child, {
    greet(who) {
      return `replacement greets ${who}`;
    },
    get title() {
      return "replacement title";
    },
  });
  log("after setPrototypeOf", child.greet("y"), child.title);

  let reads = 0;
  let writes = [];
  const counted = {
    _v: 1,
    get v() {
      reads++;
      return this._v;
    },
    set v(value) {
      writes.push(value);
      this._v = value;
      return "ignored";
    },
  };
  counted.v += 2;
  counted.v++;
  const result = (counted.v = 10);
  log("getter/setter calls", reads, writes, counted.v, result, reads);
  const { v } = counted;
  log("destructuring reads a getter", v, reads);
  log("spread reads getters", { ...counted }, reads);
  log("JSON reads getters", JSON.stringify(counted), reads);
  log("keys", Object.keys(counted), Object.entries(Object.getOwnPropertyDescriptors(counted)).map(([k, d]) => `${k}:${Object.keys(d).join(",")}`));

  const defined = {};
  let backing = "initial";
  Object.defineProperty(defined, "prop", {
    get: function getProp() {
      return backing;
    },
    set: (value) => {
      backing = `set:${value}`;
    },
    enumerable: false,
    configurable: true,
  });
  defined.prop = "x";
  log("defineProperty accessors", defined.prop, Object.keys(defined), Object.getOwnPropertyDescriptor(defined, "prop").get.name);

  const getterOnly = {
    get only() {
      return "only";
    },
  };
  try {
    getterOnly.only = "assigned";
    log("assignment to a getter-only property did not throw");
  } catch (e) {
    log("getter-only assignment", e.constructor.name, e.message);
  }

  const frozen = Object.freeze({
    method() {
      return Object.isFrozen(this);
    },
  });
  log("frozen", frozen.method());
}
