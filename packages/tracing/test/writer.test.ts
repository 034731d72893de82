/**
 * The writer thread (node/writer.ts): trace files written off the program's thread, complete on
 * every way out of the program, and every loss counted when the writer cannot keep up or write.
 * Runs real programs against the built package.
 */
import { describe, expect, test } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatOf } from "../src/node/writer.js";
import { parseChromeTrace, type ChromeTraceEvent } from "../src/index.js";
import { asPairs } from "./chrome-pairs.js";

const program = join(__dirname, "programs", "writer.mjs");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-writer-"));
const SPANS = 30000;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [program, ...args], { encoding: "utf8", timeout: 20000 });
  if (result.error) throw result.error;
  return result;
}

/** The file's events, each X as its B and E. */
function events(file: string): ChromeTraceEvent[] {
  return asPairs(JSON.parse(readFileSync(file, "utf8")) as ChromeTraceEvent[]);
}

/** The events with what differs between two runs (times, pid) left out. */
function comparable(trace: ChromeTraceEvent[]): unknown[] {
  return trace.map(({ ts: _ts, pid: _pid, args, ...rest }) => {
    if (rest.name === "process_name") return rest;
    if (rest.name === "spanfn_clock") return rest;
    return { ...rest, args };
  });
}

/**
 * The line that says the writer failed and how much it lost: every event of the run (two per
 * span, plus the async span's begin and end), whether the failure showed while the program ran
 * (a sink error, counted by the runtime) or only at exit (counted by the writer).
 */
function lossLine(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.startsWith("spanfn:"));
  const counted = lines.map((line) => Number(/(\d+) events not written|lost (\d+) events/.exec(line)?.slice(1).find(Boolean) ?? 0));
  expect(counted.reduce((a, b) => a + b, 0)).toBe(4 * SPANS + 2);
  return lines.join("\n");
}

describe("writer thread", () => {
  test("writes the same trace as the inline writer", () => {
    const threaded = join(scratch, "threaded.json");
    const inline = join(scratch, "inline.json");
    expect(run("normal", threaded, "thread").status).toBe(0);
    expect(run("normal", inline, "inline").status).toBe(0);
    const written = events(threaded);
    expect(written.filter((e) => e.ph === "B" && e.name === "outer")).toHaveLength(SPANS);
    expect(written.filter((e) => e.ph === "E")).toHaveLength(2 * SPANS);
    expect(comparable(written)).toEqual(comparable(events(inline)));
  });

  test.each([
    ["exit", 4, null],
    ["throw", 1, null],
    ["sigterm", null, "SIGTERM"],
  ])("%s: the writer finishes the file before the process ends, and the exit status is the program's", (mode, status, signal) => {
    const out = join(scratch, `${mode}.json`);
    const result = run(mode, out);
    expect(result.status).toBe(status);
    expect(result.signal).toBe(signal);
    expect(result.stdout).toBe("recorded\n");
    const written = events(out);
    expect(written.filter((e) => e.ph === "B" && e.name === "inner")).toHaveLength(SPANS);
    const report = written.find((e) => e.name === "spanfn_report");
    expect(report?.args).toMatchObject({ droppedSpans: 0, lostEvents: 0, unfinished: ["async"] });
  });

  test("no buffer is ever detached on the program's thread (V8 would deoptimise its typed-array code), and every block is written", () => {
    const out = join(scratch, "buffers.json");
    const result = spawnSync(process.execPath, [join(__dirname, "programs", "writer-buffers.mjs"), out], { encoding: "utf8", timeout: 20000 });
    expect(result.stderr).toBe("");
    const { handed, detached } = JSON.parse(result.stdout) as { handed: number; detached: number };
    // The thread's first blocks (small, in buffers of their own) and those after it started.
    expect(handed).toBeGreaterThan(10);
    expect(detached).toBe(0);
    const written = events(out);
    expect(written.filter((e) => e.ph === "B" && e.name === "outer")).toHaveLength(100000);
    expect(written.filter((e) => e.ph === "E" && e.name === "inner")).toHaveLength(100000);
  });

  test("a writer that falls behind: the cap holds, and at exit what it did not write in time is counted in one line", () => {
    const out = join(scratch, "late.json");
    const result = run("late", out, "thread", String(1 << 20));
    expect(result.status).toBe(0);
    // Recording outran the writer: past the cap, spans were dropped and counted.
    const dropped = Number(/spanfn: (\d+) spans dropped/.exec(result.stderr)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    const unwritten = Number(/the trace writer did not finish .*late\.json within 1 ms: (\d+) events not written/.exec(result.stderr)?.[1]);
    expect(unwritten).toBeGreaterThan(0);
    // What the file holds, what was not written and what was dropped cover every span.
    // (The writer may not even have opened the file when the program left.)
    const text = existsSync(out) ? readFileSync(out, "utf8") : "[]";
    const written = asPairs(parseChromeTrace(text)).filter((e) => e.ph === "B" || e.ph === "E").length;
    expect(written / 2 + unwritten / 2 + dropped).toBeGreaterThanOrEqual(2 * SPANS);
  });

  test("a FIFO nobody reads: the writer fails at once instead of hanging the exit, and the loss is counted", () => {
    const fifo = join(scratch, "nobody.fifo");
    execFileSync("mkfifo", [fifo]);
    const result = run("normal", fifo);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("recorded\n");
    expect(lossLine(result.stderr)).toMatch(/could not write .*nobody\.fifo/);
  });

  test("a file that cannot be opened: the program runs on and exits as it would, and the loss is counted", () => {
    const out = join(scratch, "not-a-dir.json", "x", "trace.json");
    execFileSync("touch", [join(scratch, "not-a-dir.json")]);
    const result = run("normal", out);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("recorded\n");
    expect(lossLine(result.stderr)).toMatch(/could not write .*trace\.json/);
  });

  (process.platform === "linux" ? test : test.skip)("runs at a lower priority than the program, which gets the core when both want it", () => {
    const result = spawnSync(process.execPath, [join(__dirname, "programs", "writer-priority.mjs"), join(scratch, "priority.json")], { encoding: "utf8", timeout: 20000 });
    expect(result.status).toBe(0);
    const { main, nices } = JSON.parse(result.stdout) as { main: number; nices: number[] };
    expect(nices).toContain(main + 10);
  });

  const short = (out: string, ...args: string[]) => spawnSync(process.execPath, [join(__dirname, "programs", "writer-short.mjs"), out, ...args], { encoding: "utf8", timeout: 20000 });
  const spansIn = (out: string) => ["B", "E"].map((ph) => events(out).filter((e) => e.ph === ph && e.name?.endsWith("f")).length);

  (process.platform === "linux" ? test : test.skip)("a short program's trace is written at exit on its own thread: the writer thread never starts", () => {
    const out = join(scratch, "short.json");
    const result = short(out);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ writer: false });
    expect(spansIn(out)).toEqual([3, 3]);
  });

  (process.platform === "linux" ? test : test.skip)("a program of many blocks that ends within two seconds: its trace is written at exit, with no thread", () => {
    const out = join(scratch, "blocks.json");
    const result = short(out, "0", "30000");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ writer: false });
    expect(events(out).filter((e) => e.ph === "B" && e.name === "f")).toHaveLength(30000);
  });

  (process.platform === "linux" ? test : test.skip)("a program that runs on starts the writer thread two seconds after its first block", () => {
    const out = join(scratch, "short-then-wait.json");
    const result = short(out, "2500");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ writer: true });
    expect(spansIn(out)).toEqual([3, 3]);
  });

  test("the format follows the file's extension", () => {
    expect(formatOf("t.json")).toBe("json");
    expect(formatOf("t.pftrace")).toBe("perfetto");
    expect(formatOf("T.PERFETTO-TRACE")).toBe("perfetto");
    expect(formatOf("trace")).toBe("json");
  });
});

describe("writer thread outputs", () => {
  const outputsProgram = join(__dirname, "programs", "outputs.mjs");
  const EVENTS = 4 * SPANS + 2;

  function runOutputs(out: string, outputs: string, ...more: string[]) {
    const result = spawnSync(process.execPath, [outputsProgram, out, outputs, ...more], { encoding: "utf8", timeout: 20000 });
    if (result.error) throw result.error;
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    return {
      ...result,
      ended: lines.find((line) => "ended" in line)?.ended as number,
      flushed: lines.find((line) => "flushed" in line)?.flushed as { done: boolean; outputs: { result: any }[] } | undefined,
      results: lines.pop() as { module: string; result: any; error?: string; lostEvents: number }[],
    };
  }

  test("an output sees every block in order, those posted while it loaded included; the exit waits for its finish; its result comes back", () => {
    const out = join(scratch, "with-output.json");
    const { status, stderr, results } = runOutputs(out, "counting");
    expect(status).toBe(0);
    expect(stderr).toBe("");
    const [counting] = results;
    expect(counting.error).toBeUndefined();
    expect(counting.result).toMatchObject({ events: EVENTS, begins: { outer: SPANS, inner: SPANS }, inOrder: true, finished: true });
    // What the program's thread attached came with each block.
    expect(counting.result.attached).toBe(counting.result.blocks);
    expect(events(out).filter((e) => e.ph === "B" && e.name === "inner")).toHaveLength(SPANS);
  });

  test("a program shorter than two seconds: its blocks wait, and its outputs get every one at exit", () => {
    const { status, stderr, ended, results } = runOutputs("-", "counting", "linger");
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(results[0].result.firstBlockAt).toBeGreaterThanOrEqual(ended);
    expect(results[0].result).toMatchObject({ events: EVENTS, inOrder: true, finished: true });
  });

  test("flushing the outputs hands them the blocks that waited: they have sent what was recorded when the flush resolves", () => {
    const { status, stderr, ended, flushed, results } = runOutputs("-", "counting", "pause");
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(flushed!.done).toBe(true);
    expect(flushed!.outputs[0].result).toMatchObject({ events: 2 * SPANS });
    expect(results[0].result.firstBlockAt).toBeLessThan(ended);
    expect(results[0].result).toMatchObject({ events: EVENTS, inOrder: true, finished: true });
  });

  test("outputs only: no trace file", () => {
    const { status, stderr, results } = runOutputs("-", "counting");
    expect(status).toBe(0);
    expect(stderr).toBe("");
    expect(results[0].result).toMatchObject({ events: EVENTS, inOrder: true, finished: true });
  });

  test("an output that throws is cut off: the trace file and the other outputs are whole, and one line counts what it missed", () => {
    const out = join(scratch, "failing-output.json");
    const { status, stderr, results } = runOutputs(out, "failing,counting");
    expect(status).toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spanfn: writer output .*failing\.mjs failed: the output broke; \d+ events not given to it$/);
    const [failing, counting] = results;
    expect(failing.error).toBe("the output broke");
    expect(failing.result.events + failing.lostEvents).toBe(EVENTS);
    expect(Number(/(\d+) events not given/.exec(lines[0])![1])).toBe(failing.lostEvents);
    expect(counting.result).toMatchObject({ events: EVENTS, finished: true });
    expect(events(out).filter((e) => e.ph === "B" && e.name === "inner")).toHaveLength(SPANS);
  });

  test("an output that cannot be loaded: named in one line with every event counted; the trace file is whole", () => {
    const out = join(scratch, "missing-output.json");
    const { status, stderr, results } = runOutputs(out, "missing");
    expect(status).toBe(0);
    expect(stderr.trim()).toMatch(new RegExp(`^spanfn: writer output .*missing\\.mjs failed: .*; ${EVENTS} events not given to it$`));
    expect(results[0].lostEvents).toBe(EVENTS);
    expect(events(out).filter((e) => e.ph === "B" && e.name === "inner")).toHaveLength(SPANS);
  });

  test("a trace file that cannot be opened does not stop the outputs: they get every block, and the file's loss is one line", () => {
    execFileSync("touch", [join(scratch, "blocked")]);
    const out = join(scratch, "blocked", "trace.json");
    // Half the spans come after a flush and a pause, when the program's thread has heard of the failure.
    const { status, stderr, results } = runOutputs(out, "counting", "pause");
    expect(status).toBe(0);
    expect(stderr.trim()).toMatch(new RegExp(`^spanfn: could not write .*trace\\.json: .*; ${EVENTS} events not written$`));
    expect(results[0].result).toMatchObject({ events: EVENTS, inOrder: true, finished: true });
  });
});
