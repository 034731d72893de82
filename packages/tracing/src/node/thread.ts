/**
 * Tells the runtime which Node thread it records on. Span ids of a worker start at
 * `threadId * 2^32`, so ids stay unique across a process's threads (exact in a Float64 slot).
 */
import { isMainThread, threadId } from "node:worker_threads";
import * as workerThreads from "node:worker_threads";
import { state } from "../state.js";

export const SPAN_IDS_PER_THREAD = 2 ** 32;

let identified = false;

export function identifyThread(): void {
  if (identified) return;
  identified = true;
  const named = (workerThreads as { threadName?: unknown }).threadName;
  state.thread = {
    id: threadId,
    name: isMainThread ? "main" : typeof named === "string" && named !== "" ? named : `worker ${threadId}`,
  };
  state.processId = process.pid;
  if (!isMainThread && state.nextSpanId < SPAN_IDS_PER_THREAD) {
    state.nextSpanId = threadId * SPAN_IDS_PER_THREAD + state.nextSpanId;
  }
}

export { isMainThread };
