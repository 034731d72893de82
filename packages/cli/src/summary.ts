/**
 * Where the time went, from a Chrome trace (ours or any with B/E/X/b/e events): the summary of
 * events in memory, and the summary as text.
 */
import { SpanPairer, SummaryBuilder, type ChromeTraceEvent, type Summary } from "@spanfn/tracing";
import { visitChromeEvent } from "./read/chrome-events.js";
import type { SortKey } from "./args.js";

export type { Summary, SpanStats } from "@spanfn/tracing";

/**
 * The span events a trace event stands for, as the runtime counts them (a begin, an end; an `X`
 * both), so a summary read from the file counts what the one written at exit counted: metadata
 * and flow events are not spans' events.
 */
export function spanEvents(event: ChromeTraceEvent): number {
  const phase = event.ph;
  if (phase === "B" || phase === "E" || phase === "b" || phase === "e") return 1;
  return phase === "X" ? 2 : 0;
}

/** The summary of events held in memory; `spanfn report` streams files through the same pairer and builder. */
export function summarize(events: readonly ChromeTraceEvent[]): Summary {
  const builder = new SummaryBuilder();
  const pairer = new SpanPairer(
    (span) => builder.add(span),
    (args) => builder.report(args),
  );
  for (const event of events) {
    builder.event(spanEvents(event));
    visitChromeEvent(event, pairer);
  }
  return builder.finish(pairer.finish());
}

export { SORT_KEYS, type SortKey } from "./args.js";

const ms = (us: number) => (us / 1000).toFixed(3);

/**
 * The summary as text: the top spans by total and by self time (or by `sort`), then the losses.
 * `learned`: of the demoted functions, those an earlier run had demoted (learned.ts).
 */
export function formatSummary(summary: Summary, options: { top?: number; sort?: SortKey; learned?: number } = {}): string {
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
      `* demoted: ${summary.demoted.length} hot functions whose calls were tiny beside what a span costs stopped recording spans and counted ${calls} calls instead ` +
        `(counts are exact; times cover the recorded spans only; spanfn run --no-demote keeps every span)`,
    );
    const learned = options.learned ?? 0;
    if (learned > 0) {
      out.push(
        `  ${learned} of them counted from their first call, as an earlier run of this program demoted them ` +
          `(a changed file's functions are judged afresh; spanfn run --no-cache judges every function afresh)`,
      );
    }
  }
  if (summary.promiseReturningSync.length > 0) {
    out.push(`functions without async that returned promises (annotate their return type): ${summary.promiseReturningSync.join(", ")}`);
  }
  return out.join("\n") + "\n";
}
