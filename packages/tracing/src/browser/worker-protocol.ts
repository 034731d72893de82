/**
 * What a page's thread and its trace worker (trace-worker.ts) say to each other. Blocks travel as
 * copies (never transferred from the page: see trace-sink.ts), which the worker keeps; a thread's
 * info, clock and metadata go once, and new metadata entries with the block that first uses them.
 */
import type { BlockMessage } from "../block-message.js";
import type { ProcessInfo, RuntimeReport } from "../sinks/sink.js";

export type BrowserTraceFormat = "json" | "perfetto";

export interface StartMessage {
  readonly kind: "start";
  readonly format: BrowserTraceFormat;
  readonly processName: string | undefined;
  readonly process: ProcessInfo;
}

/** A sealed block, as the worker receives it. */
export type { BlockMessage } from "../block-message.js";

/** Asks for the trace: as written so far, or, with the runtime's report, finished. */
export interface TraceRequest {
  readonly kind: "trace";
  readonly id: number;
  readonly report?: RuntimeReport;
}

export type ToTraceWorker = StartMessage | BlockMessage | TraceRequest;

/** The worker took the start message: it holds the blocks sent to it from now on. */
export interface ReadyMessage {
  readonly kind: "ready";
}

/** The worker is done with a block of this many slots: the page no longer counts it as held. */
export interface FreeMessage {
  readonly kind: "free";
  readonly slots: number;
}

/** The trace asked for, as bytes (UTF-8 JSON or Perfetto protobuf), its buffer transferred. */
export interface TraceReply {
  readonly kind: "trace";
  readonly id: number;
  readonly bytes: Uint8Array;
}

/** The worker could not go on (a bug): the page's thread encodes from then on. */
export interface FailedMessage {
  readonly kind: "failed";
  readonly message: string;
}

export type FromTraceWorker = ReadyMessage | FreeMessage | TraceReply | FailedMessage;
