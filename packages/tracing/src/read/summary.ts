/**
 * Where the time went, aggregated span by span as they complete: per span name and kind, count,
 * total and self time, mean, p50, p99, max; plus the counters the trace says it lost. Memory
 * grows with the number of distinct names, not with the trace.
 */
import type { CompletedSpan } from "./spans.js";
import { Quantiles } from "./quantiles.js";

export interface SpanStats {
  name: string;
  kind: "thread" | "async";
  /** Calls: the spans recorded plus, for a demoted function, the calls only counted. */
  count: number;
  /** Calls of a function demoted to a counter (hot and tiny): in `count`, not in the times (all 0 when every call was counted). */
  demotedCalls: number;
  /** Microseconds. Total, self, mean and max are exact; p50 and p99 exact up to 1,024 spans of a name, then within 1%. */
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

/** One name's spans of one kind, as they add up (SummaryBuilder.row). */
export interface SummaryRow {
  name: string;
  kind: "thread" | "async";
  count: number;
  total: number;
  self: number;
  max: number;
  durations: Quantiles;
}

/** The shape of a spanfn_report event's args, as far as the summary reads them. */
interface ReportArgs {
  droppedSpans?: number;
  lostEvents?: number;
  lostEnds?: number;
  earlySpans?: number;
  promiseReturningSync?: string[];
  demoted?: { name: string; calls: number }[];
}

export class SummaryBuilder {
  /** Rows by name, one map per kind (no key built per span), and all of them in the order each was made: when its first span ended. */
  private readonly threadRows = new Map<string, SummaryRow>();
  private readonly asyncRows = new Map<string, SummaryRow>();
  private readonly rows: SummaryRow[] = [];
  private events = 0;
  private unfinished = 0;
  private droppedSpans = 0;
  private lostEvents = 0;
  private lostEnds = 0;
  private earlySpans = 0;
  private promiseReturningSync: string[] = [];
  private readonly demotedCalls = new Map<string, number>();

  add(span: CompletedSpan): void {
    if (span.outcome === "unfinished") this.unfinishedSpan();
    else this.finishedSpan(this.row(span.kind, span.name), span.duration, span.childTime);
  }

  /** The row of the spans of `kind` named `name`: a reader that knows a span's row already passes it to `finishedSpan`. */
  row(kind: "thread" | "async", name: string): SummaryRow {
    const rows = kind === "thread" ? this.threadRows : this.asyncRows;
    let row = rows.get(name);
    if (row === undefined) {
      row = { name, kind, count: 0, total: 0, self: 0, max: -Infinity, durations: new Quantiles() };
      rows.set(name, row);
      this.rows.push(row);
    }
    return row;
  }

  /** A span of `row` that ended; `childTime` is what its children covered of `duration`. */
  finishedSpan(row: SummaryRow, duration: number, childTime: number): void {
    row.count++;
    row.total += duration;
    row.self += Math.max(0, duration - childTime);
    if (duration > row.max) row.max = duration;
    row.durations.add(duration);
  }

  /** A span the trace began and closed only at exit: counted, not timed. */
  unfinishedSpan(): void {
    this.unfinished++;
  }

  /** A spanfn_report event's counters (one per process in the trace). */
  report(args: Record<string, unknown>): void {
    const r = args as ReportArgs;
    this.droppedSpans += r.droppedSpans ?? 0;
    this.lostEvents += r.lostEvents ?? 0;
    this.lostEnds += r.lostEnds ?? 0;
    this.earlySpans += r.earlySpans ?? 0;
    this.promiseReturningSync = r.promiseReturningSync ?? [];
    for (const d of r.demoted ?? []) this.demotedCalls.set(d.name, (this.demotedCalls.get(d.name) ?? 0) + d.calls);
  }

  /** Counts events of the trace (one by default), whatever they are. */
  event(count = 1): void {
    this.events += count;
  }

  /** The summary, with `stillOpen` spans (begun, never ended) counted as unfinished. */
  finish(stillOpen: number): Summary {
    const spans: SpanStats[] = this.rows.map((row) => {
      const demoted = row.kind === "thread" ? (this.demotedCalls.get(row.name) ?? 0) : 0;
      return {
        name: row.name,
        kind: row.kind,
        count: row.count + demoted,
        demotedCalls: demoted,
        total: row.total,
        self: row.self,
        mean: row.total / row.count,
        p50: row.durations.quantile(0.5),
        p99: row.durations.quantile(0.99),
        max: row.max,
      };
    });
    // A function counted from its first call (demoted by an earlier run) has no span to time, but
    // its count is as exact as any other's.
    for (const [name, calls] of this.demotedCalls) {
      if (!this.threadRows.has(name)) spans.push({ name, kind: "thread", count: calls, demotedCalls: calls, total: 0, self: 0, mean: 0, p50: 0, p99: 0, max: 0 });
    }
    return {
      spans,
      events: this.events,
      unfinished: this.unfinished + stillOpen,
      droppedSpans: this.droppedSpans,
      lostEvents: this.lostEvents,
      lostEnds: this.lostEnds,
      earlySpans: this.earlySpans,
      promiseReturningSync: this.promiseReturningSync,
      demoted: [...this.demotedCalls].map(([name, calls]) => ({ name, calls })).sort((a, b) => b.calls - a.calls),
    };
  }
}
