// What exporting costs per span, off the program's hot path: assembling blocks into spans (on
// the main thread, as blocks are flushed), then building ReadableSpans and serializing them as
// the OTLP exporters do (JSON and protobuf). Recording itself is measured by run.mjs.
//
//   node bench/otel-export.mjs [--spans N]
import { begin, beginAsync, configure, end, endAsync, flush, registerSpans, setSink } from "@spanfn/tracing";
import { OtelSink } from "@spanfn/otel";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

const arg = process.argv.indexOf("--spans");
const SPANS = arg > 0 ? Number(process.argv[arg + 1]) : 200_000;

const blocks = [];
configure({ sink: { block: (b) => void blocks.push(b) }, enabled: true });
const first = registerSpans("bench/otel", "bench/otel-export.mjs", [["outer", 1], ["inner", 2], ["task", 3]]);
for (let i = 0; i < SPANS / 4; i++) {
  const task = beginAsync(first + 2);
  const t = begin(first);
  const u = begin(first + 1);
  end(u);
  end(t);
  const v = begin(first + 1);
  end(v);
  endAsync(task);
}
flush();
setSink(null);

function measure(label, serializer) {
  const batches = [];
  const exporter = {
    export(spans, done) {
      if (serializer !== null) serializer.serializeRequest(spans);
      else batches.push(spans.length);
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  const sink = new OtelSink({ exporter, maxQueueSize: SPANS * 2, maxExportBatchSize: 2048, joinActiveContext: false, warn: () => {} });
  const t0 = performance.now();
  for (const block of blocks) sink.block(block);
  const t1 = performance.now();
  return sink.flush(60_000).then(() => {
    const t2 = performance.now();
    const stats = sink.stats();
    if (stats.exported !== SPANS) throw new Error(`exported ${stats.exported} of ${SPANS}`);
    return { label, assembleNs: ((t1 - t0) * 1e6) / SPANS, exportNs: ((t2 - t1) * 1e6) / SPANS };
  });
}

const rows = [];
for (const [label, serializer] of [["no serialization", null], ["OTLP/JSON", JsonTraceSerializer], ["OTLP/protobuf", ProtobufTraceSerializer]]) {
  await measure(label, serializer); // warm-up
  rows.push(await measure(label, serializer));
}
console.log(`spanfn -> OpenTelemetry, ${SPANS.toLocaleString("en")} spans (Node ${process.versions.node})`);
console.log("exporter            assemble ns/span   convert+export ns/span");
for (const r of rows) console.log(`${r.label.padEnd(20)}${r.assembleNs.toFixed(0).padStart(16)}${r.exportNs.toFixed(0).padStart(25)}`);
