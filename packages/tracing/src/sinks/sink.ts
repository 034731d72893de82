import type { ClockInfo } from "../clock.js";
import type { EventBlock, ThreadInfo } from "../events.js";
import type { OpenSpan } from "../open.js";
import type { DemotedSite } from "../demote.js";

/** The process a trace comes from; ticks of its main thread convert with `clock`. */
export interface ProcessInfo {
  readonly pid: number;
  readonly clock: ClockInfo;
}

/** What the runtime knows at shutdown that the events alone do not say. */
export interface RuntimeReport {
  /** Spans not recorded because buffered events reached the memory cap. */
  readonly droppedSpans: number;
  /** Events in blocks a sink threw on. */
  readonly lostEvents: number;
  readonly sinkErrors: number;
  /**
   * Thread span ends a throw past the stack limit kept from being written: each such span was
   * ended when the span around it ended, so the trace stays nested, but its duration is too long.
   */
  readonly lostEnds: number;
  /**
   * Calls not recorded because they ran before their module had registered its spans: in an
   * import cycle, a function declaration called before the body of its module ran.
   */
  readonly earlySpans: number;
  /** Spans begun and never ended, at the time of the report. */
  readonly unfinished: readonly OpenSpan[];
  /**
   * Functions compiled with a thread span that returned a promise: static detection missed them
   * (each got an async span from its return to settlement). Annotating them fixes that.
   */
  readonly promiseReturningSync: readonly { name: string; file: string; line: number }[];
  /**
   * The process is exiting (the report comes from its `exit` event or a fatal signal): no
   * callback, timer or I/O completion will run again, so a sink must finish synchronously.
   */
  readonly atExit: boolean;
  /**
   * Hot, consistently tiny functions that stopped recording spans and counted their calls
   * instead: their spans in the trace plus `calls` make the exact number of calls.
   */
  readonly demoted: readonly (DemotedSite & { readonly thread: ThreadInfo })[];
  /** Tick of the report on the reporting thread. */
  readonly at: number;
  readonly clock: ClockInfo;
}

/**
 * Where blocks go. `block` may return a promise: the runtime hands over no further block until
 * it settles, and buffers meanwhile up to its memory cap. A sink owns the blocks it is given.
 * A sink that throws (or rejects) loses that block, counted; the program goes on.
 */
export interface Sink {
  init?(process: ProcessInfo): void;
  block(block: EventBlock): void | PromiseLike<void>;
  shutdown?(report: RuntimeReport): void | PromiseLike<void>;
  /**
   * Bytes of blocks the sink has taken but not yet written (a writer thread's queue): counted
   * with the runtime's own queue against `maxBufferedBytes`, so a writer that falls behind makes
   * the runtime drop (and count) new spans instead of growing without bound.
   */
  heldBytes?(): number;
}
