/**
 * What the program's thread and the writer thread say to each other (writer.ts, writer-thread.ts).
 * Blocks travel with their buffers transferred, not copied; a thread's info, clock and metadata
 * go once, and new metadata entries with the block that first uses them.
 */
import type { ClockInfo } from "../clock.js";
import type { ThreadInfo } from "../events.js";
import type { SpanMetadata } from "../metadata.js";
import type { MessagePort } from "node:worker_threads";
import type { ProcessInfo, RuntimeReport } from "../sinks/sink.js";
import type { Summary } from "../read/summary.js";

export type TraceFormat = "json" | "perfetto";

export interface WriterSetup {
  readonly out: string;
  readonly format: TraceFormat;
  readonly processName: string | undefined;
  readonly process: ProcessInfo;
  /** Aggregate the summary `spanfn run` prints at exit as the blocks are written. */
  readonly summary: boolean;
  /** Int32 slots shared with the program's thread, indexed by the CONTROL_* constants. */
  readonly control: SharedArrayBuffer;
}

/** The writer's state: running, or done (finished or stopped by a bug): nothing more will come. */
export const CONTROL_STATE = 0;
/** Slots of the buffers the writer is done with, modulo 2^32 (a difference of two such counts is exact). */
export const CONTROL_SLOTS_DONE = 1;
/** Events written of the blocks whose buffers were transferred (not lent), modulo 2^32. */
export const CONTROL_TRANSFERRED_EVENTS_DONE = 2;
/** 1 once the writer cannot write: the program's thread stops sending and counts the loss. */
export const CONTROL_FAILED = 3;
/** Blocks the writer is done with, in the order they came, modulo 2^32: their buffers may be written again. */
export const CONTROL_BLOCKS_DONE = 4;
export const CONTROL_LENGTH = 5;

export const WRITER_RUNNING = 0;
export const WRITER_DONE = 1;

export interface BlockMessage {
  readonly kind: "block";
  readonly threadId: number;
  /** First block of a thread: who it is and how its ticks read. */
  readonly thread?: ThreadInfo;
  readonly clock?: ClockInfo;
  /** The thread's metadata entries from index `metadataFrom` on, new since its last block. */
  readonly metadata: readonly SpanMetadata[];
  readonly metadataFrom: number;
  readonly data: Float64Array;
  readonly length: number;
  readonly sequence: number;
}

export interface FinishMessage {
  readonly kind: "finish";
  readonly report: RuntimeReport;
  /** The writer answers here once done; the program's thread reads it without its event loop. */
  readonly reply: MessagePort;
}

export type ToWriter = BlockMessage | FinishMessage;

/** A buffer the writer is done with, back for reuse (one that was transferred; shared ones are not sent back). */
export interface FreeMessage {
  readonly kind: "free";
  readonly data: Float64Array;
}

/** The writer could not write (the file could not be opened, the disk is full…): what it lost. */
export interface FailedMessage {
  readonly kind: "failed";
  readonly message: string;
}

export type FromWriter = FreeMessage | FailedMessage;

/** The last word, on the finish message's port. */
export interface WriterReply {
  /** Events the writer took and could not write. */
  readonly lostEvents: number;
  readonly error: string | undefined;
  /** What the writer wrote, summarised (when asked for). */
  readonly summary: Summary | undefined;
}
