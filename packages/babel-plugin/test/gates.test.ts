/**
 * Gates: generated code asks the module's gate before calling into the runtime, so a function
 * that records nothing (tracing disabled, its level filtered, demoted) costs no runtime call. The
 * runtime here is the real one behind a wrapper that counts the calls that begin a span: a gate that stopped
 * working would show as calls, and one that gated too much as missing spans.
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import * as tracing from "../../tracing/src/index.js";
import { compile, evaluate } from "./run-output.js";

const SOURCE = `
export function tiny(x) {
  return x + 1;
}

export function quiet() {}

export function outer(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum = tiny(sum);
  return sum;
}
`;

let begins = 0;
/** The call counters of the module loaded last, as the runtime handed them to it. */
let counters: Float64Array = new Float64Array(0);
const runtime = {
  ...tracing,
  beginGated(id: number) {
    begins++;
    return tracing.beginGated(id);
  },
  siteCalls(first: number) {
    counters = tracing.siteCalls(first);
    return counters;
  },
};

let sink = new tracing.InMemorySink();
let round = 0;

/** A fresh module (fresh sites, so demotion earlier in the file does not carry over). */
function load(): Record<string, (...args: number[]) => number> {
  round++;
  const code = compile(SOURCE, `/project/src/gated${round}.js`, { instrument: "all", runtimeModule: "counting-runtime" }, {
    plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
  }).code!;
  return evaluate(code, { "counting-runtime": runtime }) as Record<string, (...args: number[]) => number>;
}

function spans(name: string): number {
  tracing.flush();
  return sink.events().filter((e) => e.kind === "thread-begin" && e.name.endsWith(`::${name}`) && e.name.includes(`gated${round}`)).length;
}

beforeEach(() => {
  sink = new tracing.InMemorySink();
  tracing.configure({ enabled: true, maxLevel: "trace", demote: false, sink });
  begins = 0;
});

afterEach(() => tracing.configure({ enabled: true, maxLevel: "trace", demote: false }));

describe("generated code asks the gate first", () => {
  test("recording: every call begins a span", () => {
    const m = load();
    expect(m.outer(3)).toBe(3);
    m.quiet();
    expect(begins).toBe(5);
    expect([spans("outer"), spans("tiny"), spans("quiet")]).toEqual([1, 3, 1]);
  });

  test("disabled: no call reaches the runtime, and enabling again records again", () => {
    const m = load();
    tracing.configure({ enabled: false });
    expect(m.outer(4)).toBe(4);
    m.quiet();
    expect(begins).toBe(0);
    expect(spans("tiny")).toBe(0);
    tracing.configure({ enabled: true });
    expect(m.outer(2)).toBe(2);
    expect(begins).toBe(3);
    expect(spans("tiny")).toBe(2);
  });

  test("disabled or filtered calls are not counted: nobody reads those counts", () => {
    const m = load();
    tracing.configure({ enabled: false });
    m.outer(4);
    tracing.configure({ enabled: true, maxLevel: "warn" });
    m.outer(3);
    expect(counters.length).toBe(3);
    expect(Array.from(counters)).toEqual([0, 0, 0]);
  });

  test("a level filter gates the sites above it, and lifting it opens them", () => {
    const m = load();
    tracing.configure({ maxLevel: "warn" });
    m.outer(2);
    expect(begins).toBe(0);
    tracing.configure({ maxLevel: "info" });
    m.outer(2);
    expect(begins).toBe(3);
  });

  test("a demoted function is counted inline: recorded spans plus counted calls are every call", () => {
    const m = load();
    tracing.configure({ demote: { after: 10, belowNs: 1e12 } });
    m.outer(10);
    tracing.flush();
    begins = 0;
    m.outer(25);
    // outer itself was called twice: not demoted (fewer than `after` calls); tiny is.
    expect(begins).toBe(1);
    const demoted = tracing.report().demoted.find((d) => d.name.endsWith(`gated${round}::tiny`));
    expect(demoted).toMatchObject({ calls: 25, recorded: 10 });
    expect(spans("tiny")).toBe(10);
  });

  test("calls of a demoted function made while disabled are counted too: the count is every call since", () => {
    const m = load();
    tracing.configure({ demote: { after: 10, belowNs: 1e12 } });
    m.outer(10);
    tracing.flush();
    m.outer(5);
    tracing.configure({ enabled: false });
    m.outer(7);
    tracing.configure({ enabled: true });
    const demoted = tracing.report().demoted.find((d) => d.name.endsWith(`gated${round}::tiny`));
    expect(demoted).toMatchObject({ calls: 12, recorded: 10 });
  });
});
