/**
 * Links a worker thread to the span that created it. Node publishes every new Worker on the
 * `worker_threads` diagnostics channel from inside its constructor, so the span current at
 * `new Worker()` is still current in the subscriber: the record is exact, and the hot path is
 * untouched. A Node without the channel gets no links.
 */
import * as diagnostics from "node:diagnostics_channel";
import { recordWorkerStart } from "../worker-start.js";
import { state } from "../state.js";

const CHANNEL = "worker_threads";

function onWorker(message: unknown): void {
  // Whatever Node hands over, the program's `new Worker()` must not fail because of spanfn.
  try {
    const id: unknown = (message as { worker?: { threadId?: unknown } } | null)?.worker?.threadId;
    if (typeof id === "number" && id > 0 && !state.node.startingOwnThread) recordWorkerStart(id);
  } catch {
    // Nothing to record.
  }
}

export function linkWorkers(): void {
  const s = state;
  if (s.node.workerLinks) return;
  if (typeof diagnostics.subscribe !== "function") return;
  diagnostics.subscribe(CHANNEL, onWorker);
  s.node.workerLinks = true;
}
