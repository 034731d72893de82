/**
 * Where a sync function's thread span ends. With no `finally` in its body, generated code ends
 * the span at each way out (a `return`, a bare `return`, falling off the end, a throw through a
 * `catch` of its own); with one, in an outer `finally`, after the body's `finally` has run. The
 * order of begin and end events tells which: an end written too early shows up before the spans
 * of code the function still runs, a missing one leaves the span open.
 */
import { beforeEach, describe, expect, test } from "@jest/globals";
import * as tracing from "../../tracing/src/index.js";
import { compile, evaluate } from "./run-output.js";

const SOURCE = `
export function leaf() { return 1; }
export function boom() { throw new Error("boom"); }

export function valueReturn(x) { if (x) return leaf() + 1; return leaf(); }
export function bareReturn(x) { leaf(); if (x) return; leaf(); }
export function fallsOff() { leaf(); }
export function throws() { leaf(); boom(); }
export function inSwitch(x) { switch (x) { case 1: return leaf(); default: leaf(); } }
export function fromCatch() { try { return boom(); } catch (e) { return leaf() + 10; } }
export function ownFinally() { try { return leaf(); } finally { leaf(); } }
export function finallyOverrides() { try { return 1; } finally { return leaf() + 20; } }
export function finallySwallows() { for (;;) { try { boom(); } finally { break; } } return leaf(); }
`;

type Module = Record<string, (x?: number) => number | undefined>;

let sink = new tracing.InMemorySink();
let round = 0;

function load(): Module {
  round++;
  const code = compile(SOURCE, `/project/src/exits${round}.js`, { instrument: "all" }, {
    plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
  }).code!;
  return evaluate(code, { "@spanfn/tracing": tracing }) as Module;
}

/** `+name` for a begin, `-name` for an end, in the order recorded. */
function trace(): string[] {
  tracing.flush();
  return sink
    .events()
    .filter((e) => e.kind === "thread-begin" || e.kind === "thread-end")
    .map((e) => (e.kind === "thread-begin" ? "+" : "-") + e.name.slice(e.name.indexOf("::") + 2));
}

beforeEach(() => {
  sink = new tracing.InMemorySink();
  tracing.configure({ enabled: true, maxLevel: "trace", demote: false, sink });
});

describe("a thread span ends where the function is left", () => {
  const cases: Array<[name: string, arg: number | undefined, result: number | undefined | "throws", events: string[]]> = [
    ["valueReturn", 1, 2, ["+valueReturn", "+leaf", "-leaf", "-valueReturn"]],
    ["valueReturn", 0, 1, ["+valueReturn", "+leaf", "-leaf", "-valueReturn"]],
    ["bareReturn", 1, undefined, ["+bareReturn", "+leaf", "-leaf", "-bareReturn"]],
    ["bareReturn", 0, undefined, ["+bareReturn", "+leaf", "-leaf", "+leaf", "-leaf", "-bareReturn"]],
    ["fallsOff", undefined, undefined, ["+fallsOff", "+leaf", "-leaf", "-fallsOff"]],
    ["throws", undefined, "throws", ["+throws", "+leaf", "-leaf", "+boom", "-boom", "-throws"]],
    ["inSwitch", 1, 1, ["+inSwitch", "+leaf", "-leaf", "-inSwitch"]],
    ["inSwitch", 2, undefined, ["+inSwitch", "+leaf", "-leaf", "-inSwitch"]],
    ["fromCatch", undefined, 11, ["+fromCatch", "+boom", "-boom", "+leaf", "-leaf", "-fromCatch"]],
    // The body's own `finally` runs inside the span.
    ["ownFinally", undefined, 1, ["+ownFinally", "+leaf", "-leaf", "+leaf", "-leaf", "-ownFinally"]],
    ["finallyOverrides", undefined, 21, ["+finallyOverrides", "+leaf", "-leaf", "-finallyOverrides"]],
    ["finallySwallows", undefined, 1, ["+finallySwallows", "+boom", "-boom", "+leaf", "-leaf", "-finallySwallows"]],
  ];

  test.each(cases)("%s(%p)", (name, arg, result, events) => {
    const m = load();
    if (result === "throws") expect(() => m[name](arg)).toThrow("boom");
    else expect(m[name](arg)).toBe(result);
    expect(trace()).toEqual(events);
    expect(tracing.report().lostEnds).toBe(0);
  });

  test("every span of a run ends exactly once, and the next call starts at depth 0 again", () => {
    const m = load();
    for (const [name, arg] of cases) {
      try {
        m[name](arg);
      } catch {
        // `throws` throws.
      }
    }
    const events = trace();
    let depth = 0;
    for (const e of events) {
      depth += e.startsWith("+") ? 1 : -1;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(events.filter((e) => e.startsWith("+")).length).toBe(events.length / 2);
  });
});
