/**
 * The clock every event is stamped with: `performance.now()`, monotonic, in milliseconds with
 * sub-microsecond fractions, counted from this thread's `performance.timeOrigin`. Each worker
 * thread has its own origin, so blocks carry theirs and sinks convert with `timeOrigin + tick`.
 */
const perf: Performance = globalThis.performance;

export const now: () => number = () => perf.now();

/** How to turn a thread's ticks into wall-clock time. */
export interface ClockInfo {
  /** Epoch milliseconds (fractional) at tick 0 of this thread. */
  readonly timeOrigin: number;
  /** Nanoseconds per tick: ticks are milliseconds. */
  readonly tickUnitNs: number;
}

export function clockInfo(): ClockInfo {
  return { timeOrigin: perf.timeOrigin, tickUnitNs: 1e6 };
}
