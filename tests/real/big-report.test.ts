/**
 * `spanfn report` on a Chrome trace over 2 GB (more than a JavaScript string can hold), in a
 * process whose heap is capped at 256 MB: every count and total exact. The trace is one block
 * repeated, so the expected summary is the block's, summarised in memory, times the repeats.
 */
import { afterAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChromeTraceEvent, SpanStats, Summary } from "../../packages/tracing/src/index.js";
import { spanEvents, summarize } from "../../packages/cli/src/summary.js";
import { blockEvents, HEAD, TAIL, writeBigTrace } from "./big-trace.js";

const BIN = join(__dirname, "../../packages/cli/bin/spanfn.js");
const dir = mkdtempSync(join(tmpdir(), "spanfn-big-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a trace, summarises it with `spanfn report --json` in a 256 MB heap, and checks the summary against the block's. */
function reportAndCheck(name: string, bytes: number, lineBreaks: boolean): number {
  const file = join(dir, name);
  const block = blockEvents(2000);
  const started = performance.now();
  const repeats = writeBigTrace(file, block, bytes, lineBreaks);
  const written = performance.now();
  const size = statSync(file).size;

  const result = spawnSync(process.execPath, ["--max-old-space-size=256", BIN, "report", "--json", "--top", "100", file], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  const read = performance.now();
  rmSync(file);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const seconds = (read - written) / 1000;
  console.log(
    `${name}: ${(size / 1e9).toFixed(2)} GB written in ${((written - started) / 1000).toFixed(1)} s, ` +
      `summarised in ${seconds.toFixed(1)} s: ${(size / 1e6 / seconds).toFixed(0)} MB/s`,
  );

  const expected = summarize([...HEAD, ...block, ...TAIL]);
  const actual = JSON.parse(result.stdout) as Summary;
  const count = (events: readonly ChromeTraceEvent[]) => events.reduce((sum, event) => sum + spanEvents(event), 0);
  expect(actual.events).toBe(count(HEAD) + repeats * count(block) + count(TAIL));
  expect(actual).toMatchObject({ unfinished: 0, droppedSpans: 3, lostEvents: 2, demoted: [{ name: "lib::tiny", calls: 5 }] });
  const key = (s: SpanStats) => `${s.kind} ${s.name}`;
  expect(actual.spans.map(key).sort()).toEqual(expected.spans.map(key).sort());
  for (const want of expected.spans) {
    const got = actual.spans.find((s) => key(s) === key(want))!;
    const recorded = want.count - want.demotedCalls;
    expect({ name: key(got), count: got.count, demotedCalls: got.demotedCalls, total: got.total, self: got.self, max: got.max }).toEqual({
      name: key(want),
      count: recorded * repeats + want.demotedCalls,
      demotedCalls: want.demotedCalls,
      total: want.total * repeats,
      self: want.self * repeats,
      max: want.max,
    });
    expect(got.mean).toBeCloseTo(want.mean, 9);
    // The same durations, repeated: the same quantiles, up to the histogram's 1%.
    for (const q of ["p50", "p99"] as const) expect(Math.abs(got[q] - want[q])).toBeLessThanOrEqual(0.01 * want[q]);
  }
  return size;
}

test("a trace over 2 GB: exact counts and totals in a 256 MB heap", () => {
  expect(reportAndCheck("big.json", 2.1 * 2 ** 30, true)).toBeGreaterThan(2 ** 31);
});

test("a 300 MB trace on one line (no line breaks): the same, in a 256 MB heap", () => {
  expect(reportAndCheck("one-line.json", 300e6, false)).toBeGreaterThan(300e6);
});

test("--html on a trace too large for the page: one clear line and status 2, no page, no crash", () => {
  const file = join(dir, "html.json");
  const html = join(dir, "report.html");
  const block = blockEvents(2000);
  const repeats = writeBigTrace(file, block, 30 * 14e6);
  expect(HEAD.length + repeats * block.length).toBeGreaterThan(4_000_000);
  const result = spawnSync(process.execPath, [BIN, "report", "--html", html, file], { encoding: "utf8" });
  rmSync(file);
  expect(result.stderr).toBe(
    `spanfn: ${file} has over 4,000,000 events: too many for the HTML report, which holds them all; spanfn report without --html summarises a trace of any size\n`,
  );
  expect(result.status).toBe(2);
  expect(() => statSync(html)).toThrow();
});
