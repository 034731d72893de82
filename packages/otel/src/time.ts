/**
 * Ticks to OpenTelemetry time. A tick is milliseconds since the thread's `timeOrigin`, itself
 * epoch milliseconds; their float sum cannot hold epoch nanoseconds (2^53 ns is only 104 days),
 * so each part is split into whole seconds and nanoseconds first and the halves added as integers.
 */
import type { HrTime } from "@opentelemetry/api";

const NS_PER_SECOND = 1e9;

/** `[seconds, nanoseconds]` of a non-negative millisecond count, nanoseconds rounded. */
export function millisToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= NS_PER_SECOND ? [seconds + 1, nanos - NS_PER_SECOND] : [seconds, nanos];
}

/** Epoch time of `tick` on a thread whose clock started at `origin` (as `millisToHrTime(origin)`). */
export function tickToHrTime(origin: HrTime, tick: number): HrTime {
  const offset = millisToHrTime(tick);
  const seconds = origin[0] + offset[0];
  const nanos = origin[1] + offset[1];
  return nanos >= NS_PER_SECOND ? [seconds + 1, nanos - NS_PER_SECOND] : [seconds, nanos];
}

export function hrTimeDuration(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += NS_PER_SECOND;
  }
  return seconds < 0 ? [0, 0] : [seconds, nanos];
}

/** Epoch nanoseconds as a decimal string, exact: what OTLP carries. */
export function hrTimeToNanosString(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}
