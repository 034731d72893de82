// install() in a program whose main thread has no instrumented function: "markers", a function
// marked with a comment but built without the Babel plugin (nothing reads the comment); "worker",
// the instrumented work all in a worker. Writes its trace to argv[3].
import { Worker } from "node:worker_threads";
import { install } from "@spanfn/tracing/node";

const [mode, out] = process.argv.slice(2);
install({ out, writer: "inline" });

/** @spanFn */
function total(values) {
  return values.reduce((a, b) => a + b, 0);
}

if (mode === "worker") {
  await new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker-body.mjs", import.meta.url), { workerData: { n: 2, leaveOpen: false } });
    worker.on("error", reject);
    worker.on("exit", resolve);
  });
}
console.log(total([1, 2, 3]));
