// Counts Node's unhandled-rejection reports for promises passed through instrumentPromise.
import { instrumentPromise, registerSpans, InMemorySink, setSink, flush } from "@spanfn/tracing";

const sink = new InMemorySink();
setSink(sink);
const s = registerSpans("programs/rejections", "rejections.mjs", [["wrapped", 1]]);
const reports = [];
process.on("unhandledRejection", (reason) => reports.push(String(reason.message)));

const handled = instrumentPromise(Promise.reject(new Error("handled")), s);
handled.catch(() => {});
instrumentPromise(Promise.reject(new Error("left alone")), s);
const thenable = { then: () => { throw new Error("a foreign thenable was called"); } };
const same = instrumentPromise(thenable, s) === thenable;

setTimeout(() => {
  flush();
  const outcomes = sink.events().filter((e) => e.kind === "async-end").map((e) => e.outcome);
  console.log(JSON.stringify({ reports, same, outcomes }));
}, 20);
