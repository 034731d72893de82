/**
 * The summary `spanfn run` prints at exit comes from the blocks as the writer thread sees them
 * (BlockSummary); `spanfn report` reads the trace file. Both must say the same: the same rows,
 * counts, times and losses, from one recording written both ways.
 */
import { describe, expect, test } from "@jest/globals";
import {
  begin,
  beginAsync,
  ChromeTraceSink,
  end,
  endAsync,
  fail,
  resume,
  setSink,
  shutdown,
  suspend,
  TeeSink,
  type EventBlock,
  type ProcessInfo,
  type RuntimeReport,
  type Sink,
  registerSpans,
  type Summary,
} from "../../tracing/src/index.js";
import { BlockSummary } from "../../tracing/src/read/block-summary.js";
import { summarize } from "../src/summary.js";

/** What the writer thread does with the blocks: summarise them as they pass. */
class SummarySink implements Sink {
  private summary: BlockSummary | null = null;
  result: Summary | null = null;
  init(process: ProcessInfo): void {
    this.summary = new BlockSummary(process);
  }
  block(block: EventBlock): void {
    this.summary!.block(block);
  }
  shutdown(report: RuntimeReport): void {
    this.result = this.summary!.finish(report);
  }
}

const first = registerSpans("test/summary", "test/summary.ts", [
  ["outer", 1],
  ["inner", 2],
  ["leaf", 3],
  ["job", 4],
  ["part", 5],
  ["left open", 6],
  ["pending", 7],
]);
// A second function of one name (another file's `leaf`): one row with the first.
const otherLeaf = registerSpans("test/other", "test/other.ts", [["leaf", 9]]);
const s = { outer: first, inner: first + 1, leaf: first + 2, job: first + 3, part: first + 4, open: first + 5, pending: first + 6 };

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

async function record(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const outer = begin(s.outer);
    const inner = begin(s.inner);
    end(begin(s.leaf));
    spin(0.2);
    end(inner);
    end(begin(otherLeaf));
    end(outer);
  }
  // Past the quantiles' exact limit: bucketed p50 and p99.
  for (let i = 0; i < 1500; i++) end(begin(s.leaf));
  // A job with concurrent parts that overlap, one failing: its self time counts their union once.
  const job = beginAsync(s.job);
  const parts = [beginAsync(s.part), beginAsync(s.part)];
  resume(job, await suspend(job, new Promise((r) => setTimeout(r, 3))));
  fail(parts[0]);
  endAsync(parts[0]);
  resume(job, await suspend(job, new Promise((r) => setTimeout(r, 2))));
  endAsync(parts[1]);
  endAsync(job);
  beginAsync(s.pending);
}

describe("the summary from blocks", () => {
  test("says what spanfn report says of the trace file written from the same blocks", async () => {
    const chrome = new ChromeTraceSink({ processName: "summary" });
    const blocks = new SummarySink();
    setSink(new TeeSink([chrome, blocks]));
    await record();
    begin(s.open);
    shutdown();

    const fromBlocks = blocks.result!;
    const fromFile = summarize(chrome.events());
    const { spans, ...counts } = fromBlocks;
    const { spans: fileSpans, ...fileCounts } = fromFile;
    expect(counts).toEqual(fileCounts);
    expect(counts.unfinished).toBe(2);
    expect(spans.map((row) => [row.kind, row.name, row.count])).toEqual(fileSpans.map((row) => [row.kind, row.name, row.count]));
    // Rows in the order their first span ended; spans still open at exit make none.
    expect(spans.map((row) => [row.kind, row.name, row.count])).toEqual([
      ["thread", "leaf", 1506],
      ["thread", "inner", 3],
      ["thread", "outer", 3],
      ["async", "part", 2],
      ["async", "job", 1],
    ]);
    // The file holds times rounded to the nanosecond (0.001 µs): a span's begin, end and children
    // are each off by up to half of one, so a row is off by a few of them a span at most.
    spans.forEach((row, i) => {
      for (const key of ["total", "self", "mean", "p50", "p99", "max"] as const) {
        expect(Math.abs(row[key] - fileSpans[i][key])).toBeLessThanOrEqual(0.004 * row.count);
      }
    });
    // Children's time is taken out of self time: inner's leaf, and outer's inner and leaf.
    const byName = Object.fromEntries(spans.map((row) => [row.name, row]));
    expect(byName.inner.self).toBeLessThan(byName.inner.total);
    expect(byName.outer.self).toBeLessThan(byName.outer.total - byName.inner.total + 1);
  });
});
