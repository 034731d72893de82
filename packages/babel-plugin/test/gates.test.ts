/**
 * Words: generated code keeps a variable per synchronous site and asks the runtime only while it
 * says so, so a function that records nothing (tracing disabled, its level filtered, demoted)
 * costs no runtime call after its first. The runtime here is the real one behind a wrapper that
 * counts the calls that ask: a word that stopped working would show as calls, and one that
 * counted too much as missing spans.
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

let asks = 0;
const runtime = {
  ...tracing,
  beginWord(id: number) {
    asks++;
    return tracing.beginWord(id);
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
  asks = 0;
});

afterEach(() => tracing.configure({ enabled: true, maxLevel: "trace", demote: false }));

describe("generated code asks the runtime only while its word says so", () => {
  test("recording: every call begins a span", () => {
    const m = load();
    expect(m.outer(3)).toBe(3);
    m.quiet();
    expect(asks).toBe(5);
    expect([spans("outer"), spans("tiny"), spans("quiet")]).toEqual([1, 3, 1]);
  });

  test("disabled: each site asks once, then counts inline; enabling again records again", () => {
    const m = load();
    tracing.configure({ enabled: false });
    expect(m.outer(4)).toBe(4);
    m.quiet();
    expect(asks).toBe(3);
    m.outer(4);
    m.quiet();
    expect(asks).toBe(3);
    expect(spans("tiny")).toBe(0);
    tracing.configure({ enabled: true });
    expect(m.outer(2)).toBe(2);
    expect(asks).toBe(6);
    expect(spans("tiny")).toBe(2);
  });

  test("a level filter turns the sites above it to counting, and lifting it opens them", () => {
    const m = load();
    tracing.configure({ maxLevel: "warn" });
    m.outer(2);
    m.outer(2);
    expect(asks).toBe(2);
    tracing.configure({ maxLevel: "info" });
    m.outer(2);
    expect(asks).toBe(5);
    expect(spans("tiny")).toBe(2);
  });

  test("calls made while disabled are nobody's count: a function demoted later counts from its demotion", () => {
    const m = load();
    tracing.configure({ demote: { after: 10, belowNs: 1e12 } });
    m.outer(10);
    // Judged at the flush in spans(): tiny is demoted with its 10 spans, after 7 calls made while disabled.
    tracing.configure({ enabled: false });
    m.outer(7);
    tracing.configure({ enabled: true });
    expect(spans("tiny")).toBe(10);
    m.outer(4);
    const demoted = tracing.report().demoted.find((d) => d.name.endsWith(`gated${round}::tiny`));
    expect(demoted).toMatchObject({ calls: 4, recorded: 10 });
  });

  test("demoted while disabled: what its word counted before is not its count, what it counts after is", () => {
    const m = load();
    tracing.configure({ demote: { after: 10, belowNs: 1e12 } });
    m.outer(10);
    tracing.configure({ enabled: false });
    m.outer(7);
    // The flush judges tiny's 10 spans now, while its word counts the calls made disabled.
    tracing.flush();
    m.outer(2);
    tracing.configure({ enabled: true });
    m.outer(4);
    const demoted = tracing.report().demoted.find((d) => d.name.endsWith(`gated${round}::tiny`));
    expect(demoted).toMatchObject({ calls: 6, recorded: 10 });
  });

  test("a demoted function is counted inline: recorded spans plus counted calls are every call", () => {
    const m = load();
    tracing.configure({ demote: { after: 10, belowNs: 1e12 } });
    m.outer(10);
    tracing.flush();
    asks = 0;
    m.outer(25);
    // outer itself was called twice: not demoted (fewer than `after` calls); tiny is, and asks once.
    expect(asks).toBe(2);
    const demoted = tracing.report().demoted.find((d) => d.name.endsWith(`gated${round}::tiny`));
    expect(demoted).toMatchObject({ calls: 25, recorded: 10 });
    expect(spans("tiny")).toBe(10);
    m.outer(5);
    expect(tracing.report().demoted.find((d) => d.name.endsWith(`gated${round}::tiny`))).toMatchObject({ calls: 30 });
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
    m.outer(3);
    const demoted = tracing.report().demoted.find((d) => d.name.endsWith(`gated${round}::tiny`));
    expect(demoted).toMatchObject({ calls: 15, recorded: 10 });
  });
});

describe("a module with more sites than one words function holds", () => {
  const MANY = Array.from({ length: 130 }, (_, i) => `export function f${i}() { return ${i}; }\n`).join("");
  const compileMany = () => {
    round++;
    return compile(MANY, `/project/src/gated${round}.js`, { instrument: "all", runtimeModule: "counting-runtime" }, {
      plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
    }).code!;
  };

  test("`words` hands each site to the function of its run of 64 sites", () => {
    const code = compileMany();
    const body = (name: string) => code.slice(code.indexOf(`function ${name}(`), code.indexOf("\n}\n", code.indexOf(`function ${name}(`)));
    expect(body("_sf$words")).toBe(
      ["function _sf$words(i, reset) {", "  switch (i >> 6) {", ...[0, 1, 2].flatMap((run) => [`    case ${run}:`, `      return _sf$words${run}(i, reset);`]), "  }"].join("\n"),
    );
    const cases = (name: string) => [...body(name).matchAll(/case (\d+):/g)].map((match) => Number(match[1]));
    expect(cases("_sf$words0")).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(cases("_sf$words1")).toEqual(Array.from({ length: 64 }, (_, i) => 64 + i));
    expect(cases("_sf$words2")).toEqual([128, 129]);
  });

  test("every site's word is read and reset through them: disabled, each asks once; enabled again, each asks again and records", () => {
    const m = evaluate(compileMany(), { "counting-runtime": runtime }) as Record<string, () => number>;
    const callAll = () => Array.from({ length: 130 }, (_, i) => m[`f${i}`]()).reduce((a, b) => a + b, 0);
    tracing.configure({ enabled: false });
    expect(callAll()).toBe((129 * 130) / 2);
    callAll();
    expect(asks).toBe(130);
    tracing.configure({ enabled: true });
    callAll();
    expect(asks).toBe(260);
    expect([spans("f0"), spans("f64"), spans("f129")]).toEqual([1, 1, 1]);
  });
});
