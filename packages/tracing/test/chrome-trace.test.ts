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
      "B:inner",
      "E:inner",
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

    const fetchBegin = spans[4];
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
    expect(spans[5]).toMatchObject({ ph: "b", id: String(childId), args: { parent: fetchId, depth: 2 } });
    expect(spans[6]).toEqual({
      ph: "e",
      pid: 0,
      tid: 0,
      ts: spans[6].ts,
      cat: "spanfn",
      id: String(childId),
      name: "child",
      args: { outcome: "rejected" },
    });
    expect(spans[7]).toMatchObject({ ph: "e", id: String(fetchId), args: { outcome: "fulfilled" } });
    // Timers may fire up to a millisecond early on the monotonic clock.
    expect(spans[7].ts! - fetchBegin.ts!).toBeGreaterThanOrEqual(3500);
    // An E repeats its B's name, category and args (speedscope pairs them by both).
    expect(spans[2]).toEqual({ ...spans[1], ph: "E", ts: spans[2].ts });
    expect(spans[9]).toMatchObject({ ph: "E", tid: 0, args: { unfinished: true } });

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
