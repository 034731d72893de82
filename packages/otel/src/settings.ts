/**
 * Batching settings: options first, then the batch span processor's standard variables
 * (`OTEL_BSP_*`), then defaults sized for spanfn, which makes many small spans.
 */
import type { PipelineOptions } from "./pipeline.js";

export interface PipelineSettings {
  /** Spans waiting for export at most; beyond, new spans are dropped and counted (default 16384, `OTEL_BSP_MAX_QUEUE_SIZE`). */
  maxQueueSize?: number;
  /** Spans per export request (default 2048, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`). */
  maxExportBatchSize?: number;
  /** Longest a span waits before its batch is sent (default 1000 ms, `OTEL_BSP_SCHEDULE_DELAY`). */
  scheduledDelayMillis?: number;
  /** Deadline of one batch, retries included (default 30000 ms, `OTEL_BSP_EXPORT_TIMEOUT`). */
  exportTimeoutMillis?: number;
  /** Attempts per batch, the first included (default 5). */
  maxAttempts?: number;
  /** First back-off; doubles per retry, with ±20% jitter (default 500 ms). */
  initialBackoffMillis?: number;
  maxBackoffMillis?: number;
  /** Deadline of the final flush at shutdown and exit (default 5000 ms; 30000 ms on the writer thread, where a collector that is down ends it at once). */
  shutdownTimeoutMillis?: number;
}

export interface ResolvedSettings extends PipelineOptions {
  shutdownTimeoutMillis: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULTS: ResolvedSettings = {
  maxQueueSize: 16384,
  maxExportBatchSize: 2048,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 30000,
  maxAttempts: 5,
  initialBackoffMillis: 500,
  maxBackoffMillis: 8000,
  shutdownTimeoutMillis: 5000,
};

const ENV_NAMES: Partial<Record<keyof ResolvedSettings, string>> = {
  maxQueueSize: "OTEL_BSP_MAX_QUEUE_SIZE",
  maxExportBatchSize: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
  scheduledDelayMillis: "OTEL_BSP_SCHEDULE_DELAY",
  exportTimeoutMillis: "OTEL_BSP_EXPORT_TIMEOUT",
};

export function readPipelineOptions(options: PipelineSettings, env: Env): ResolvedSettings {
  const resolved = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof PipelineSettings & keyof ResolvedSettings)[]) {
    const given = options[key];
    if (given !== undefined) {
      if (!isCount(given, key)) throw new TypeError(`spanfn: option "${key}" must be a positive whole number; got ${JSON.stringify(given)}`);
      resolved[key] = given;
      continue;
    }
    const name = ENV_NAMES[key];
    const raw = name === undefined ? undefined : env[name]?.trim();
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    // A bad variable must not stop the program: OpenTelemetry SDKs ignore it too, with a word.
    if (isCount(value, key)) resolved[key] = value;
    else process.stderr.write(`spanfn: ignoring ${name}=${JSON.stringify(raw)} (not a positive whole number)\n`);
  }
  if (resolved.maxExportBatchSize > resolved.maxQueueSize) resolved.maxExportBatchSize = resolved.maxQueueSize;
  return resolved;
}

function isCount(value: unknown, key: keyof ResolvedSettings): value is number {
  const min = key === "scheduledDelayMillis" ? 0 : 1;
  return typeof value === "number" && Number.isInteger(value) && value >= min;
}

/**
 * The default exporter's own deadline per export, its internal retries included:
 * `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`/`OTEL_EXPORTER_OTLP_TIMEOUT`, else 3000 ms. Short on purpose:
 * the exporter's retry timers keep a process alive, so this bounds how long a program that is
 * done lingers when the collector is down; longer outages are retried by the pipeline, whose
 * timers do not hold the process.
 */
export function readAttemptTimeout(env: Env): number {
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"]) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0) return value;
    process.stderr.write(`spanfn: ignoring ${name}=${JSON.stringify(raw)} (not a positive whole number of milliseconds)\n`);
  }
  return 3000;
}
