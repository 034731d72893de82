// Records spans into a TraceWriterSink before and after its thread takes the blocks (a flush of
// its outputs starts it), keeping each block's buffer as it is handed over; prints how many were
// handed over and how many of them were detached on this thread, then writes the trace argv[2].
import { begin, end, flush, registerSpans } from "@spanfn/tracing";
import { install, TraceWriterSink } from "@spanfn/tracing/node";

const sink = new TraceWriterSink(process.argv[2]);
const handed = [];
install({
  sink: {
    init: (process) => sink.init(process),
    block: (block) => {
      handed.push(block.data);
      return sink.block(block);
    },
    heldBytes: () => sink.heldBytes(),
    shutdown: (report) => sink.shutdown(report),
  },
  demote: false,
  flushIntervalMs: 0,
});
const s = registerSpans("programs/writer-buffers", "writer-buffers.mjs", [["outer", 1], ["inner", 2]]);
const record = () => {
  for (let i = 0; i < 50000; i++) {
    const o = begin(s);
    end(begin(s + 1));
    end(o);
  }
  flush();
};
record();
await sink.flushOutputs(5000);
record();
const detached = handed.filter((data) => data.byteLength === 0).length;
process.stdout.write(`${JSON.stringify({ handed: handed.length, detached })}\n`);
