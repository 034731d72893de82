/**
 * The spanfn sink that exports to OpenTelemetry: blocks are assembled into spans as they arrive
 * (synchronously, so the runtime never waits on the network) and queued for the exporter.
 */
import { flush as flushRuntime, linkRootSpans, recycle, type EventBlock, type ProcessInfo, type RuntimeReport, type Sink } from "@spanfn/tracing";
import type { Resource } from "@opentelemetry/resources";
import { threadId } from "node:worker_threads";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { SpanAssembler, type FinishedSpan } from "./assemble.js";
import { OutsideContexts } from "./context.js";
import { ExportedSpan } from "./convert.js";
import { createOtlpExporter, resolveOtlpConfig, type OtlpConfig } from "./exporter.js";
import { describeExportLosses, type OtelExport } from "./losses.js";
import { describe, ExportPipeline, type ExportStats } from "./pipeline.js";
import { buildResource } from "./resource.js";
import { readPipelineOptions, type PipelineSettings, type ResolvedSettings } from "./settings.js";

export interface OtelSinkOptions extends PipelineSettings {
  /** Where spans go; default: OTLP over HTTP, configured by the options below or `OTEL_*`. */
  exporter?: SpanExporter;
  /** Traces endpoint of the default exporter (default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + /v1/traces, else http://localhost:4318/v1/traces). */
  url?: string;
  /** Encoding of the default exporter (default `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`/`OTEL_EXPORTER_OTLP_PROTOCOL`, else "http/json"). */
  protocol?: "http/json" | "http/protobuf";
  headers?: Record<string, string>;
  /** `service.name` when `OTEL_SERVICE_NAME` does not say. */
  serviceName?: string;
  /** The resource spans are reported under; default: from the environment and the process. */
  resource?: Resource;
  /** Make root spans children of the OpenTelemetry span active when they begin (default true). */
  joinActiveContext?: boolean;
  /** Where warnings go (default stderr). */
  warn?: (message: string) => void;
  /** Environment to read `OTEL_*` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

export class OtelSink implements Sink, OtelExport {
  readonly resource: Resource;
  /** Set for the default exporter: what a last send at exit needs to build the same one. */
  readonly otlp: OtlpConfig | undefined;
  readonly pipelineOptions: ResolvedSettings;
  private readonly pipeline: ExportPipeline;
  private readonly exporter: SpanExporter;
  private readonly assembler: SpanAssembler;
  private readonly outside: OutsideContexts | null;
  private readonly warn: (message: string) => void;
  private readonly destination: string;
  private readonly ownThread = threadId;
  private warnedFailure = false;
  private shutDown = false;

  constructor(options: OtelSinkOptions = {}) {
    const env = options.env ?? process.env;
    this.warn = options.warn ?? ((message) => process.stderr.write(`${message}\n`));
    this.pipelineOptions = readPipelineOptions(options, env);
    this.resource = options.resource ?? buildResource(env, options.serviceName);
    if (options.exporter !== undefined) {
      if (typeof options.exporter?.export !== "function") throw new TypeError("spanfn: option \"exporter\" must be an OpenTelemetry SpanExporter (an object with export())");
      this.otlp = undefined;
      this.destination = `the ${options.exporter.constructor?.name ?? "custom"} exporter`;
    } else {
      this.otlp = resolveOtlpConfig(options, env);
      this.destination = this.otlp.url;
    }
    const exporter = options.exporter ?? createOtlpExporter(this.otlp!);
    this.exporter = exporter;
    const resource = this.resource;
    this.pipeline = new ExportPipeline(exporter, (span) => new ExportedSpan(span, resource), this.pipelineOptions, (error, willRetry) =>
      this.exportFailed(error, willRetry),
    );
    this.outside = options.joinActiveContext === false ? null : new OutsideContexts();
    this.assembler = new SpanAssembler(
      (span) => this.pipeline.push(span),
      // Outside contexts are captured on this thread only: another thread's numbers mean nothing here.
      (id, thread) => (thread === this.ownThread ? this.outside?.resolve(id) : undefined),
    );
  }

  init(process: ProcessInfo): void {
    void process;
    if (this.outside !== null) linkRootSpans(this.outside.capture);
  }

  block(block: EventBlock): void {
    const outsideSeen = this.assembler.add(block);
    if (outsideSeen > 0 && block.thread.id === this.ownThread) this.outside?.release(outsideSeen);
    // Assembled spans keep nothing of the block: its buffer can take the next one.
    recycle(block);
  }

  /**
   * Ends what is still open (marked unfinished) and exports the rest: asynchronously, within the
   * shutdown deadline; when the process is exiting, whatever the exporter was not handed yet is
   * left for `takeQueued` (a synchronous last send), since no callback runs after `exit`.
   */
  shutdown(report: RuntimeReport): void | Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    if (this.outside !== null) linkRootSpans(null);
    this.assembler.closeAll(report);
    if (report.atExit === true) return;
    return this.pipeline.shutdown(this.pipelineOptions.shutdownTimeoutMillis).then(() => this.reportLosses());
  }

  /**
   * Exports everything recorded on this thread so far (the runtime's current block included);
   * resolves true when all of it was handed over in time.
   */
  flush(timeoutMillis = this.pipelineOptions.shutdownTimeoutMillis): Promise<boolean> {
    flushRuntime();
    return this.pipeline.flush(timeoutMillis);
  }

  /** The collector did not take the last export (unreachable, or answering errors). */
  get failing(): boolean {
    return this.pipeline.failing;
  }

  stats(): ExportStats {
    return this.pipeline.snapshot();
  }

  /** Spans not yet handed to the exporter; the pipeline stops scheduling. */
  takeQueued(): FinishedSpan[] {
    return this.pipeline.takeQueued();
  }

  /**
   * Hands spans to a caller-supplied exporter at exit and counts them exported only if it
   * reports success before returning (an in-memory or console exporter does; a network one
   * cannot, as nothing runs after exit).
   */
  exportInline(spans: ReadableSpan[]): void {
    let outcome: { ok: boolean; error?: unknown } | undefined;
    try {
      this.exporter.export(spans, (result) => (outcome = { ok: result.code === 0, error: result.error }));
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (outcome?.ok === true) this.recordFinalSend(spans.length, 0);
    else this.recordFinalSend(0, spans.length, outcome?.error ?? new Error("the exporter had not finished when the process exited"));
  }

  /** Accounts for a last send at exit. */
  recordFinalSend(exported: number, failed: number, error?: unknown): void {
    this.pipeline.record(exported, failed, error);
  }

  /** One line when spans did not reach the collector; nothing when all did. */
  describeLosses(): string {
    return describeExportLosses(this.pipeline.snapshot(), this.destination, this.pipelineOptions.maxQueueSize);
  }

  reportLosses(): void {
    const line = this.describeLosses();
    if (line !== "") this.warn(line);
  }

  get destinationName(): string {
    return this.destination;
  }

  private exportFailed(error: unknown, willRetry: boolean): void {
    if (this.warnedFailure) return;
    this.warnedFailure = true;
    this.warn(
      `spanfn: exporting spans to ${this.destination} failed (${describe(error)})${willRetry ? "; retrying with back-off" : ""}. ` +
        "The program goes on; spans that cannot be sent are dropped and counted.",
    );
  }
}

