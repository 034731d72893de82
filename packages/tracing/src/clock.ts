/**
 * The clock every event is stamped with: monotonic, in milliseconds with sub-microsecond
 * fractions, counted from this thread's `performance.timeOrigin` (a tick reads as
 * `performance.now()` would). Each worker thread has its own origin, so blocks carry theirs and
 * sinks convert with `timeOrigin + tick`.
 *
 * Under Node the ticks come from `process.hrtime.bigint()`, the clock `performance.now()` reads,
 * without the receiver check Node's `performance.now()` makes first; its offset from
 * `performance.now()` is taken once, at load. Elsewhere (browsers), and on V8 12.4 (Node 22),
 * it is `performance.now()`: V8 12.4 inlines the BigInt read, through `begin` and `end`, into
 * each instrumented function and then compiles that function's own loops to slower code (a
 * medium-grain function ran up to twice as long); 11.3 (Node 20) and 13 (Node 24) do not.
 * Both functions are captured at load, so fake timers installed later do not stop the clock of
 * the trace.
 */
const perf: Performance = globalThis.performance;
const perfNow: () => number = perf.now.bind(perf);

type HrtimeBigint = () => bigint;

const hrtimeBigint: HrtimeBigint | null = (() => {
  const p = (globalThis as { process?: { hrtime?: { bigint?: unknown }; versions?: { v8?: string } } }).process;
  const read = p?.hrtime?.bigint;
  if (typeof read !== "function" || p?.versions?.v8?.startsWith("12.4.") === true) return null;
  return read as HrtimeBigint;
})();

/** Reads around a reference read at load; the tightest gives the clock's offset. */
export const CALIBRATION_ROUNDS = 8;

/**
 * A clock in `performance.now()`'s milliseconds from nanoseconds read as a BigInt. The BigInt is
 * never converted: `Number(bigint)` is a call into the engine's runtime, so it is stored into a
 * 64-bit typed array and read back as two 32-bit halves, which V8 compiles to plain stores and
 * loads. Against `process.hrtime()`, whose array is allocated on every read, it is faster,
 * makes no garbage, and is small enough in bytecode that V8 inlines both reads of a span into
 * its caller. The high half is taken relative to the first read, so the sum stays an exact
 * count of nanoseconds for 104 days of a process.
 * Exported for tests, which feed it reads across a carry of the low half.
 */
export function clockFromNanoseconds(read: HrtimeBigint, reference: () => number): () => number {
  const wide = new BigUint64Array(1);
  const halves = new Uint32Array(wide.buffer);
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  wide[0] = read();
  const baseHigh = littleEndian ? halves[1] : halves[0];
  const nanos = () => {
    wide[0] = read();
    return ((littleEndian ? halves[1] : halves[0]) - baseHigh) * 4294967296 + (littleEndian ? halves[0] : halves[1]);
  };
  // The offset from the reference clock: from the tightest of a few reads around one of its
  // reads, so that a thread descheduled between two reads (a loaded machine) does not shift
  // every time the clock gives by as long as it waited.
  let offset = 0;
  let narrowest = Infinity;
  for (let i = 0; i < CALIBRATION_ROUNDS; i++) {
    const before = nanos();
    const at = reference();
    const after = nanos();
    if (after - before < narrowest) {
      narrowest = after - before;
      offset = ((before + after) / 2) * 1e-6 - at;
    }
  }
  return littleEndian
    ? () => {
        wide[0] = read();
        return ((halves[1] - baseHigh) * 4294967296 + halves[0]) * 1e-6 - offset;
      }
    : () => {
        wide[0] = read();
        return ((halves[0] - baseHigh) * 4294967296 + halves[1]) * 1e-6 - offset;
      };
}

export const now: () => number =
  hrtimeBigint === null ? perfNow : clockFromNanoseconds(hrtimeBigint, perfNow);

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
