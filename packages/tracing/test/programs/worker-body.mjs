// A worker's own spans: it never calls install(); loading the runtime is enough.
import { begin, end, beginAsync, endAsync, resume, suspend, registerSpans } from "@spanfn/tracing";
import { workerData } from "node:worker_threads";

const s = registerSpans("programs/worker", "worker-body.mjs", [["worker task", 1], ["worker step", 2], ["left open", 3]]);
if (workerData.leaveOpen) begin(s + 2);
for (let i = 0; i < workerData.n; i++) {
  const task = beginAsync(s);
  end(begin(s + 1));
  resume(task, await suspend(task, new Promise((r) => setTimeout(r, 1))));
  endAsync(task);
}
