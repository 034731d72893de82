// Builds a report on a worker thread: its spans land on their own track of the same trace.
import { workerData } from "node:worker_threads";
import { begin, end, registerSpans } from "@spanfn/tracing";

const build = registerSpans("examples/runtime-demo/report-worker", "examples/runtime-demo/report-worker.mjs", [["buildReport", 6]]);
for (let page = 0; page < workerData.orders; page++) {
  const t = begin(build);
  try {
    let checksum = 0;
    for (let i = 0; i < 50_000; i++) checksum = (checksum * 31 + i) >>> 0;
  } finally {
    end(t);
  }
}
