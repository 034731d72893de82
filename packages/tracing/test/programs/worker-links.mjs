// Workers created inside spans: one by a thread span, one by an async span that awaits the
// worker's answer. Prints what three sinks made of it: the in-memory spans (name, thread, parent's
// name), the Chrome trace and the Perfetto trace (base64). `async-context` as argument: the AsyncLocalStorage mode.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { begin, beginAsync, ChromeTraceSink, end, endAsync, InMemorySink, PerfettoTraceSink, registerSpans, resume, shutdown, suspend, TeeSink } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";

const memory = new InMemorySink();
const chrome = new ChromeTraceSink();
const perfetto = new PerfettoTraceSink();
install({ sink: new TeeSink([memory, chrome, perfetto]), asyncContext: process.argv[2] === "async-context", onExit: () => {} });
const s = registerSpans("programs/worker-links", "worker-links.mjs", [["starts worker", 1], ["awaits worker", 2], ["after", 3]]);
const body = new URL("./worker-links-body.mjs", import.meta.url);

const starter = begin(s);
const first = new Worker(body, { workerData: 2 });
end(begin(s + 2));
end(starter);
await once(first, "exit");

const awaiter = beginAsync(s + 1);
const second = new Worker(body, { workerData: 3 });
const [answer] = resume(awaiter, await suspend(awaiter, once(second, "message")));
endAsync(awaiter);
await once(second, "exit");

// Created with no span current: nothing to link it to.
await once(new Worker(body, { workerData: 1 }), "exit");

shutdown();
console.log(JSON.stringify({ answer, spans: memory.spans().map((span) => [span.name, span.thread.id, span.parent?.name ?? null]), chrome: chrome.text(), perfetto: Buffer.from(perfetto.bytes()).toString("base64") }));
