/**
 * The default exporter: OTLP over HTTP, configured like every OpenTelemetry SDK is: by options,
 * else by the standard `OTEL_*` environment variables. The endpoint is resolved here (same
 * precedence as the exporter's own) so messages can name it and the exit sender can reuse it.
 */
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { parseKeyValuePairs } from "./env.js";
import { readAttemptTimeout } from "./settings.js";
import { ReachableExporter } from "./reachable.js";

export type OtlpProtocol = "http/json" | "http/protobuf";

export interface OtlpConfig {
  /** Full URL of the traces endpoint, e.g. http://localhost:4318/v1/traces. */
  readonly url: string;
  readonly protocol: OtlpProtocol;
  /** Every header to send: options over `OTEL_EXPORTER_OTLP_TRACES_HEADERS` over `OTEL_EXPORTER_OTLP_HEADERS`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
}

const DEFAULT_ENDPOINT = "http://localhost:4318";
const TRACES_PATH = "v1/traces";

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/**
 * The traces URL. A URL given as an option or in `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used
 * as is; `OTEL_EXPORTER_OTLP_ENDPOINT` is a base that gets `/v1/traces` appended (the spec's rule).
 */
export function resolveUrl(url: string | undefined, env: Env): string {
  const full = nonEmpty(url) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const chosen = full ?? `${(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? DEFAULT_ENDPOINT).replace(/\/+$/, "")}/${TRACES_PATH}`;
  let parsed: URL;
  try {
    parsed = new URL(chosen);
  } catch {
    throw new TypeError(`spanfn: the OTLP endpoint ${JSON.stringify(chosen)} is not a URL (e.g. http://localhost:4318/v1/traces)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`spanfn: the OTLP endpoint ${JSON.stringify(chosen)} must be http:// or https:// (OTLP over gRPC is not supported)`);
  }
  return chosen;
}

export function resolveProtocol(protocol: string | undefined, env: Env): OtlpProtocol {
  const chosen = nonEmpty(protocol) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ?? "http/json";
  if (chosen === "http/json" || chosen === "http/protobuf") return chosen;
  throw new TypeError(`spanfn: OTLP protocol ${JSON.stringify(chosen)} is not supported; use "http/json" or "http/protobuf"`);
}

/** The default exporter's configuration: options over `OTEL_*` variables over defaults. */
export function resolveOtlpConfig(options: { url?: string; protocol?: string; headers?: Readonly<Record<string, string>> }, env: Env): OtlpConfig {
  return {
    url: resolveUrl(options.url, env),
    protocol: resolveProtocol(options.protocol, env),
    headers: resolveHeaders(options.headers, env),
    timeoutMillis: readAttemptTimeout(env),
  };
}

export function createOtlpExporter(config: OtlpConfig): SpanExporter {
  const options = { url: config.url, timeoutMillis: config.timeoutMillis, headers: { ...config.headers } };
  return new ReachableExporter(config.protocol === "http/protobuf" ? new ProtobufExporter(options) : new JsonExporter(options), config.url);
}

/**
 * Headers as the exporter sends them: `OTEL_EXPORTER_OTLP_HEADERS`, then the traces-specific
 * variable, then options (`key=value` pairs, values percent-encoded).
 */
export function resolveHeaders(headers: Readonly<Record<string, string>> | undefined, env: Env): Record<string, string> {
  return {
    ...parseKeyValuePairs(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseKeyValuePairs(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    ...headers,
  };
}
