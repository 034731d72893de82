// A program in the shape the plugin emits: thread spans inside and around async spans, a
// rejection, work in parallel. Reports span ids it saw to stdout, for the test to match.
import { begin, end, beginAsync, suspend, resume, fail, endAsync, registerSpans, currentSpanId } from "@spanfn/tracing";
import { installOtel } from "@spanfn/otel";
import { Worker } from "node:worker_threads";

const mode = process.argv[2] ?? "natural";
const sink = installOtel({
  url: process.env.RECEIVER_URL,
  out: process.env.TRACE_OUT,
  // Exiting: nothing is sent before process.exit(), so every span goes by the last send (a batch
  // still in flight at exit is counted as such, and a loaded machine would leave one).
  scheduledDelayMillis: mode === "exit" ? 60_000 : 50,
  initialBackoffMillis: 50,
  serviceName: "mixed-test",
  writerThread: process.env.ON_THREAD !== "1",
});

const first = registerSpans("app/main", "/app/main.ts", [["main", 1], ["handle", 10], ["parse", 20], ["load", 30], ["broken", 40]]);
const [MAIN, HANDLE, PARSE, LOAD, BROKEN] = [0, 1, 2, 3, 4].map((i) => first + i);

const tick = (ms) => new Promise((r) => setTimeout(r, ms));

function parse(x) {
  const t = begin(PARSE);
  try {
    return x * 2;
  } finally {
    end(t);
  }
}

async function load(x) {
  const span = beginAsync(LOAD);
  try {
    parse(x);
    resume(span, await suspend(span, tick(5)));
    return parse(x + 1);
  } catch (e) {
    fail(span);
    throw e;
  } finally {
    endAsync(span);
  }
}

async function broken() {
  const span = beginAsync(BROKEN);
  try {
    resume(span, await suspend(span, tick(1)));
    throw new Error("nope");
  } catch (e) {
    fail(span);
    throw e;
  } finally {
    endAsync(span);
  }
}

async function handle(n) {
  const span = beginAsync(HANDLE);
  try {
    const values = resume(span, await suspend(span, Promise.all([load(n), load(n + 1)])));
    try {
      resume(span, await suspend(span, broken()));
    } catch {
      resume(span);
    }
    return values;
  } catch (e) {
    fail(span);
    throw e;
  } finally {
    endAsync(span);
  }
}

function main() {
  const t = begin(MAIN);
  try {
    return handle(1);
  } finally {
    end(t);
  }
}

await main();
await new Promise((resolve, reject) => {
  const worker = new Worker(new URL("./worker.mjs", import.meta.url));
  // Its last block reaches this thread before "exit" fires.
  worker.on("exit", resolve);
  worker.on("error", reject);
});
await tick(10);
if (mode === "exit") process.exit(3);
if (mode === "stats") {
  await sink.flush();
  console.log(JSON.stringify(sink.stats()));
}
