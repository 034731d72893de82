/** SummaryBuilder: per-name stats from completed spans, exact where it can be, quantiles within 1% past 1,024 spans. */
import { describe, expect, test } from "@jest/globals";
import { SummaryBuilder, type CompletedSpan } from "../src/index.js";
import { EXACT_LIMIT, Quantiles } from "../src/read/quantiles.js";

function span(name: string, duration: number, extra: Partial<CompletedSpan> = {}): CompletedSpan {
  return { kind: "thread", name, thread: "1:0", start: 0, duration, depth: 0, args: undefined, key: null, parent: null, outcome: "", childTime: 0, ...extra };
}

/** Nearest rank, the definition the exact path follows. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

describe("SummaryBuilder", () => {
  test("per name and kind: count, total, self (never negative), mean, exact p50/p99, max", () => {
    const b = new SummaryBuilder();
    for (const d of [5, 1, 3, 2, 4]) b.add(span("f", d, { childTime: d === 5 ? 2 : 0 }));
    b.add(span("f", 7, { kind: "async", childTime: 9 }));
    b.add(span("f", 1000, { outcome: "unfinished" }));
    for (let i = 0; i < 4; i++) b.event();
    const summary = b.finish(2);
    expect(summary.spans).toEqual([
      { name: "f", kind: "thread", count: 5, demotedCalls: 0, total: 15, self: 13, mean: 3, p50: 3, p99: 5, max: 5 },
      { name: "f", kind: "async", count: 1, demotedCalls: 0, total: 7, self: 0, mean: 7, p50: 7, p99: 7, max: 7 },
    ]);
    expect(summary).toMatchObject({ events: 4, unfinished: 3 });
  });

  test("spanfn_report counters add up over processes; demoted calls join their thread span's count, or make a row of their own", () => {
    const b = new SummaryBuilder();
    b.add(span("hot", 1));
    b.add(span("hot", 1, { kind: "async" }));
    b.report({ droppedSpans: 1, lostEvents: 2, lostEnds: 3, earlySpans: 4, promiseReturningSync: ["a (a.ts:1)"], demoted: [{ name: "hot", calls: 10 }] });
    b.report({ droppedSpans: 1, demoted: [{ name: "hot", calls: 5 }, { name: "never recorded", calls: 50 }] });
    const summary = b.finish(0);
    expect(summary.spans.map((s) => [s.name, s.kind, s.count, s.demotedCalls, s.total, s.max])).toEqual([
      ["hot", "thread", 16, 15, 1, 1],
      ["hot", "async", 1, 0, 1, 1],
      ["never recorded", "thread", 50, 50, 0, 0],
    ]);
    expect(summary).toMatchObject({
      droppedSpans: 2,
      lostEvents: 2,
      lostEnds: 3,
      earlySpans: 4,
      promiseReturningSync: [],
      demoted: [
        { name: "never recorded", calls: 50 },
        { name: "hot", calls: 15 },
      ],
    });
  });

  test("exact quantiles up to 1,024 spans of a name", () => {
    const b = new SummaryBuilder();
    const values = Array.from({ length: 1024 }, (_, i) => ((i * 7919) % 1024) * 0.37 + 0.001);
    for (const v of values) b.add(span("f", v));
    const [row] = b.finish(0).spans;
    expect([row.p50, row.p99, row.max]).toEqual([nearestRank(values, 0.5), nearestRank(values, 0.99), Math.max(...values)]);
  });

  test("past that, quantiles within 1% over nine decades and zeros; count, total, self and max stay exact", () => {
    const b = new SummaryBuilder();
    const values: number[] = [];
    // Skewed: many fast calls, a long tail up to a second (1 ns to 1 s), some zero-length spans.
    for (let i = 0; i < 200_000; i++) {
      const v = i % 50 === 0 ? 0 : Math.round(10 ** (9 * (((i * 7919) % 100_003) / 100_003) ** 3)) / 1000;
      values.push(v);
      b.add(span("f", v, { childTime: v / 2 }));
    }
    const [row] = b.finish(0).spans;
    let total = 0;
    for (const v of values) total += v;
    expect(row.count).toBe(values.length);
    expect(row.total).toBe(total);
    expect(row.self).toBe(values.reduce((sum, v) => sum + Math.max(0, v - v / 2), 0));
    expect(row.max).toBe(values.reduce((a, b) => Math.max(a, b)));
    for (const q of [0.5, 0.99]) {
      const exact = nearestRank(values, q);
      expect(Math.abs(row[q === 0.5 ? "p50" : "p99"] - exact)).toBeLessThanOrEqual(0.01 * exact);
    }
  });
});

describe("Quantiles", () => {
  test("every percentile within 1% once bucketed, from nanoseconds to seconds", () => {
    const quantiles = new Quantiles();
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const v = Math.round(10 ** (9 * ((i * 7919) % 50_021) / 50_021)) / 1000;
      values.push(v);
      quantiles.add(v);
    }
    expect(quantiles.isExact()).toBe(false);
    values.sort((a, b) => a - b);
    for (let p = 1; p < 100; p++) {
      const exact = nearestRank(values, p / 100);
      expect(Math.abs(quantiles.quantile(p / 100) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  test("buckets reach values far below and above the first ones", () => {
    const quantiles = new Quantiles();
    for (let i = 0; i < 2 * EXACT_LIMIT; i++) quantiles.add(5);
    quantiles.add(0.001);
    quantiles.add(1e6);
    expect(Math.abs(quantiles.quantile(0) - 0.001) / 0.001).toBeLessThanOrEqual(0.01);
    expect(Math.abs(quantiles.quantile(0.5) - 5) / 5).toBeLessThanOrEqual(0.01);
    expect(Math.abs(quantiles.quantile(1) - 1e6) / 1e6).toBeLessThanOrEqual(0.01);
  });

  test("exact up to the limit, then bucketed; nothing gives NaN", () => {
    const quantiles = new Quantiles();
    expect(quantiles.quantile(0.5)).toBeNaN();
    for (let i = EXACT_LIMIT; i > 0; i--) quantiles.add(i);
    expect([quantiles.isExact(), quantiles.quantile(0.5), quantiles.quantile(1)]).toEqual([true, EXACT_LIMIT / 2, EXACT_LIMIT]);
    quantiles.add(0);
    expect(quantiles.isExact()).toBe(false);
    expect(quantiles.quantile(0)).toBe(0);
    expect(quantiles.quantile(1)).toBe(EXACT_LIMIT);
  });
});
