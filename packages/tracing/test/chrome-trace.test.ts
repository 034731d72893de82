import { describe, expect, test } from "@jest/globals";
import {
  begin,
  beginAsync,
  ChromeTraceSink,
  ChromeTraceWriter,
  end,
  endAsync,
  fail,
  parseChromeTrace,
  resume,
  setSink,
  shutdown,
  suspend,
  type ChromeTraceEvent,
} from "../src/index.js";
import { asPairs } from "./chrome-pairs.js";
import { idOf, sites } from "./helpers.js";

const s = sites(["outer", "inner", "fetch", "child", "left \"open\""]);

async function scenario(): Promise<{ fetchId: number; childId: number }> {
  const t = begin(s.outer);
  end(begin(s.inner));
  end(t);
  const fetch = beginAsync(s.fetch);
  const fetchId = idOf(fetch);
  const child = beginAsync(s.child);
  const childId = idOf(child);
  fail(child);
  endAsync(child);
  resume(fetch, await suspend(fetch, new Promise((r) => setTimeout(r, 5))));
  endAsync(fetch);
  return { fetchId, childId };
}

describe("Chrome trace output", () => {
  test("is valid JSON whose events say what happened, field by field", async () => {
    const sink = new ChromeTraceSink({ processName: "unit" });
    setSink(sink);
    const { fetchId, childId } = await scenario();
    const open = begin(s['left "open"']);
    shutdown();
    end(open);
    expect(sink.finished).toBe(true);

    const text = sink.text();
    const events = JSON.parse(text) as ChromeTraceEvent[];
    expect(Array.isArray(events)).toBe(true);
    expect(parseChromeTrace(text)).toEqual(events);

    const meta = events.filter((e) => e.ph === "M");
    expect(meta).toContainEqual({ ph: "M", pid: 0, tid: 0, name: "process_name", args: { name: "unit" } });
    const clock = meta.find((e) => e.name === "spanfn_clock")!;
    expect(clock.args).toEqual({ timeOrigin: performance.timeOrigin, unit: "us" });
    expect(meta).toContainEqual({ ph: "M", pid: 0, tid: 0, name: "thread_name", args: { name: "main" } });

    const spans = events.filter((e) => e.ph !== "M");
    expect(spans.map((e) => `${e.ph}:${e.name ?? ""}`)).toEqual([
      "B:outer",
      "X:inner",
      "E:outer",
      "b:fetch",
      "b:child",
      "e:child",
      "e:fetch",
      'B:left "open"',
      'E:left "open"',
    ]);
    const [outerB] = spans;
    expect(outerB).toEqual({
      ph: "B",
      pid: 0,
      tid: 0,
      ts: outerB.ts,
      name: "outer",
      cat: "spanfn",
      args: { target: "test/target", file: "test/file.ts", line: 1 },
    });
    // ts is microseconds on the process clock: close to now, and non-decreasing.
    const nowUs = performance.now() * 1000;
    for (let i = 1; i < spans.length; i++) expect(spans[i].ts!).toBeGreaterThanOrEqual(spans[i - 1].ts!);
    expect(spans[0].ts!).toBeGreaterThan(0);
    expect(spans[0].ts!).toBeLessThanOrEqual(nowUs);

    // A span with nothing inside it is one X, inside its parent: its begin and end are within the parent's.
    const [, innerX, outerE] = spans;
    expect(innerX).toEqual({
      ph: "X",
      pid: 0,
      tid: 0,
      ts: innerX.ts,
      dur: innerX.dur,
      name: "inner",
      cat: "spanfn",
      args: { target: "test/target", file: "test/file.ts", line: 2 },
    });
    expect(innerX.dur!).toBeGreaterThanOrEqual(0);
    expect(innerX.ts! + innerX.dur!).toBeLessThanOrEqual(outerE.ts!);

    const fetchBegin = spans[3];
    expect(fetchBegin).toEqual({
      ph: "b",
      pid: 0,
      tid: 0,
      ts: fetchBegin.ts,
      id: String(fetchId),
      name: "fetch",
      cat: "spanfn",
      args: { target: "test/target", file: "test/file.ts", line: 3, parent: 0, depth: 1 },
    });
    expect(spans[4]).toMatchObject({ ph: "b", id: String(childId), args: { parent: fetchId, depth: 2 } });
    expect(spans[5]).toEqual({
      ph: "e",
      pid: 0,
      tid: 0,
      ts: spans[5].ts,
      cat: "spanfn",
      id: String(childId),
      name: "child",
      args: { outcome: "rejected" },
    });
    expect(spans[6]).toMatchObject({ ph: "e", id: String(fetchId), args: { outcome: "fulfilled" } });
    // Timers may fire up to a millisecond early on the monotonic clock.
    expect(spans[6].ts! - fetchBegin.ts!).toBeGreaterThanOrEqual(3500);
    // An E repeats its B's name, category and args (speedscope pairs them by both).
    expect(outerE).toEqual({ ...outerB, ph: "E", ts: outerE.ts });
    expect(spans[8]).toMatchObject({ ph: "E", tid: 0, args: { unfinished: true } });

    const reportEvent = meta.find((e) => e.name === "spanfn_report")!;
    expect(reportEvent.args).toEqual({ droppedSpans: 0, lostEvents: 0, lostEnds: 0, earlySpans: 0, sinkErrors: 0, unfinished: ['left "open"'], promiseReturningSync: [], demoted: [] });
  });

  test("a trace cut short (no closing bracket) still parses", () => {
    const text = '[\n{"ph":"B","pid":1,"tid":0,"ts":1,"name":"a"},\n{"ph":"E","pid":1,"tid":0,"ts":2}';
    expect(parseChromeTrace(text)).toHaveLength(2);
    expect(parseChromeTrace(`{"traceEvents":${text}]}`)).toHaveLength(2);
    expect(() => parseChromeTrace('{"nope":1}')).toThrow(/not a Chrome trace/);
  });
});

describe("Chrome trace times", () => {
  test("are microseconds rounded to the nanosecond, written exactly as that number prints", () => {
    // Ticks (ms on the thread's clock) whose microseconds have 0 to 3 decimals, trailing zeros,
    // and values a double cannot hold exactly.
    const ticks = [0, 0.000001, 0.0000004, 0.001, 0.0105, 0.12, 1.23456, 12.5, 99.9999996, 1234567.891234, 5e-7];
    const data = new Float64Array(ticks.length * 2);
    ticks.forEach((tick, i) => {
      data[2 * i] = 1; // a thread begin of site 0
      data[2 * i + 1] = tick;
    });
    const chunks: string[] = [];
    const writer = new ChromeTraceWriter((chunk) => chunks.push(chunk));
    const clock = { timeOrigin: 1_700_000_000_000.25, tickUnitNs: 1e6 };
    writer.start({ pid: 1, clock });
    const thread = { id: 0, name: "main" };
    const metadata = [{ name: "f", target: "t", file: "f.ts", line: 1, level: 2 }];
    writer.block({ thread, clock: { ...clock, timeOrigin: clock.timeOrigin + 0.5 }, metadata, data, length: data.length, sequence: 0 });
    const text = chunks.join("");
    const written = [...text.matchAll(/"ph":"B".*?"ts":([^,]+),/g)].map((m) => m[1]);
    expect(written).toEqual(ticks.map((tick) => String(Math.round((500 + tick * 1000) * 1000) / 1000)));
  });
});

/** Record heads as layout.ts lays them out: `site * 16 + kind`. */
const COMPLETE = 0;
const BEGIN = 1;
const END = 2;
const CLOCK = { timeOrigin: 1_700_000_000_000.25, tickUnitNs: 1e6 };
const SITES = [
  { name: "outer", target: "t", file: "f.ts", line: 1, level: 2 },
  { name: "leaf", target: "t", file: "f.ts", line: 2, level: 2 },
];

/** The text the writer makes of one block of `records`, on a clock half a millisecond after the trace's origin. */
function writeBlock(records: number[]): string {
  const chunks: string[] = [];
  const writer = new ChromeTraceWriter((chunk) => chunks.push(chunk));
  writer.start({ pid: 1, clock: CLOCK });
  const data = Float64Array.from(records);
  writer.block({ thread: { id: 0, name: "main" }, clock: { ...CLOCK, timeOrigin: CLOCK.timeOrigin + 0.5 }, metadata: SITES, data, length: data.length, sequence: 0 });
  return chunks.join("");
}

function spanEvents(text: string): ChromeTraceEvent[] {
  return parseChromeTrace(text).filter((e) => e.ph !== "M");
}

/** A time as the trace prints it, in whole nanoseconds, read from its digits (no float arithmetic). */
function printedNanos(text: string): number {
  const [whole, fraction = ""] = text.split(".");
  expect(fraction.length).toBeLessThanOrEqual(3);
  return Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
}

describe("Chrome trace X events (thread spans with nothing inside them)", () => {
  // Begin and end ticks (ms on the thread's clock) whose microseconds have 0 to 3 decimals, round
  // either way, or cannot be held exactly; one span lasts no time at all.
  const spans = [
    [0, 0.000001],
    [0.0000004, 0.0105],
    [0.12, 1.23456],
    [12.5, 99.9999996],
    [1234567.891234, 1234567.8912345],
    [5e-7, 5e-7],
    [99.9999994, 100.0000006],
  ];

  test("a leaf is one X at its begin's time, and ts + dur is the time its E would have printed, to the nanosecond", () => {
    const complete = writeBlock(spans.flatMap(([b, e]) => [16 + COMPLETE, b, e]));
    const pairs = writeBlock(spans.flatMap(([b, e]) => [16 + BEGIN, b, 16 + END, e]));
    const xs = [...complete.matchAll(/"ph":"X","pid":1,"tid":0,"ts":([^,]+),"dur":([^,]+),"name":"leaf"/g)];
    const begins = [...pairs.matchAll(/"ph":"B".*?"ts":([^,]+),/g)].map((m) => m[1]);
    const ends = [...pairs.matchAll(/"ph":"E".*?"ts":([^,]+),/g)].map((m) => m[1]);
    expect(xs).toHaveLength(spans.length);
    expect(complete).not.toMatch(/"ph":"[BE]"/);
    expect(xs.map((m) => m[1])).toEqual(begins);
    expect(xs.map((m) => printedNanos(m[1]) + printedNanos(m[2]))).toEqual(ends.map(printedNanos));
    // And the times are those the writer prints for any event: microseconds rounded to the nanosecond.
    expect(ends).toEqual(spans.map(([, e]) => String(Math.round((500 + e * 1000) * 1000) / 1000)));
    expect(xs.map((m) => m[2])).toEqual(spans.map(([b, e]) => String((Math.round((500 + e * 1000) * 1000) - Math.round((500 + b * 1000) * 1000)) / 1000)));
  });

  test("a span with children is B/E; a leaf's X sits between its parent's B and E, in time order with its neighbours", () => {
    // (Ticks in ms, written 0.5 ms later in µs.) outer [1, 20] holds leaf [2, 3], outer [4, 10] (holding leaf [5, 6] and leaf [7, 7]), and leaf [11, 19].
    const complete = [16 + COMPLETE, 2, 3, BEGIN, 4, 16 + COMPLETE, 5, 6, 16 + COMPLETE, 7, 7, END, 10, 16 + COMPLETE, 11, 19];
    const events = spanEvents(writeBlock([BEGIN, 1, ...complete, END, 20]));
    expect(events.map((e) => `${e.ph}:${e.name}`)).toEqual(["B:outer", "X:leaf", "B:outer", "X:leaf", "X:leaf", "E:outer", "X:leaf", "E:outer"]);
    const times = events.map((e) => [e.ts, e.dur]);
    expect(times).toEqual([[1500, undefined], [2500, 1000], [4500, undefined], [5500, 1000], [7500, 0], [10500, undefined], [11500, 8000], [20500, undefined]]);
    // Each X starts no earlier than the event before it and ends no later than the event after it.
    events.forEach((e, i) => {
      if (e.ph !== "X") return;
      expect(e.ts!).toBeGreaterThanOrEqual(events[i - 1].ts!);
      expect(e.ts! + e.dur!).toBeLessThanOrEqual(events[i + 1].ts!);
    });
    // Read as pairs, the same trace the writer makes of the same spans as begin and end records.
    const asBeginsAndEnds = [16 + BEGIN, 2, 16 + END, 3, BEGIN, 4, 16 + BEGIN, 5, 16 + END, 6, 16 + BEGIN, 7, 16 + END, 7, END, 10, 16 + BEGIN, 11, 16 + END, 19];
    expect(asPairs(events)).toEqual(spanEvents(writeBlock([BEGIN, 1, ...asBeginsAndEnds, END, 20])));
  });
});
