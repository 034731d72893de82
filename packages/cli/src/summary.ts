/**
 * Where the time went, from a Chrome trace (ours or any with B/E/X/b/e events): per span name
 * and kind, count, total and self time, mean, p50, p99, max; plus what the trace says it lost.
 */
import type { ChromeTraceEvent } from "@spanfn/tracing";

export interface SpanStats {
  name: string;
  kind: "thread" | "async";
  count: number;
  /** Microseconds. */
  total: number;
  self: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface Summary {
  spans: SpanStats[];
  events: number;
  unfinished: number;
  droppedSpans: number;
  lostEvents: number;
  promiseReturningSync: string[];
}

interface Frame {
  name: string;
  ts: number;
  children: number;
}

interface OpenAsync {
  name: string;
  ts: number;
  parent: string | null;
  /** Children overlap (they run concurrently): self time subtracts their union, not their sum. */
  children: Array<[number, number]>;
}

function unionLength(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = sorted[0] ?? [0, 0];
  for (const [s, e] of sorted.slice(1)) {
    if (s > end) {
      total += end - start;
      [start, end] = [s, e];
    } else if (e > end) end = e;
  }
  return total + (end - start);
}

export function summarize(events: readonly ChromeTraceEvent[]): Summary {
  const durations = new Map<string, { name: string; kind: "thread" | "async"; total: number[]; self: number[] }>();
  const add = (name: string, kind: "thread" | "async", total: number, self: number) => {
    const key = `${kind}\u0000${name}`;
    let row = durations.get(key);
    if (row === undefined) {
      row = { name, kind, total: [], self: [] };
      durations.set(key, row);
    }
    row.total.push(total);
    row.self.push(Math.max(0, self));
  };
  const stacks = new Map<string, Frame[]>();
  const open = new Map<string, OpenAsync>();
  let unfinished = 0;
  let droppedSpans = 0;
  let lostEvents = 0;
  let promiseReturningSync: string[] = [];

  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    switch (e.ph) {
      case "B": {
        let stack = stacks.get(thread);
        if (stack === undefined) stacks.set(thread, (stack = []));
        stack.push({ name: e.name ?? "?", ts: e.ts ?? 0, children: 0 });
        break;
      }
      case "E": {
        const frame = stacks.get(thread)?.pop();
        if (frame === undefined) break;
        if ((e.args as { unfinished?: boolean } | undefined)?.unfinished) {
          unfinished++;
          break;
        }
        const duration = (e.ts ?? 0) - frame.ts;
        add(frame.name, "thread", duration, duration - frame.children);
        const parent = stacks.get(thread)?.at(-1);
        if (parent) parent.children += duration;
        break;
      }
      case "X": {
        const duration = e.dur ?? 0;
        add(e.name ?? "?", "thread", duration, duration);
        break;
      }
      case "b": {
        const args = e.args as { parent?: number } | undefined;
        const parent = args?.parent ? `${e.pid}:${args.parent}` : null;
        open.set(`${e.pid}:${e.id}`, { name: e.name ?? "?", ts: e.ts ?? 0, parent, children: [] });
        break;
      }
      case "e": {
        const key = `${e.pid}:${e.id}`;
        const span = open.get(key);
        if (span === undefined) break;
        open.delete(key);
        if ((e.args as { outcome?: string } | undefined)?.outcome === "unfinished") {
          unfinished++;
          break;
        }
        const end = e.ts ?? 0;
        const duration = end - span.ts;
        add(span.name, "async", duration, duration - unionLength(span.children));
        if (span.parent !== null) open.get(span.parent)?.children.push([span.ts, end]);
        break;
      }
      case "M": {
        if (e.name === "spanfn_report") {
          const args = e.args as { droppedSpans?: number; lostEvents?: number; promiseReturningSync?: string[] };
          droppedSpans += args.droppedSpans ?? 0;
          lostEvents += args.lostEvents ?? 0;
          promiseReturningSync = args.promiseReturningSync ?? [];
        }
        break;
      }
    }
  }
  for (const stack of stacks.values()) unfinished += stack.length;
  unfinished += open.size;

  const spans = [...durations.values()].map(({ name, kind, total, self }) => {
    const sorted = [...total].sort((a, b) => a - b);
    const sum = sorted.reduce((a, b) => a + b, 0);
    return {
      name,
      kind,
      count: sorted.length,
      total: sum,
      self: self.reduce((a, b) => a + b, 0),
      mean: sum / sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1],
    };
  });
  return { spans, events: events.length, unfinished, droppedSpans, lostEvents, promiseReturningSync };
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export type SortKey = "total" | "self" | "count" | "mean" | "p99" | "max";
export const SORT_KEYS: readonly SortKey[] = ["total", "self", "count", "mean", "p99", "max"];

const ms = (us: number) => (us / 1000).toFixed(3);

/** The summary as text: the top spans by total and by self time (or by `sort`), then the losses. */
export function formatSummary(summary: Summary, options: { top?: number; sort?: SortKey } = {}): string {
  const top = options.top ?? 15;
  const orders: SortKey[] = options.sort ? [options.sort] : ["total", "self"];
  const out: string[] = [];
  for (const key of orders) {
    const rows = [...summary.spans].sort((a, b) => b[key] - a[key] || a.name.localeCompare(b.name)).slice(0, top);
    const nameWidth = Math.min(60, Math.max(4, ...rows.map((r) => r.name.length)));
    out.push(`top ${rows.length} spans by ${key}${key === "count" ? "" : key === "total" || key === "self" ? " time" : ""}`);
    out.push(
      `${"span".padEnd(nameWidth)}  ${"kind".padEnd(6)} ${"count".padStart(7)} ${"total ms".padStart(10)} ${"self ms".padStart(10)} ${"mean ms".padStart(9)} ${"p50 ms".padStart(9)} ${"p99 ms".padStart(9)} ${"max ms".padStart(9)}`,
    );
    for (const r of rows) {
      const name = r.name.length > nameWidth ? `…${r.name.slice(r.name.length - nameWidth + 1)}` : r.name;
      out.push(
        `${name.padEnd(nameWidth)}  ${r.kind.padEnd(6)} ${String(r.count).padStart(7)} ${ms(r.total).padStart(10)} ${ms(r.self).padStart(10)} ${ms(r.mean).padStart(9)} ${ms(r.p50).padStart(9)} ${ms(r.p99).padStart(9)} ${ms(r.max).padStart(9)}`,
      );
    }
    out.push("");
  }
  const spanCount = summary.spans.reduce((n, s) => n + s.count, 0);
  out.push(
    `${spanCount} spans (${summary.events} events); ${summary.unfinished} unfinished; ${summary.droppedSpans} dropped; ${summary.lostEvents} events lost to sink errors`,
  );
  if (summary.promiseReturningSync.length > 0) {
    out.push(`functions without async that returned promises (annotate their return type): ${summary.promiseReturningSync.join(", ")}`);
  }
  return out.join("\n") + "\n";
}
