/**
 * Spans out of Chrome trace events held in memory (the HTML report's): the runtime's SpanPairer
 * fed event by event, so there is one pairing, whatever reads the trace.
 */
import { SpanPairer, type ChromeTraceEvent, type CompletedSpan } from "@spanfn/tracing";
import { visitChromeEvent } from "./read/chrome-events.js";

export type { CompletedSpan };

/** Calls `visit` for each complete span; returns how many were still open at the end of the events. */
export function pairSpans(
  events: readonly ChromeTraceEvent[],
  visit: (span: CompletedSpan) => void,
  progress?: (done: number, total: number) => void,
): number {
  const pairer = new SpanPairer(visit);
  events.forEach((event, n) => {
    if (progress && n % 100_000 === 0) progress(n, events.length);
    visitChromeEvent(event, pairer);
  });
  progress?.(events.length, events.length);
  return pairer.finish();
}
