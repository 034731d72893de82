/**
 * What a page's thread and its trace worker (trace-worker.ts) say to each other. Blocks travel
 * with their buffers transferred, not copied, and come back for reuse; a thread's info, clock and
 * metadata go once, and new metadata entries with the block that first uses them.
 */
import type { ClockInfo } from "../clock.js";
import type { SpanMetadata, ThreadInfo } from "../events.js";
import type { ProcessInfo, RuntimeReport } from "../sinks/sink.js";

export type BrowserTraceFormat = "json" | "perfetto";

export interface StartMessage {
  readonly kind: "start";
  readonly format: BrowserTraceFormat;
  readonly processName: string | undefined;
  readonly process: ProcessInfo;
}

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

/** Asks for the trace: as written so far, or, with the runtime's report, finished. */
export interface TraceRequest {
  readonly kind: "trace";
  readonly id: number;
  readonly report?: RuntimeReport;
}

export type ToTraceWorker = StartMessage | BlockMessage | TraceRequest;

/** The worker took the start message: blocks may be transferred to it from now on. */
export interface ReadyMessage {
  readonly kind: "ready";
}

/** A buffer the worker is done with, back for reuse. */
export interface FreeMessage {
  readonly kind: "free";
  readonly data: Float64Array;
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
