// A function (or class) used as a computed property key names the property by its source text
// (ToPropertyKey calls its toString). Looking the member up again with an identical-looking
// function must find it: in class methods, fields, accessors and static members, object
// literals and patterns, with function expressions, arrows, async arrows, generators and
// async generators, through String(), templates, `in` and nested functions.
export function run(log) {
  class C {
    [() => {}]() {
      return "arrow method";
    }
    [function () {}]() {
      return "function method";
    }
    [async () => {}]() {
      return "async arrow method";
    }
    [function* () {}]() {
      return "generator method";
    }
    [async function* () {}] = "async generator field";
    [(x) => x * 2] = "field";
    get [() => 1]() {
      return "getter";
    }
    set [() => 1](value) {
      log("setter got", value);
    }
    static [() => "static"]() {
      return "static method";
    }
    static [function named() {}] = "static field";
    [`${() => "templated"}`]() {
      return "template key";
    }
    [String(() => () => "nested")]() {
      return "nested functions";
    }
    [(0, () => "sequence")]() {
      return "sequence key";
    }
  }
  const c = new C();
  log(c[() => {}]());
  log(c[function () {}]());
  log(c[async () => {}]());
  log(c[function* () {}]());
  log(c[async function* () {}]);
  log(c[(x) => x * 2]);
  log(c[() => 1]);
  c[() => 1] = "set";
  log(C[() => "static"]());
  log(C[function named() {}]);
  log(c[() => "templated"]());
  log(c[`${() => () => "nested"}`]());
  log(c[() => "sequence"]());
  log("in", (() => {}) in c, String(() => 1) in c, (() => 2) in c);
  log("keys", Object.getOwnPropertyNames(C.prototype).length, Object.getOwnPropertyNames(c).length);

  const o = {
    [() => "object"]: "object property",
    [function () {}]() {
      return "object method";
    },
    get [async () => {}]() {
      return "object getter";
    },
    [class {
      m() {}
    }]: "class key",
  };
  log(o[() => "object"], o[function () {}](), o[async () => {}]);
  const { [() => "object"]: picked } = o;
  log("destructured", picked);
  log("keys", Object.keys(o).length, Object.keys(o).includes('() => "object"'), Object.keys(o).some((k) => k.startsWith("class")));

  // Callbacks that help compute a key, and ordinary functions beside these, still work.
  const list = ["a", "b", "c"];
  const table = { 1: "one" };
  log(table[list.findIndex((x) => x === "b")]);
}
