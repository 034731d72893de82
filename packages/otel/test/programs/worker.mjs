// Runs one instrumented function on a worker thread; its blocks reach the main thread's sink.
import { begin, end, registerSpans } from "@spanfn/tracing";
import { parentPort } from "node:worker_threads";

const CRUNCH = registerSpans("app/worker", "/app/worker.ts", [["crunch", 5]]);

function crunch(n) {
  const t = begin(CRUNCH);
  try {
    let x = 0;
    for (let i = 0; i < n; i++) x += i;
    return x;
  } finally {
    end(t);
  }
}

parentPort.postMessage(crunch(1000));
