/**
 * A Chrome trace with each `X` event (a thread span with nothing inside it) read as the `B` and
 * `E` it stands for, so assertions about pairs read a trace with `X` events as they read one
 * without: a span is one `B`, an end is one `E`.
 */
import type { ChromeTraceEvent } from "../src/index.js";

/** Microseconds as whole nanoseconds: the writer prints every time rounded to the nanosecond. */
export function nanos(micros: number): number {
  return Math.round(micros * 1000);
}

/**
 * The events in order, each `X` replaced by its `B` (the `X` without `dur`) and right after it
 * its `E`: the same name, category and args (as the writer gives an `E`), at `ts + dur`.
 */
export function asPairs(events: readonly ChromeTraceEvent[]): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  for (const e of events) {
    if (e.ph !== "X") {
      out.push(e);
      continue;
    }
    const { dur, ...rest } = e;
    out.push({ ...rest, ph: "B" }, { ...rest, ph: "E", ts: (nanos(e.ts ?? 0) + nanos(dur ?? 0)) / 1000 });
  }
  return out;
}
