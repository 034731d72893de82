/**
 * Demotion of recursive functions, under real instrumentation: code the plugin compiled in
 * all-mode, run against this runtime. A recursive call's span includes its descendants' spans,
 * so what demotion judges is a call's time without the nested calls of its own function. The
 * threshold is the default (1 µs): the tiny calls here take a small fraction of it, the slow ones
 * many times it (a busy wait), and so many that their spans cost a small share of the time, so the
 * outcome does not hang on how fast the machine runs.
 */
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import { configure, flush, InMemorySink, report, type SpanEvent } from "../src/index.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile, evaluate } from "../../babel-plugin/test/run-output.js";

const SOURCE = `
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function busy(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

// Recurses, and does tens of microseconds of work of its own in every call.
export function deep(n) {
  busy(0.05);
  return n === 0 ? 0 : 1 + deep(n - 1);
}

// Neither recurses nor is quick.
export function slow(x) {
  busy(0.05);
  return x + 1;
}

// Does nothing itself but hand its work to another function.
export function wrapper(x) {
  return slow(x);
}

export function twice(n) {
  return fib(n) + fib(n);
}
`;

type Program = Record<"fib" | "deep" | "slow" | "wrapper" | "twice", (n: number) => number>;

/** Calls of naive fib(n), the outermost one included. */
const fibCalls = (n: number): number => (n < 2 ? 1 : 1 + fibCalls(n - 1) + fibCalls(n - 2));

let sink = new InMemorySink();
let round = 0;

/**
 * A freshly compiled module: its sites are new, so no demotion from an earlier test carries over.
 * `older`: the same source as an earlier plugin compiled it (per-module gates, not words), with
 * the outermost gate, or from before it ("no outermost": it asks for the gates without saying it
 * knows that one).
 */
function load(options: { older?: "outermost" | "no outermost"; filler?: number } = {}): Program {
  round++;
  if (options.older !== undefined) {
    let code = readFileSync(join(__dirname, "programs/older-plugin-recursion.cjs"), "utf8").replaceAll("src/recursion-older", `src/recursion${round}`);
    if (options.older === "no outermost") code = code.replace(/siteGates\((\w+), true\)/, "siteGates($1)");
    return evaluate(code) as Program;
  }
  // Functions before the others, so that theirs are sites past the first words function's.
  const filler = Array.from({ length: options.filler ?? 0 }, (_, i) => `export function filler${i}() { return ${i}; }\n`).join("");
  const code = compile(filler + SOURCE, `/project/src/recursion${round}.js`, { instrument: "all" }, {
    plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
  }).code!;
  return evaluate(code) as Program;
}

const name = (fn: string) => `src/recursion${round}::${fn}`;

function demoted(fn: string): { calls: number; recorded: number } | undefined {
  const site = report().demoted.find((d) => d.name === name(fn));
  return site === undefined ? undefined : { calls: site.calls, recorded: site.recorded };
}

/** Flushes (demotion is judged as blocks are sealed) and returns the events since the last take. */
function take(): SpanEvent[] {
  flush();
  const events = sink.events();
  sink.clear();
  return events;
}

const begins = (events: readonly SpanEvent[], fn: string) => events.filter((e) => e.kind === "thread-begin" && e.name === name(fn));

/** Calls fib(n) `times` times, sealing a block after each, as a long-running program would. */
function runFib(program: Program, n: number, times: number): number {
  for (let i = 0; i < times; i++) {
    program.fib(n);
    flush();
  }
  return times * fibCalls(n);
}

beforeEach(() => {
  sink = new InMemorySink();
  configure({ enabled: true, maxLevel: "trace", demote: { after: 200, belowNs: 1000 }, sink });
});

afterAll(() => configure({ demote: true }));

describe("demotion of recursive functions", () => {
  test("a recursive function whose calls do little themselves is demoted, and its count stays exact", () => {
    const program = load();
    const calls = runFib(program, 16, 20);
    const fib = demoted("fib");
    expect(fib).toBeDefined();
    expect(fib!.calls).toBeGreaterThan(calls / 2);
    expect(fib!.calls + fib!.recorded).toBe(calls);
  });

  // With 150 functions before fib, its site is past the first of its module's words functions.
  test.each([0, 150])("its outermost calls stay in the trace as spans; the calls inside them are counted (%i functions before it)", (filler) => {
    const program = load({ filler });
    const before = runFib(program, 16, 20);
    expect(demoted("fib")).toBeDefined();
    take();
    expect(program.twice(12)).toBe(2 * 144);
    program.fib(10);
    const events = take();
    // twice, its two fib calls nested in it, then fib(10) at the root.
    expect(events.filter((e) => e.kind.startsWith("thread")).map((e) => `${e.kind}:${e.name}`)).toEqual([
      `thread-begin:${name("twice")}`,
      `thread-begin:${name("fib")}`,
      `thread-end:${name("fib")}`,
      `thread-begin:${name("fib")}`,
      `thread-end:${name("fib")}`,
      `thread-end:${name("twice")}`,
      `thread-begin:${name("fib")}`,
      `thread-end:${name("fib")}`,
    ]);
    const fib = demoted("fib")!;
    expect(fib.calls + fib.recorded).toBe(before + 2 * fibCalls(12) + fibCalls(10));
  });

  test("a throw out of the outermost call ends its span, and the next call records again", () => {
    const program = load();
    runFib(program, 16, 20);
    expect(demoted("fib")).toBeDefined();
    take();
    // A string is no number: `n < 2` is false and `n - 1` NaN, so fib recurses until the stack overflows.
    expect(() => program.fib("deep" as never)).toThrow(RangeError);
    program.fib(8);
    const spans = begins(take(), "fib");
    expect(spans).toHaveLength(2);
  });

  test("code from an older plugin, with gates instead of words, keeps the outermost calls and an exact count", () => {
    const program = load({ older: "outermost" });
    const before = runFib(program, 16, 20);
    expect(demoted("fib")).toBeDefined();
    take();
    expect(program.twice(12)).toBe(2 * 144);
    const events = take();
    expect(begins(events, "fib")).toHaveLength(2);
    expect(begins(events, "twice")).toHaveLength(1);
    const fib = demoted("fib")!;
    expect(fib.calls + fib.recorded).toBe(before + 2 * fibCalls(12));
  });

  test("code from an older plugin, which knows no outermost gate, counts those calls instead", () => {
    const program = load({ older: "no outermost" });
    const before = runFib(program, 16, 20);
    expect(demoted("fib")).toBeDefined();
    take();
    program.fib(10);
    expect(begins(take(), "fib")).toHaveLength(0);
    const fib = demoted("fib")!;
    expect(fib.calls + fib.recorded).toBe(before + fibCalls(10));
  });

  test("a recursive function with substantial work of its own keeps its spans", () => {
    const program = load();
    runFib(program, 16, 20);
    let spans = 0;
    for (let i = 0; i < 10; i++) {
      program.deep(40);
      spans += begins(take(), "deep").length;
    }
    expect(demoted("fib")).toBeDefined();
    expect(demoted("deep")).toBeUndefined();
    expect(spans).toBe(10 * 41);
  });

  test("slow functions keep their spans, and so does one that only hands its work to a slow one", () => {
    const program = load();
    runFib(program, 16, 20);
    let slow = 0;
    let wrapper = 0;
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 100; j++) program.wrapper(j);
      const events = take();
      slow += begins(events, "slow").length;
      wrapper += begins(events, "wrapper").length;
    }
    expect(demoted("fib")).toBeDefined();
    expect(demoted("slow")).toBeUndefined();
    expect(demoted("wrapper")).toBeUndefined();
    expect([slow, wrapper]).toEqual([500, 500]);
  });
});
