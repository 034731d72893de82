// Writes a trace file from a bundle: `trace-file <out> inline|thread`.
import { TraceWriterSink, install } from "@spanfn/tracing/node";

const [out, writer] = process.argv.slice(2);
// The writer thread with a short deadline: a writer that never starts costs a second, not ten.
install(writer === "thread" ? { sink: new TraceWriterSink(out, { deadlineMs: 1000 }) } : { out, writer: "inline" });

/** @spanFn */
function work(n: number): number {
  return n * 2;
}

console.log(work(21));
