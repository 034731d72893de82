/**
 * The script a page's trace worker runs (bundled into worker-source's string at build time):
 * the handler of trace-worker.ts on the worker's own message port.
 */
import { createTraceWorker } from "./trace-worker.js";
import type { FromTraceWorker, ToTraceWorker } from "./worker-protocol.js";

interface WorkerScope {
  postMessage(message: FromTraceWorker, transfer: ArrayBuffer[]): void;
  onmessage: ((event: { data: ToTraceWorker }) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
const handle = createTraceWorker((message, transfer) => scope.postMessage(message, transfer ?? []));
scope.onmessage = (event) => handle(event.data);
