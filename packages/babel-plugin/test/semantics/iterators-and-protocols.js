// Sync iteration protocols implemented by instrumented methods (the plugin instruments next,
// return and [Symbol.iterator]): spread, destructuring, Array.from, for-of with break, and the
// conversions (toString, valueOf, Symbol.toPrimitive, toJSON) the engine calls implicitly.
export function run(log) {
  const calls = [];
  class Range {
    constructor(from, to) {
      this.from = from;
      this.to = to;
    }
    [Symbol.iterator]() {
      calls.push("iterator");
      let current = this.from;
      const to = this.to;
      return {
        next(...args) {
          calls.push(`next/${args.length}`);
          return current <= to ? { value: current++, done: false } : { value: undefined, done: true };
        },
        return(...args) {
          calls.push(`return/${args.length}`);
          return { done: true };
        },
        [Symbol.iterator]() {
          return this;
        },
      };
    }
  }
  const r = new Range(1, 4);
  log("spread", [...r], calls.splice(0));
  const [a, b] = r;
  log("destructure two", a, b, calls.splice(0));
  log("Array.from with map", Array.from(r, (x) => x * 10), calls.splice(0));
  for (const x of r) if (x === 2) break;
  log("for-of break", calls.splice(0));
  log("Math.max", Math.max(...r), calls.splice(0));
  log("Map from entries", [...new Map([...r].map((x) => [x, x * x])).entries()]);
  log("Promise.all over an iterable", typeof Promise.all(r).then, calls.splice(0));
  const [first, ...rest] = r;
  log("rest element", first, rest, calls.splice(0));

  const conversions = [];
  const value = {
    valueOf() {
      conversions.push("valueOf");
      return 42;
    },
    toString() {
      conversions.push("toString");
      return "str";
    },
    toJSON(key) {
      conversions.push(`toJSON(${key})`);
      return { json: true };
    },
  };
  log("conversions", value + 1, `${value}`, value * 2, String(value), JSON.stringify({ k: value }), conversions.splice(0));
  const prim = {
    [Symbol.toPrimitive](hint) {
      conversions.push(hint);
      return hint === "number" ? 7 : "seven";
    },
  };
  log("toPrimitive", +prim, `${prim}`, prim + "", prim < 8, conversions.splice(0));

  const sorted = [5, 1, 4, 2, 3].sort(function byValue(x, y) {
    return x - y;
  });
  log("sort comparator", sorted);
  log("replacer and reviver", JSON.stringify({ a: 1, b: [2] }, function (k, v) { return typeof v === "number" ? v * 2 : v; }), JSON.parse('{"a":1,"b":{"c":2}}', function (k, v) { return typeof v === "number" ? v + 1 : v; }));
  function tag(strings, ...values) {
    return `${strings.raw.join("|")}:${values.join(",")}:${Object.isFrozen(strings)}`;
  }
  function identity(strings) {
    return strings;
  }
  function siteObject() {
    return identity`site`;
  }
  log("tagged template", tag`a${1}b${2}c`);
  log("one call site, one strings object", siteObject() === siteObject());
  log("two call sites, two strings objects", identity`x` === identity`x`);
  log("String.raw", String.raw`\n${1}`);
}
