/**
 * What the program's thread and the writer thread say to each other (writer.ts, writer-thread.ts).
 * Blocks travel lent, in shared memory, or as copies (never transferred: see writer.ts); a thread's
 * info, clock and metadata go once, and new metadata entries with the block that first uses them.
 */
import type { ClockInfo } from "../clock.js";
import type { ThreadInfo } from "../events.js";
import type { SpanMetadata } from "../events.js";
import type { MessagePort } from "node:worker_threads";
import type { ProcessInfo, RuntimeReport } from "../sinks/sink.js";
import type { BlockMessage } from "../block-message.js";
import type { Summary } from "../read/summary.js";

export type TraceFormat = "json" | "perfetto";

/** An output the writer thread hosts beside the trace file (writer-output.ts says what it exports). */
export interface WriterOutputSpec {
  /** Where the output's ES module is: a file URL, an absolute path, or a name the writer thread can import. */
  readonly module: string;
  /** Handed to the module's factory: structured-cloneable. */
  readonly options: unknown;
}

export interface WriterSetup {
  /** The trace file; absent when the writer only feeds its outputs. */
  readonly out: string | undefined;
  readonly outputs: readonly WriterOutputSpec[];
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
/** Events written of the blocks that came as copies (not lent), modulo 2^32. */
export const CONTROL_COPIED_EVENTS_DONE = 2;
/** 1 once the writer cannot write: the program's thread stops sending and counts the loss. */
export const CONTROL_FAILED = 3;
/** Blocks the writer is done with, in the order they came, modulo 2^32: their buffers may be written again. */
export const CONTROL_BLOCKS_DONE = 4;
export const CONTROL_LENGTH = 5;

export const WRITER_RUNNING = 0;
export const WRITER_DONE = 1;

/** A sealed block, as the writer thread receives it. */
export type { BlockMessage } from "../block-message.js";

/** Asks the outputs to send what they hold; answered on `reply` with a FlushReply. */
export interface FlushMessage {
  readonly kind: "flush";
  /** Epoch milliseconds by which the answer is due. */
  readonly deadline: number;
  readonly reply: MessagePort;
}

export interface FinishMessage {
  readonly kind: "finish";
  readonly report: RuntimeReport;
  /** Epoch milliseconds after which the program's thread stops waiting: the reply must be posted before. */
  readonly deadline: number;
  /** The writer answers here once done; the program's thread reads it without its event loop. */
  readonly reply: MessagePort;
}

export type ToWriter = BlockMessage | FlushMessage | FinishMessage;

/** The writer could not write (the file could not be opened, the disk is full…): what it lost. */
export interface FailedMessage {
  readonly kind: "failed";
  readonly message: string;
}

/** A warning from an output, for the program's stderr (the writer thread's own would go unseen at exit). */
export interface WarnMessage {
  readonly kind: "warn";
  readonly message: string;
}

export type FromWriter = FailedMessage | WarnMessage;

/** How one output did. */
export interface OutputReport {
  readonly module: string;
  /** What the output's `result()` returned (its own stats), if it has one and got that far. */
  readonly result: unknown;
  /** Why the output failed (could not load, threw), if it did. */
  readonly error: string | undefined;
  /** Events the output did not take because it had failed. */
  readonly lostEvents: number;
}

export interface FlushReply {
  /** True when every output finished its flush before the deadline. */
  readonly done: boolean;
  readonly outputs: readonly OutputReport[];
}

/** The last word, on the finish message's port. */
export interface WriterReply {
  /** Events the writer took and could not write. */
  readonly lostEvents: number;
  readonly error: string | undefined;
  /** What the writer wrote, summarised (when asked for). */
  readonly summary: Summary | undefined;
  readonly outputs: readonly OutputReport[];
  /** Every warning the writer gave, in order; the program's thread prints those it has not read as messages. */
  readonly warnings: readonly string[];
}
