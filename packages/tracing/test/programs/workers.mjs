// Main and two workers record spans; the workers exit normally before main does.
import { BroadcastChannel, Worker } from "node:worker_threads";
import { begin, end, registerSpans } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

const out = process.argv[2];
install({ out });
const s = registerSpans("programs/workers", "workers.mjs", [["main work", 1]]);
end(begin(s));

// Listen beside the runtime for each worker's last message, so the trace is written only after
// every worker's blocks arrived, however slow the machine.
const exits = new BroadcastChannel("spanfn:blocks:v0");
let exited = 0;
const allExited = new Promise((resolve) => {
  exits.onmessage = (event) => {
    if (event.data.kind === "exit" && ++exited === 2) resolve();
  };
});
const runs = [3, 5].map(
  (n) =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL("./worker-body.mjs", import.meta.url), { workerData: { n, leaveOpen: n === 5 } });
      w.on("error", reject);
      w.on("exit", resolve);
    }),
);
await Promise.all(runs);
await allExited;
exits.close();
