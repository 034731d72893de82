// Main and two workers record spans; the workers exit normally before main does.
import { Worker } from "node:worker_threads";
import { begin, end, registerSpans } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

const out = process.argv[2];
install({ out });
const s = registerSpans("programs/workers", "workers.mjs", [["main work", 1]]);
end(begin(s));

const runs = [3, 5].map(
  (n) =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL("./worker-body.mjs", import.meta.url), { workerData: { n, leaveOpen: n === 5 } });
      w.on("error", reject);
      w.on("exit", resolve);
    }),
);
// Nothing else to wait for: a worker hands over its last blocks before its exit event fires.
await Promise.all(runs);
