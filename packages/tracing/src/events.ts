/**
 * The flat event model. A block is a Float64Array of records laid end to end; each record starts
 * with a head `metadataId * 8 + kind`, so decoding needs no side table and a record's size
 * follows from its kind. Float64 holds integers exactly up to 2^53, far beyond any id here.
 *
 *   thread begin  [head, tick]                         2 slots
 *   thread end    [head, tick]                         2 slots
 *   thread span   [head, beginTick, endTick]           3 slots: a span that ended with nothing
 *                                                      written since its begin (a leaf, most spans)
 *                                                      turns its begin into this at its end, so it
 *                                                      takes 24 bytes instead of 32. Readers see it
 *                                                      as a begin and an end (decode.ts).
 *   async begin   [head, tick, spanId, parentId, depth] 5 slots
 *   async end     [head, tick, spanId]                 3 slots (the kind carries the outcome)
 *   thread begin  [head, tick, parentId]               3 slots: the outermost thread span since
 *     inside       async span `parentId` last became current. Order alone cannot tell whether
 *                  that span was still running or had suspended, so the parent is written down.
 *
 * A negative parent id is not a spanfn span: it names a context from outside (an OpenTelemetry
 * span current when a root span began), as returned by the hook set with `linkRootSpans`.
 */
import type { ClockInfo } from "./clock.js";
import type { SpanMetadata } from "./metadata.js";

export const EventKind = {
  /** A whole thread span in one record; `forEachRecord` reports it as a begin and an end. */
  threadComplete: 0,
  threadBegin: 1,
  threadEnd: 2,
  asyncBegin: 3,
  asyncFulfilled: 4,
  asyncRejected: 5,
  /** A foreign thenable was returned: spanfn never calls its `then`, so the span ends at return. */
  asyncDetached: 6,
  threadBeginInside: 7,
} as const;

export type EventKindValue = (typeof EventKind)[keyof typeof EventKind];

export const KIND_BITS = 8;

export const RECORD_SLOTS: readonly number[] = [3, 2, 2, 5, 3, 3, 3, 3];

/** The largest record: a writer that has this many free slots can write any event. */
export const MAX_RECORD_SLOTS = 5;

export type Outcome = "fulfilled" | "rejected" | "detached";

export const OUTCOME_BY_KIND: Readonly<Record<number, Outcome>> = {
  [EventKind.asyncFulfilled]: "fulfilled",
  [EventKind.asyncRejected]: "rejected",
  [EventKind.asyncDetached]: "detached",
};

export interface ThreadInfo {
  /** `worker_threads.threadId` in Node (0 = main thread); 0 elsewhere. */
  readonly id: number;
  readonly name: string;
}

/** What a sink receives: one thread's events, in order, with what it takes to read them. */
export interface EventBlock {
  readonly thread: ThreadInfo;
  readonly clock: ClockInfo;
  /** The thread's metadata table, indexed by the ids in the heads. */
  readonly metadata: readonly SpanMetadata[];
  readonly data: Float64Array;
  /** Slots of `data` in use. */
  readonly length: number;
  /** Position of this block in its thread's stream, from 0. */
  readonly sequence: number;
}
