// A worker created inside an async span that awaits its answer: the worker's span (crunch) is
// a child of that span, in its trace.
import { beginAsync, endAsync, registerSpans, resume, suspend } from "@spanfn/tracing";
import { installOtel } from "@spanfn/otel";
import { once } from "node:events";
import { Worker } from "node:worker_threads";

installOtel({ url: process.env.RECEIVER_URL, scheduledDelayMillis: 50, serviceName: "linked-test", writerThread: process.env.ON_THREAD !== "1" });
const DISPATCH = registerSpans("app/main", "/app/main.ts", [["dispatch", 1]]);

const span = beginAsync(DISPATCH);
const worker = new Worker(new URL("./worker.mjs", import.meta.url));
const [answer] = resume(span, await suspend(span, once(worker, "message")));
endAsync(span);
await once(worker, "exit");
console.log(answer);
