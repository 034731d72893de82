// @compilers: tsc-es2015 tsc-es5 env-node6 env-ie11
// `this` in every kind of call: methods, detached calls, call/apply/bind, callbacks with a
// thisArg, arrows capturing `this` (also across an await), and `this` in getters.
export async function run(log) {
  const describe = (value) => (value === undefined ? "undefined" : value === null ? "null" : typeof value === "object" ? value.name ?? "object" : String(value));

  function who() {
    return describe(this);
  }
  const obj = {
    name: "obj",
    who,
    method() {
      return describe(this);
    },
    arrowInside() {
      const inner = () => describe(this);
      const deeper = () => () => describe(this);
      return [inner(), deeper()()];
    },
    callbacks() {
      return [1, 2].map(function () {
        return describe(this);
      }, { name: "thisArg" });
    },
    arrowCallbacks() {
      return [1, 2].map(() => this.name);
    },
    async later() {
      const before = () => this.name;
      await null;
      const after = () => this.name;
      await Promise.resolve();
      return [before(), after(), describe(this)];
    },
    get self() {
      return describe(this);
    },
  };
  log("method", obj.method());
  log("function as method", obj.who());
  log("detached", who());
  const detached = obj.method;
  log("detached method", detached());
  log("call", who.call({ name: "called" }));
  log("call primitive", who.call(42), typeof (function () { return this; }).call(42));
  log("apply", who.apply({ name: "applied" }, []));
  const bound = who.bind({ name: "bound" });
  log("bind", bound(), bound.call({ name: "ignored" }), bound.name, bound.length);
  log("bind twice", bound.bind({ name: "again" })());
  log("arrows", obj.arrowInside());
  log("callbacks", obj.callbacks());
  log("arrow callbacks", obj.arrowCallbacks());
  log("async arrows", await obj.later());
  log("getter", obj.self);
  const inherited = Object.create(obj, { name: { value: "child" } });
  log("inherited getter", inherited.self, inherited.method());
  log("Reflect.apply", Reflect.apply(who, { name: "reflected" }, []));
  const arrowAtTop = () => describe(this);
  log("top-level arrow", arrowAtTop());
  // `this` of an arrow cannot be rebound.
  log("arrow call", arrowAtTop.call({ name: "nope" }));
  const holder = {
    name: "holder",
    make() {
      return function () {
        return describe(this);
      };
    },
    makeArrow() {
      return () => describe(this);
    },
  };
  const fn = holder.make();
  const arrow = holder.makeArrow();
  log("returned function", fn(), fn.call(obj));
  log("returned arrow", arrow(), arrow.call(obj));
  // Optional chaining and comma detach or keep `this`.
  log("optional call", obj?.method(), obj.method?.());
  log("comma detaches", (0, obj.method)());
  log("parenthesized keeps", (obj.method)());
}
