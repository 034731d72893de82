// A worker's root span ("task") with one span inside it, then its answer to the main thread.
import { begin, end, registerSpans } from "@spanfn/tracing";
import { parentPort, workerData } from "node:worker_threads";

const s = registerSpans("programs/worker-links-body", "worker-links-body.mjs", [["task", 1], ["step", 2]]);
const task = begin(s);
for (let i = 0; i < workerData; i++) end(begin(s + 1));
end(task);
parentPort.postMessage(workerData);
