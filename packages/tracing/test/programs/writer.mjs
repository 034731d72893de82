// Records nested spans in a hot loop and leaves as argv[2] says, writing the trace file argv[3]
// with the writer argv[4] ("thread" or "inline"). "late": the writer gets no time to finish at
// exit (a 1 ms deadline), and argv[5] caps the buffered bytes.
import { begin, beginAsync, end, endAsync, flush, registerSpans } from "@spanfn/tracing";
import { install, TraceWriterSink } from "@spanfn/tracing/node";

const [mode, out, writer = "thread", cap] = process.argv.slice(2);
const maxBufferedBytes = cap === undefined ? undefined : Number(cap);
if (mode === "late") install({ sink: new TraceWriterSink(out, { deadlineMs: 1 }), maxBufferedBytes, demote: false, flushIntervalMs: 0 });
else install({ out, writer, demote: false, flushIntervalMs: 0 });
const s = registerSpans("programs/writer", "writer.mjs", [["outer", 1], ["inner", 2], ["async", 3]]);

const spans = 30000;
for (let i = 0; i < spans; i++) {
  const o = begin(s);
  end(begin(s + 1));
  end(o);
}
const a = beginAsync(s + 2);
flush();
process.stdout.write("recorded\n");
switch (mode) {
  case "normal":
  case "late":
    endAsync(a);
    break;
  case "exit":
    process.exit(4);
  case "throw":
    throw new Error("crash while the writer works");
  case "sigterm":
    process.kill(process.pid, "SIGTERM");
    setTimeout(() => {}, 5000);
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
