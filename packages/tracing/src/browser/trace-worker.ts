/**
 * The trace worker's side: encodes the blocks a page's thread sends it (Chrome JSON or Perfetto),
 * says when it is done with each, and answers requests for the trace. Free of any global, so
 * the same code runs in a Web Worker (worker-entry.ts) and, in tests, behind a MessageChannel.
 */
import { BlockReceiver } from "../block-message.js";
import { ChromeTraceWriter } from "../sinks/chrome.js";
import { PerfettoTraceWriter } from "../sinks/perfetto.js";
import type { TraceWriter } from "../sinks/trace-writer.js";
import type { BlockMessage, FromTraceWorker, StartMessage, ToTraceWorker, TraceRequest } from "./worker-protocol.js";

export type PostToPage = (message: FromTraceWorker, transfer?: ArrayBuffer[]) => void;

/** The worker's message handler: every message from the page's thread goes through it, in order. */
export function createTraceWorker(post: PostToPage): (message: ToTraceWorker) => void {
  const received = new BlockReceiver();
  const chunks: Uint8Array[] = [];
  let encoder: TraceWriter | null = null;
  let format: StartMessage["format"] = "json";
  let finished = false;

  const start = (message: StartMessage): void => {
    format = message.format;
    const write = (chunk: Uint8Array) => chunks.push(chunk);
    encoder = format === "perfetto" ? new PerfettoTraceWriter(write, { processName: message.processName }) : new ChromeTraceWriter(write, { processName: message.processName, bytes: true });
    encoder.start(message.process);
    post({ kind: "ready" });
  };

  const block = (message: BlockMessage): void => {
    const eventBlock = received.block(message);
    if (!finished) encoder!.block(eventBlock);
    post({ kind: "free", slots: message.data.length });
  };

  const trace = (request: TraceRequest): void => {
    if (request.report !== undefined && !finished) {
      finished = true;
      encoder!.finish(request.report);
    }
    const bytes = joined(chunks, format === "json" && !finished ? "\n]\n" : "");
    post({ kind: "trace", id: request.id, bytes }, [bytes.buffer as ArrayBuffer]);
  };

  return (message) => {
    try {
      if (message.kind === "start") start(message);
      else if (message.kind === "block") block(message);
      else trace(message);
    } catch (error) {
      post({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** The chunks as one byte array, with `tail` after them (what closes a JSON trace still being written). */
function joined(chunks: readonly Uint8Array[], tail = ""): Uint8Array {
  const parts = tail === "" ? chunks : [...chunks, new TextEncoder().encode(tail)];
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
