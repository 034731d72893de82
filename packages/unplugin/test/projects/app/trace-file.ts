// Writes a trace file from a bundle: `trace-file <out> inline|thread`.
import { install } from "@spanfn/tracing/node";

const [out, writer] = process.argv.slice(2);
// "thread", the default: in a bundle the writer thread cannot start, and the trace is written inline.
install(writer === "thread" ? { out } : { out, writer: "inline" });

/** @spanFn */
function work(n: number): number {
  return n * 2;
}

console.log(work(21));
