/**
 * One call to trace a Node program into OpenTelemetry.
 *
 * By default the export runs on spanfn's writer thread (writer-output.ts), with the trace file
 * if one is asked for: the program's thread records and posts blocks, nothing more, and at exit
 * it waits while the writer thread sends the rest. Root spans that begin under an active
 * OpenTelemetry span are captured here as they begin, and the captured contexts travel with the
 * next block, so joining the program's trace needs no work on this thread either.
 *
 * A custom `exporter` object cannot cross to another thread: the export then runs here (OtelSink),
 * with an asynchronous final flush when the program ends by itself and a synchronous last send
 * from a child process when it exits any other way (exit-send.ts).
 */
import { flush, linkRootSpans, TeeSink, type RuntimeReport, type Sink } from "@spanfn/tracing";
import { ChromeTraceFileSink, install, printLosses, TraceWriterSink, type InstallOptions } from "@spanfn/tracing/node";
import { threadId } from "node:worker_threads";
import { OutsideContexts } from "./context.js";
import { sendAtExit } from "./exit-send.js";
import { resolveOtlpConfig } from "./exporter.js";
import type { OtelExport } from "./losses.js";
import { OUTPUT_MODULE } from "./output-module.js";
import { buildResource } from "./resource.js";
import { readPipelineOptions } from "./settings.js";
import { OtelSink, type OtelSinkOptions } from "./sink.js";
import { ThreadExport } from "./thread-export.js";
import type { OtelOutputOptions } from "./writer-output.js";

export interface InstallOtelOptions extends OtelSinkOptions, Omit<InstallOptions, "sink" | "onExit" | "warn"> {
  /** Called at exit, after the last send, with the runtime's report and the export's counts. */
  onExit?: (report: RuntimeReport, sink: OtelExport) => void;
  /**
   * Bytes of recorded blocks the writer thread holds back while the export queue is full, sent
   * as the collector takes them; beyond, spans are dropped and counted (default 64 MiB).
   */
  maxBacklogBytes?: number;
  /** false: export on the program's thread, as with a custom exporter (default true). */
  writerThread?: boolean;
  /**
   * With a trace file (`out`) on the writer thread: summarise it as it is written, for the
   * export's `summary()` at exit (what `spanfn run` prints), instead of reading it back.
   */
  summary?: boolean;
}

const DEFAULT_BACKLOG_BYTES = 64 * 1024 * 1024;
/**
 * On the writer thread, the program's thread waits at exit without running anything, and the
 * spans a CPU-bound burst left behind take time to send: a longer default than on the program's
 * thread. A collector that is down ends the wait at once.
 */
const WRITER_SHUTDOWN_TIMEOUT_MS = 30_000;
/** Batches in flight on the writer thread: the next is serialized while the collector reads the last. */
const WRITER_CONCURRENT_EXPORTS = 2;
/** The writer thread's deadline at exit: the export's own, plus room to finish a trace file. */
const WRITER_DEADLINE_MS = 10_000;

const SINK_KEYS = [
  "exporter",
  "url",
  "protocol",
  "headers",
  "serviceName",
  "resource",
  "joinActiveContext",
  "warn",
  "env",
  "maxQueueSize",
  "maxExportBatchSize",
  "scheduledDelayMillis",
  "exportTimeoutMillis",
  "maxAttempts",
  "initialBackoffMillis",
  "maxBackoffMillis",
  "shutdownTimeoutMillis",
] as const;

/**
 * Installs spanfn with OpenTelemetry export. Returns the export (for `stats()` and `flush()`),
 * or null when `OTEL_SDK_DISABLED=true` turns OpenTelemetry off: the runtime is then installed
 * without it (a trace file, if `out` is given, is still written).
 */
export function installOtel(options: InstallOtelOptions = {}): OtelExport | null {
  const sinkOptions: OtelSinkOptions = {};
  const runtimeOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === "onExit" || key === "maxBacklogBytes" || key === "writerThread" || key === "summary") continue;
    if ((SINK_KEYS as readonly string[]).includes(key)) (sinkOptions as Record<string, unknown>)[key] = value;
    else runtimeOptions[key] = value;
  }
  const { out, processName, ...rest } = runtimeOptions as Omit<InstallOptions, "sink" | "onExit">;
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") {
    // With nowhere to go, recording would only fill buffers.
    install({ ...rest, out, processName, ...(out === undefined ? { enabled: false } : {}) });
    return null;
  }
  if (sinkOptions.exporter === undefined && options.writerThread !== false) return installOnWriterThread(options, sinkOptions, env, { ...rest, out, processName });
  const otel = new OtelSink(sinkOptions);
  const sinks: Sink[] = out === undefined ? [otel] : [new ChromeTraceFileSink(out, { processName }), otel];
  install({
    ...rest,
    processName,
    sink: sinks.length === 1 ? otel : new TeeSink(sinks),
    onExit: (report) => {
      sendAtExit(otel);
      printLosses(report);
      otel.reportLosses();
      options.onExit?.(report, otel);
    },
  });
  process.on("beforeExit", () => void flushBeforeExit(otel));
  return otel;
}

function installOnWriterThread(
  options: InstallOtelOptions,
  sinkOptions: OtelSinkOptions,
  env: Readonly<Record<string, string | undefined>>,
  runtime: Omit<InstallOptions, "sink" | "onExit">,
): OtelExport {
  const warn = sinkOptions.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
  const settings = {
    ...readPipelineOptions({ shutdownTimeoutMillis: WRITER_SHUTDOWN_TIMEOUT_MS, ...withoutUndefined(sinkOptions) }, env),
    maxConcurrentExports: WRITER_CONCURRENT_EXPORTS,
  };
  const otlp = resolveOtlpConfig(sinkOptions, env);
  const maxBacklogBytes = options.maxBacklogBytes ?? DEFAULT_BACKLOG_BYTES;
  if (!Number.isInteger(maxBacklogBytes) || maxBacklogBytes < 0) {
    throw new TypeError(`spanfn: option "maxBacklogBytes" must be a whole number of bytes; got ${JSON.stringify(maxBacklogBytes)}`);
  }
  const output: OtelOutputOptions = {
    otlp,
    settings,
    resource: (sinkOptions.resource ?? buildResource(env, sinkOptions.serviceName)).attributes,
    contextThread: threadId,
    maxBacklogBytes,
  };
  const outside = sinkOptions.joinActiveContext === false ? null : new OutsideContexts();
  const module = OUTPUT_MODULE.href;
  const { out, processName, ...rest } = runtime;
  const writer = new TraceWriterSink(out, {
    processName,
    summary: options.summary === true && out !== undefined,
    outputs: [{ module, options: output }],
    ...(outside === null ? {} : { attach: () => outside.take() }),
    deadlineMs: Math.max(WRITER_DEADLINE_MS, settings.shutdownTimeoutMillis + 1000),
    warn,
  });
  const exported = new ThreadExport(writer, module, otlp.url, settings, warn);
  install({
    ...rest,
    processName,
    sink: writer,
    onExit: (report) => {
      printLosses(report);
      exported.reportLosses();
      options.onExit?.(report, exported);
    },
  });
  if (outside !== null) linkRootSpans(outside.capture);
  return exported;
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

let flushing = false;
let gaveUp = false;

/**
 * The program has no work left: send what is recorded while callbacks still run. Nothing new
 * is scheduled when nothing is pending, so the process then exits (`beforeExit` comes again).
 * When the collector is failing, or a flush misses its deadline, no more waiting: the program
 * must get to exit, and the `exit` handler makes one last quick attempt.
 */
async function flushBeforeExit(otel: OtelSink): Promise<void> {
  if (flushing || gaveUp) return;
  flush();
  if (otel.stats().pending === 0) return;
  if (otel.failing) {
    gaveUp = true;
    return;
  }
  flushing = true;
  try {
    if (!(await otel.flush())) gaveUp = true;
  } finally {
    flushing = false;
  }
}
