/**
 * Runs real Node programs against the built package (`npm test` builds first): exit paths,
 * worker threads, the ESM/CJS pair, AsyncLocalStorage mode and rejection semantics.
 */
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseChromeTrace, type ChromeTraceEvent } from "../src/index.js";
import { asPairs } from "./chrome-pairs.js";
import { lazyBuiltin } from "../src/node/builtin.js";

const programs = join(__dirname, "programs");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-node-"));

function run(program: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(programs, program), ...args], { encoding: "utf8", timeout: 15000 });
  if (result.error) throw result.error;
  return result;
}

/** The trace's events, each X as its B and E. */
function trace(file: string): ChromeTraceEvent[] {
  return asPairs(parseChromeTrace(readFileSync(file, "utf8")));
}

function named(events: ChromeTraceEvent[], ph: string, name: string): ChromeTraceEvent[] {
  return events.filter((e) => e.ph === ph && e.name === name);
}

describe("flush at exit", () => {
  test.each([
    ["normal", 0, null, ["pending"]],
    ["exit", 3, null, ["pending", "last words"]],
    ["throw", 1, null, ["pending", "last words"]],
    ["sigint", null, "SIGINT", ["pending", "last words"]],
  ])("%s: the trace is complete, open spans are closed as unfinished, the exit status is kept", (mode, status, signal, unfinished) => {
    const out = join(scratch, `exit-${mode}.json`);
    const result = run("exit.mjs", mode, out);
    expect(result.status).toBe(status);
    expect(result.signal).toBe(signal);
    expect(result.stdout).toBe("program output\n");
    expect(result.stderr).toContain(`spanfn: ${unfinished.length} spans unfinished at exit (${unfinished.join(", ")})`);

    const events = asPairs(JSON.parse(readFileSync(out, "utf8")) as ChromeTraceEvent[]);
    expect(named(events, "B", "work")).toHaveLength(3);
    expect(named(events, "B", "last words")).toHaveLength(1);
    expect(named(events, "b", "pending")).toHaveLength(1);
    expect(named(events, "e", "pending")[0].args).toEqual({ outcome: "unfinished" });
    const unfinishedEnds = events.filter((e) => e.ph === "E" && e.args?.unfinished === true);
    expect(unfinishedEnds).toHaveLength(mode === "normal" ? 0 : 1);
    const report = events.find((e) => e.name === "spanfn_report")!;
    expect(report.args).toEqual({ droppedSpans: 0, lostEvents: 0, lostEnds: 0, earlySpans: 0, sinkErrors: 0, unfinished, promiseReturningSync: [], demoted: [] });
    // Balanced: every B has its E on the same thread.
    expect(events.filter((e) => e.ph === "B")).toHaveLength(events.filter((e) => e.ph === "E").length);
  });
});

describe("first blocks", () => {
  test("are small, so a hot tiny function is demoted long before a full block's worth of calls", () => {
    const result = run("first-block.mjs");
    expect(result.status).toBe(0);
    const { calls, recorded } = JSON.parse(result.stdout) as { calls: number; recorded: number };
    expect(calls + recorded).toBe(600);
    expect(calls).toBeGreaterThanOrEqual(200);
  });
});

describe("worker threads", () => {
  test("a function demoted on a worker: its count reaches the main thread's trace, and spans + calls are exact", () => {
    const out = join(scratch, "worker-demote.json");
    const result = run("worker-demote.mjs", out);
    expect(result.status).toBe(0);
    const events = trace(out);
    const report = events.find((e) => e.ph === "M" && e.name === "spanfn_report")!;
    const demoted = (report.args as { demoted: Array<{ name: string; tid: number; calls: number; recorded: number }> }).demoted;
    expect(demoted).toHaveLength(1);
    const [site] = demoted;
    expect(site.name).toBe("tiny");
    expect(site.tid).toBeGreaterThan(0);
    expect(site.calls).toBeGreaterThan(0);
    // Spans the trace holds for it (begun on the worker's track) plus the counted calls: every call.
    const spans = events.filter((e) => e.name === "tiny" && e.ph === "B");
    expect(spans.every((e) => e.tid === site.tid)).toBe(true);
    expect(spans.length + site.calls).toBe(20000);
  });

  test("each worker records on its own track and its events reach the main thread's trace", () => {
    const out = join(scratch, "workers.json");
    const result = run("workers.mjs", out);
    expect(result.stderr).toBe("spanfn: 1 spans unfinished at exit (left open)\n");
    expect(result.status).toBe(0);
    const events = trace(out);
    const threads = events.filter((e) => e.name === "thread_name").map((e) => [e.tid, (e.args as { name: string }).name]);
    expect(threads).toHaveLength(3);
    expect(threads).toContainEqual([0, "main"]);
    const workerTids = threads.map(([tid]) => tid).filter((tid) => tid !== 0);
    const tasks = named(events, "b", "worker task");
    expect(tasks).toHaveLength(8);
    expect(new Set(tasks.map((e) => e.tid))).toEqual(new Set(workerTids));
    const counts = workerTids.map((tid) => tasks.filter((e) => e.tid === tid).length).sort();
    expect(counts).toEqual([3, 5]);
    // Span ids are unique across the process, and every task ended.
    expect(new Set(tasks.map((e) => e.id)).size).toBe(8);
    for (const task of tasks) {
      expect(events.filter((e) => e.ph === "e" && e.id === task.id && e.tid === task.tid)).toEqual([
        expect.objectContaining({ args: { outcome: "fulfilled" } }),
      ]);
    }
    for (const tid of workerTids) {
      const own = events.filter((e) => e.tid === tid && (e.ph === "B" || e.ph === "E"));
      const steps = "BE".repeat(tasks.filter((e) => e.tid === tid).length);
      const leftOpen = own[0].name === "left open";
      expect(leftOpen).toBe(tasks.filter((e) => e.tid === tid).length === 5);
      // The span the worker left open is closed, marked unfinished, when the trace is finished.
      expect(own.map((e) => e.ph).join("")).toBe(leftOpen ? `B${steps}E` : steps);
      if (leftOpen) expect(own.at(-1)!.args).toEqual({ unfinished: true });
    }
    expect(events.find((e) => e.name === "spanfn_report")!.args).toMatchObject({ unfinished: ["left open"] });
    expect(named(events, "B", "main work")).toHaveLength(1);
  });
});

describe("packaging", () => {
  test("the ESM and CommonJS builds loaded together share one stream and one current span; CommonJS entries hold plain values", () => {
    const result = run("dual.mjs");
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      accessors: [],
      esModule: true,
      frozen: true,
      sameKeys: true,
      importedNames: true,
      sameCurrent: true,
      cjsIsCjs: true,
      events: ["thread-begin:esm begins", "async-begin:cjs async", "async-end:cjs async", "thread-end:esm begins"],
    });
  });
});

describe("the ESM and CommonJS builds in one process", () => {
  test("share all state: a timer, shared buffers, the AsyncLocalStorage mode and exit hooks set through one are seen and undone through the other", () => {
    const result = run("dual-state.mjs");
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      cjsIsCjs: true,
      oneState: true,
      timerStopped: true,
      timedRecorded: true,
      sharedKept: true,
      asyncContextSeen: true,
      currentAfterSuspend: "outer",
      asyncContextOff: true,
      exitHooksRemoved: true,
    });
  });

  test("keep no state of their own: no source module holds a mutable binding or collection at its top level", () => {
    // The writer thread runs in a thread of its own, with no runtime state to share.
    const src = join(__dirname, "../src");
    const stateful = readdirSync(src, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".ts") && file !== join("node", "writer-thread.ts"))
      .filter((file) => /^(let|var) |^const \w+(: [^=]+)? = new (Map|Set|WeakMap|WeakSet|FinalizationRegistry)\b/m.test(readFileSync(join(src, file), "utf8")));
    expect(stateful).toEqual([]);
  });

  test("read layout numbers as literals: the build inlines layout.ts's enums", () => {
    const enums = /\b(Kind|Head|Slot|Row|RowFlag|Handle|Token|ReservedLevel|Gate|Word|SpanIds|StandIn|RecordSize|\w+Record)\.[a-z]/;
    const built = (build: string) => {
      const dist = join(__dirname, "../dist", build);
      return readdirSync(dist, { recursive: true })
        .map(String)
        .filter((file) => file.endsWith(".js"))
        .map((file) => ({ file, code: readFileSync(join(dist, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "") }));
    };
    const esm = built("esm");
    const cjs = built("cjs");
    expect([...esm, ...cjs].filter(({ code }) => enums.test(code)).map(({ file }) => file)).toEqual([]);
    // The hot path's record heads, as each build wrote them (the ES build is bundled: one chunk holds them).
    const head = /b\[p\] = site \* 16 \+ 1;/;
    expect(esm.filter(({ code }) => code.includes("function beginWord(")).map(({ code }) => head.test(code))).toEqual([true]);
    expect(cjs.find(({ file }) => file === "thread-spans.js")?.code).toMatch(/b\[p\] = site \* 16\s*\+ 1\s*;/);
  });
});

describe("propagation modes", () => {
  test("default: spans begun from callbacks that un-instrumented code scheduled record root", () => {
    expect(JSON.parse(run("async-context.mjs").stdout)).toEqual({ id: 1, parents: [0, 0], after: 0 });
  });

  test("AsyncLocalStorage: the same spans find their true parent, and nothing leaks after", () => {
    expect(JSON.parse(run("async-context.mjs", "als").stdout)).toEqual({ id: 1, parents: [1, 1], after: 0 });
  });
});

describe("returned chains", () => {
  test("end their spans from their own handlers; Node reports the same unhandled rejections as without spanfn", () => {
    const result = run("chains.mjs");
    expect(result.stderr).toBe("");
    const { reports, outcomes } = JSON.parse(result.stdout) as { reports: string[]; outcomes: string[] };
    const plain = reports.filter((r) => r.startsWith("plain ")).map((r) => r.slice("plain ".length));
    const instrumented = reports.filter((r) => r.startsWith("instrumented ")).map((r) => r.slice("instrumented ".length));
    expect(plain).toEqual(["passes, left alone source", "catches, left alone rethrown", "follows, left alone inner", "new Promise, left alone made"]);
    expect(instrumented).toEqual(plain);
    expect([...outcomes].sort()).toEqual(["catches rejected", "follows rejected", "follows rejected", "made rejected", "made rejected", "passes rejected", "passes rejected"]);
  });
});

describe("exact settlement in a long-running program", () => {
  test("promise spans still end after V8 dropped the state reader's bytecode (it compiles again at its next call)", () => {
    // --stress-flush-code drops unused bytecode at every collection; a real program gets there after a few.
    const result = spawnSync(process.execPath, ["--expose-gc", "--stress-flush-code", join(programs, "flushed-reader.mjs")], { encoding: "utf8", timeout: 15000 });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      rounds: [
        ["fulfilled", "rejected"],
        ["fulfilled", "rejected"],
        ["fulfilled", "rejected"],
      ],
      nativesOff: true,
    });
  });
});

describe("instrumentPromise", () => {
  test("keeps rejection reporting exact and never calls a foreign thenable", () => {
    const result = run("rejections.mjs");
    expect(JSON.parse(result.stdout)).toEqual({
      reports: ["left alone"],
      same: true,
      outcomes: ["detached", "rejected", "rejected"],
    });
  });
});

describe("a worker linked to the span that created it", () => {
  test.each([["plain"], ["async-context"]])(
    "%s: the worker's root spans have that span as parent, in memory and in the Chrome trace (parent id, flow)",
    (mode) => {
      const result = run("worker-links.mjs", ...(mode === "plain" ? [] : [mode]));
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const output = JSON.parse(result.stdout) as { answer: number; spans: [string, number, string | null][]; chrome: string };
      expect(output.answer).toBe(3);
      // In memory: each worker's task under the span that created its worker; the third worker,
      // created with no span current, has a root of its own.
      const tasks = output.spans.filter(([name]) => name === "task").sort((a, b) => a[1] - b[1]);
      expect(tasks.map(([, , parent]) => parent)).toEqual(["starts worker", "awaits worker", null]);
      expect(output.spans.filter(([name]) => name === "step").every(([, , parent]) => parent === "task")).toBe(true);

      const events = asPairs(parseChromeTrace(output.chrome));
      const [starter] = named(events, "B", "starts worker");
      const starterEnd = events.find((e) => e.ph === "E" && e.tid === 0 && e.name === "starts worker")!;
      const [awaiter] = named(events, "b", "awaits worker");
      const taskBegins = named(events, "B", "task").sort((a, b) => a.tid - b.tid);
      expect(taskBegins).toHaveLength(3);
      const [first, second, third] = taskBegins;
      // An async span created the second worker: its root span names it as parent, as spans in it do.
      expect(second.args!.parent).toBe(Number(awaiter.id));
      expect(first.args!.parent).toBeUndefined();
      expect(third.args!.parent).toBeUndefined();
      // A flow from where each worker was created to its first root span; none for the third.
      const starts = events.filter((e) => e.ph === "s");
      const ends = events.filter((e) => e.ph === "f");
      expect(starts.map((e) => e.id)).toEqual([String(first.tid), String(second.tid)]);
      expect(ends.map((e) => [e.id, e.tid, e.ts, e.bp])).toEqual([
        [String(first.tid), first.tid, first.ts, "e"],
        [String(second.tid), second.tid, second.ts, "e"],
      ]);
      // The first flow starts inside the thread span that created the worker, on its thread.
      expect(starts[0].tid).toBe(0);
      expect(starts[0].ts!).toBeGreaterThanOrEqual(starter.ts!);
      expect(starts[0].ts!).toBeLessThanOrEqual(starterEnd.ts!);
      expect(starts[1].ts!).toBeGreaterThanOrEqual(awaiter.ts!);
    },
  );
});

describe("functions without async that returned promises", () => {
  test("named once at exit: a built function with its place and the advice to annotate it; a method decorated without the plugin with the advice that helps", () => {
    const out = join(scratch, "decorated.json");
    const result = run("decorated.mjs", out);
    expect(result.stdout).toBe("a b\n");
    expect(result.status).toBe(0);
    const named = result.stderr.split("\n").filter((line) => line.includes("returned promises"));
    expect(named).toEqual([
      "spanfn: 1 functions without async returned promises (programs/decorated::fetch (programs/decorated.mjs:20)); their spans began at the return: annotate the return type as Promise<…> to time them from the call",
      "spanfn: 1 methods decorated with @spanFn returned promises without async (Repo.load); their spans began at the return: the decorator ran without the Babel plugin, which times them from the call (add @spanfn/babel-plugin to the build, or @spanfn/unplugin to a bundler), or make them async",
    ]);
    expect(result.stderr).not.toContain(":0)");
    const report = trace(out).find((e) => e.name === "spanfn_report");
    expect((report?.args as { promiseReturningSync: string[] }).promiseReturningSync).toEqual(["Repo.load", "programs/decorated::fetch (programs/decorated.mjs:20)"]);
  });
});

describe("a build without the plugin", () => {
  test("comment markers nobody read: one line at exit says no function was instrumented and what reads them", () => {
    const out = join(scratch, "unbuilt-markers.json");
    const result = run("unbuilt.mjs", "markers", out);
    expect(result.stdout).toBe("6\n");
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      "spanfn: no function was instrumented, so the trace holds no spans: /** @spanFn */ markers are read at build time by @spanfn/babel-plugin (or @spanfn/unplugin in a bundler; spanfn run applies it)\n",
    );
    expect(trace(out).filter((e) => e.ph === "B" || e.ph === "b" || e.ph === "X")).toEqual([]);
  });

  test("no line where the instrumented functions ran in a worker", () => {
    const out = join(scratch, "unbuilt-worker.json");
    const result = run("unbuilt.mjs", "worker", out);
    expect(result.stdout).toBe("6\n");
    expect(result.stderr).toBe("");
    expect(named(trace(out), "b", "worker task")).toHaveLength(2);
  });
});

describe("builtins loaded at first use", () => {
  test("the module itself, loaded once, with and without process.getBuiltinModule", () => {
    const zlib = lazyBuiltin<typeof import("node:zlib")>("node:zlib");
    expect(zlib()).toBe(require("node:zlib"));
    expect(zlib()).toBe(zlib());
    const process_ = process as { getBuiltinModule?: unknown };
    const getBuiltinModule = process_.getBuiltinModule;
    delete process_.getBuiltinModule;
    try {
      expect(lazyBuiltin("node:zlib")()).toBe(require("node:zlib"));
    } finally {
      if (getBuiltinModule !== undefined) process_.getBuiltinModule = getBuiltinModule;
    }
  });
});
