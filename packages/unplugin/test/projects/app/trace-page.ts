// The app's trace page: records through BrowserTraceSink (a Web Worker encodes the trace, or the
// page's thread where the page's Content-Security-Policy forbids the worker), and hands the
// finished trace to the test through `window`.
import { BrowserTraceSink, setSink, shutdown } from "@spanfn/tracing";
import { DiskStore, MemoryCache, price, validate } from "./service";

const format = new URLSearchParams(location.search).get("format") === "perfetto" ? "perfetto" : "json";
const sink = new BrowserTraceSink({ format, processName: "trace page" });
setSink(sink);

async function main() {
  for (let i = 0; i < 500 && sink.mode === "starting"; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await Promise.all([new MemoryCache().get("a"), new DiskStore().load("b")]);
  price(3, 7);
  try {
    await validate("");
  } catch {
    // Recorded as a rejected span.
  }
  const soFar = await sink.trace();
  shutdown();
  const trace = await sink.trace();
  return { mode: sink.mode, format, soFar: soFar.length, trace: Array.from(trace), lostEvents: sink.lostEvents };
}

(window as unknown as { spanfnResult: Promise<unknown> }).spanfnResult = main();
