// What a recorded thread span costs in memory once it sits in a sink that keeps every block.
// Needs --expose-gc: only a full collection before each reading separates what the spans keep
// alive from garbage the loop left behind.
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { begin, configure, end, flush, forEachRecord, InMemorySink, registerSpans, setSink } from "@spanfn/tracing";
import { main, work } from "../harness.mjs";

const sink = new InMemorySink();
setSink(sink);
// Every span is to be kept: no demotion to a counter.
configure({ demote: false });

const TRACED = registerSpans("bench/memory", "bench/cases/memory.mjs", [["traced", 1]]);

function traced(x) {
  const t = begin(TRACED);
  try {
    return work(x);
  } finally {
    end(t);
  }
}

function record(n) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + traced(i)) | 0;
  return acc;
}

// Array buffers live outside the V8 heap, and blocks are Float64Arrays: heapUsed alone would
// miss nearly all of it. Their backing stores are freed after the collection that found them
// dead, so the count is only settled after a turn of the event loop and a second collection.
async function retained() {
  globalThis.gc();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, total: m.heapUsed + m.arrayBuffers };
}

/** The same span kept by OpenTelemetry JS: an in-memory exporter behind a simple processor. */
function otelRecorder() {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const tracer = trace.getTracer("bench");
  const traced = (x) =>
    tracer.startActiveSpan("traced", (span) => {
      try {
        return work(x);
      } finally {
        span.end();
      }
    });
  return {
    exporter,
    record(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + traced(i)) | 0;
      return acc;
    },
  };
}

function perSpan(before, after, spans) {
  return {
    unit: "bytes/span",
    spans,
    bytesPerSpan: (after.total - before.total) / spans,
    heapBytesPerSpan: (after.heapUsed - before.heapUsed) / spans,
    arrayBufferBytesPerSpan: (after.arrayBuffers - before.arrayBuffers) / spans,
    before,
    after,
  };
}

const cases = {
  "memory-otel": {
    async measure(quick) {
      if (typeof globalThis.gc !== "function") throw new Error("memory case needs node --expose-gc");
      const spans = quick ? 50_000 : 100_000;
      const otel = otelRecorder();
      let checksum = otel.record(5_000);
      otel.exporter.reset();
      const before = await retained();
      checksum = (checksum + otel.record(spans)) | 0;
      const after = await retained();
      const kept = otel.exporter.getFinishedSpans().length;
      if (kept !== spans) throw new Error(`the exporter kept ${kept} spans of ${spans}`);
      return { ...perSpan(before, after, spans), checksum };
    },
  },
  "memory-thread-span": {
    async measure(quick) {
      if (typeof globalThis.gc !== "function") throw new Error("memory case needs node --expose-gc");
      const spans = quick ? 100_000 : 1_000_000;
      // Warm up first so code compiled for the loop is not counted as span memory, then drop the
      // warm-up's blocks.
      let checksum = record(50_000);
      flush();
      sink.clear();
      const before = await retained();
      checksum = (checksum + record(spans)) | 0;
      // Seal the partly filled block too, so every span counted is in the sink.
      flush();
      const after = await retained();
      const events = sink.blocks.reduce((sum, block) => sum + forEachRecord(block, () => {}), 0);
      return { ...perSpan(before, after, spans), events, blocks: sink.blocks.length, checksum };
    },
  },
};

await main(cases);
