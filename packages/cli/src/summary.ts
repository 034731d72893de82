/**
 * Where the time went, from a Chrome trace (ours or any with B/E/X/b/e events): per span name
 * and kind, count, total and self time, mean, p50, p99, max; plus what the trace says it lost.
 */
import type { ChromeTraceEvent } from "@spanfn/tracing";
import { pairSpans } from "./spans.js";

export interface SpanStats {
  name: string;
  kind: "thread" | "async";
  /** Calls: the spans recorded plus, for a demoted function, the calls only counted. */
  count: number;
  /** Calls of a function demoted to a counter (hot and tiny): in `count`, not in the times. */
  demotedCalls: number;
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
  /** Thread span ends a throw past the stack limit kept from being written (ended with their callers). */
  lostEnds: number;
  /** Calls that ran before their module's body had registered its spans (an import cycle). */
  earlySpans: number;
  promiseReturningSync: string[];
  /** Functions the runtime demoted to call counters, with the calls it counted (all threads). */
  demoted: { name: string; calls: number }[];
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
  let unfinished = 0;
  let droppedSpans = 0;
  let lostEvents = 0;
  let lostEnds = 0;
  let earlySpans = 0;
  let promiseReturningSync: string[] = [];
  const demotedCalls = new Map<string, number>();
  for (const e of events) {
    if (e.ph === "M" && e.name === "spanfn_report") {
      const args = e.args as {
        droppedSpans?: number;
        lostEvents?: number;
        lostEnds?: number;
        earlySpans?: number;
        promiseReturningSync?: string[];
        demoted?: { name: string; calls: number }[];
      };
      droppedSpans += args.droppedSpans ?? 0;
      lostEvents += args.lostEvents ?? 0;
      lostEnds += args.lostEnds ?? 0;
      earlySpans += args.earlySpans ?? 0;
      promiseReturningSync = args.promiseReturningSync ?? [];
      for (const d of args.demoted ?? []) demotedCalls.set(d.name, (demotedCalls.get(d.name) ?? 0) + d.calls);
    }
  }
  const stillOpen = pairSpans(events, (span) => {
    if (span.outcome === "unfinished") unfinished++;
    else add(span.name, span.kind, span.duration, span.duration - span.childTime);
  });
  unfinished += stillOpen;

  const spans: SpanStats[] = [...durations.values()].map(({ name, kind, total, self }) => {
    const sorted = [...total].sort((a, b) => a - b);
    const sum = sorted.reduce((a, b) => a + b, 0);
    const demoted = kind === "thread" ? (demotedCalls.get(name) ?? 0) : 0;
    return {
      name,
      kind,
      count: sorted.length + demoted,
      demotedCalls: demoted,
      total: sum,
      self: self.reduce((a, b) => a + b, 0),
      mean: sum / sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1],
    };
  });
  return {
    spans,
    events: events.length,
    unfinished,
    droppedSpans,
    lostEvents,
    lostEnds,
    earlySpans,
    promiseReturningSync,
    demoted: [...demotedCalls].map(([name, calls]) => ({ name, calls })).sort((a, b) => b.calls - a.calls),
  };
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
    const nameWidth = Math.min(60, Math.max(4, ...rows.map((r) => r.name.length + (r.demotedCalls > 0 ? 2 : 0))));
    out.push(`top ${rows.length} spans by ${key}${key === "count" ? "" : key === "total" || key === "self" ? " time" : ""}`);
    out.push(
      `${"span".padEnd(nameWidth)}  ${"kind".padEnd(6)} ${"count".padStart(7)} ${"total ms".padStart(10)} ${"self ms".padStart(10)} ${"mean ms".padStart(9)} ${"p50 ms".padStart(9)} ${"p99 ms".padStart(9)} ${"max ms".padStart(9)}`,
    );
    for (const r of rows) {
      const full = r.demotedCalls > 0 ? `${r.name} *` : r.name;
      const name = full.length > nameWidth ? `…${full.slice(full.length - nameWidth + 1)}` : full;
      out.push(
        `${name.padEnd(nameWidth)}  ${r.kind.padEnd(6)} ${String(r.count).padStart(7)} ${ms(r.total).padStart(10)} ${ms(r.self).padStart(10)} ${ms(r.mean).padStart(9)} ${ms(r.p50).padStart(9)} ${ms(r.p99).padStart(9)} ${ms(r.max).padStart(9)}`,
      );
    }
    out.push("");
  }
  const spanCount = summary.spans.reduce((n, s) => n + s.count - s.demotedCalls, 0);
  out.push(
    `${spanCount} spans (${summary.events} events); ${summary.unfinished} unfinished; ${summary.droppedSpans} dropped; ${summary.lostEvents} events lost to sink errors`,
  );
  if (summary.lostEnds > 0) {
    out.push(`${summary.lostEnds} span ends lost to a throw past the stack limit: each was ended with the span around it, so its time is too long`);
  }
  if (summary.earlySpans > 0) {
    out.push(`${summary.earlySpans} calls not recorded: they ran before their module's body had registered its spans (an import cycle)`);
  }
  if (summary.demoted.length > 0) {
    const calls = summary.demoted.reduce((n, d) => n + d.calls, 0);
    out.push(
      `* demoted: ${summary.demoted.length} hot functions whose calls were all tiny stopped recording spans and counted ${calls} calls instead ` +
        `(counts are exact; times cover the recorded spans only; spanfn run --no-demote keeps every span)`,
    );
  }
  if (summary.promiseReturningSync.length > 0) {
    out.push(`functions without async that returned promises (annotate their return type): ${summary.promiseReturningSync.join(", ")}`);
  }
  return out.join("\n") + "\n";
}
