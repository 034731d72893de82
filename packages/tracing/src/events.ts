/**
 * What the runtime hands out and takes in, as types: blocks, threads, span sites, open spans,
 * demoted sites, reports and sinks. The number formats inside blocks are in layout.ts.
 */
import type { ClockInfo } from "./clock.js";
import { Kind } from "./layout.js";

/** Record kinds, as readers outside the package compare them (the values of layout.ts `Kind`). */
export const EventKind = {
  /** A whole thread span in one record; readers report it as a begin and an end unless asked for it whole (records.ts). */
  threadComplete: Kind.threadComplete,
  threadBegin: Kind.threadBegin,
  threadEnd: Kind.threadEnd,
  asyncBegin: Kind.asyncBegin,
  asyncFulfilled: Kind.asyncFulfilled,
  asyncRejected: Kind.asyncRejected,
  /** A foreign thenable was returned: spanfn never calls its `then`, so the span ends at return. */
  asyncDetached: Kind.asyncDetached,
  threadBeginInside: Kind.threadBeginInside,
  /** Not a span: the thread created a worker thread (readers ask for these; records.ts). */
  workerStart: Kind.workerStart,
} as const;

export type EventKindValue = (typeof EventKind)[keyof typeof EventKind];

export type Outcome = "fulfilled" | "rejected" | "detached";

export const OUTCOME_BY_KIND: Readonly<Record<number, Outcome>> = {
  [Kind.asyncFulfilled]: "fulfilled",
  [Kind.asyncRejected]: "rejected",
  [Kind.asyncDetached]: "detached",
};

export interface ThreadInfo {
  /** `worker_threads.threadId` in Node (0 = main thread); 0 elsewhere. */
  readonly id: number;
  readonly name: string;
}

/** Static description of a span site, created once per module and referred to by its id. */
export interface SpanMetadata {
  readonly name: string;
  /** Module path, e.g. `src/db/pool`. */
  readonly target: string;
  readonly file: string;
  readonly line: number;
  readonly level: number;
}

/** What a sink receives: one thread's events, in order, with what it takes to read them. */
export interface EventBlock {
  readonly thread: ThreadInfo;
  readonly clock: ClockInfo;
  /** The thread's metadata table, indexed by the sites in the heads. */
  readonly metadata: readonly SpanMetadata[];
  readonly data: Float64Array;
  /** Slots of `data` in use. */
  readonly length: number;
  /** Position of this block in its thread's stream, from 0. */
  readonly sequence: number;
}

/** A span begun and not yet ended, as reports name it. */
export interface OpenSpan {
  readonly kind: "thread" | "async";
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly thread: ThreadInfo;
  readonly metadataId: number;
  /** Async spans only (0 for thread spans). */
  readonly spanId: number;
  readonly parentId: number;
  readonly depth: number;
}

export interface DemoteOptions {
  /** Calls judged at a time (the window); a site is demoted after this many recorded calls at least. */
  after?: number;
  /**
   * What counts as tiny: a recorded call shorter than this many nanoseconds, calls of other
   * functions included, nested calls of the same function (recursion) not.
   */
  belowNs?: number;
  /**
   * The most a thread's spans may cost of its time, estimated at two clock reads a span. Past
   * it, the bar rises: a site whose calls are mostly (half of a window) shorter than the bar is
   * demoted too, the bar doubling while the thread's spans still cost more than this.
   */
  maxShare?: number;
  /**
   * Sites an earlier run demoted (its report's `demoted`): each is counted from its first call,
   * as it registers, instead of recording spans until it is judged again. A site matches by
   * name, file and line.
   */
  learned?: readonly LearnedDemotion[];
}

/** A site an earlier run demoted (`DemoteOptions.learned`). */
export interface LearnedDemotion {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** It records its outermost calls (a recursive site), as `DemotedSite.keepsOutermost`. */
  readonly keepsOutermost?: boolean;
}

/** A demoted site as reports show it. */
export interface DemotedSite {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** Calls counted since demotion (not recorded as spans). */
  readonly calls: number;
  /** Spans recorded: before demotion, and outermost calls since (a recursive site). Calls plus these are every call. */
  readonly recorded: number;
  /** It still records its outermost calls (a recursive site, demote.ts): none inside one of its own. */
  readonly keepsOutermost?: boolean;
  /** Demoted as it registered, from `DemoteOptions.learned`. */
  readonly learned?: boolean;
}

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
