// A worker calls a tiny function many times: it is demoted there, and its count (with the spans
// recorded before demotion) must reach the main thread's trace exactly.
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { begin, end, flush, registerSpans } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

const CALLS = 20000;

if (isMainThread) {
  install({ out: process.argv[2] });
  await new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url));
    w.on("error", reject);
    w.on("exit", resolve);
  });
} else {
  const tiny = registerSpans("programs/worker-demote", "worker-demote.mjs", [["tiny", 1]]);
  let sum = 0;
  for (let i = 0; i < CALLS; i++) {
    const t = begin(tiny);
    sum += i;
    end(t);
    // Demotion is judged as blocks are sealed: seal often, as a long-running worker would.
    if (i % 500 === 499) flush();
  }
  parentPort.postMessage(sum);
}
