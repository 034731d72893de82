/**
 * @spanfn/otel: spanfn spans exported to OpenTelemetry. `installOtel()` traces a Node program
 * into an OTLP collector, exporting from spanfn's writer thread; `OtelSink` is the sink itself,
 * on the program's thread, for any exporter; `@spanfn/otel/writer-output` is the writer-thread
 * output, for a TraceWriterSink of one's own.
 */
export { OtelSink, type OtelSinkOptions } from "./sink.js";
export { installOtel, type InstallOtelOptions } from "./node.js";
export type { OtelExport } from "./losses.js";
export { createWriterOutput, type OtelOutputOptions } from "./writer-output.js";
export { SpanAssembler, type FinishedSpan, type SpanOutcome } from "./assemble.js";
export { ExportedSpan, ATTRIBUTES, SCOPE } from "./convert.js";
export { resolveUrl, resolveProtocol, type OtlpProtocol, type OtlpConfig } from "./exporter.js";
export type { ExportStats } from "./pipeline.js";
export type { PipelineSettings } from "./settings.js";
export { tickToHrTime, millisToHrTime, hrTimeToNanosString } from "./time.js";
