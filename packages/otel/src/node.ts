/**
 * One call to trace a Node program into OpenTelemetry: the runtime installed with the OTLP sink
 * (and a trace file beside it, if asked), an asynchronous final flush when the program ends by
 * itself, and a synchronous last send when it exits any other way.
 */
import { flush, TeeSink, type RuntimeReport, type Sink } from "@spanfn/tracing";
import { ChromeTraceFileSink, install, printLosses, type InstallOptions } from "@spanfn/tracing/node";
import { sendAtExit } from "./exit-send.js";
import { OtelSink, type OtelSinkOptions } from "./sink.js";

export interface InstallOtelOptions extends OtelSinkOptions, Omit<InstallOptions, "sink" | "onExit" | "warn"> {
  /** Called at exit, after the last send, with the runtime's report and the sink. */
  onExit?: (report: RuntimeReport, sink: OtelSink) => void;
}

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
 * Installs spanfn with OpenTelemetry export. Returns the sink (for `stats()` and `flush()`),
 * or null when `OTEL_SDK_DISABLED=true` turns OpenTelemetry off: the runtime is then installed
 * without it (a trace file, if `out` is given, is still written).
 */
export function installOtel(options: InstallOtelOptions = {}): OtelSink | null {
  const sinkOptions: OtelSinkOptions = {};
  const runtimeOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === "onExit") continue;
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
