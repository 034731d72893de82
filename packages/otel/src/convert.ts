/**
 * Finished spans as OpenTelemetry `ReadableSpan`s, the shape every `SpanExporter` takes. The
 * object also answers to the 1.x SDK's field names (`parentSpanId`, `instrumentationLibrary`),
 * so an exporter built against either SDK line reads it.
 */
import { SpanKind, SpanStatusCode, type Attributes, type HrTime, type SpanContext, type SpanStatus, type TraceState } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace";
import type { FinishedSpan } from "./assemble.js";
import { hrTimeDuration } from "./time.js";

export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
}

export const SCOPE: InstrumentationScope = { name: "@spanfn/otel", version: "0.1.0" };

/**
 * Attribute keys: OpenTelemetry's code conventions as they are stable (the function's full name,
 * `module::Class.method`, carries its module), its thread conventions, and spanfn's own.
 */
export const ATTRIBUTES = {
  functionName: "code.function.name",
  filePath: "code.file.path",
  lineNumber: "code.line.number",
  threadId: "thread.id",
  threadName: "thread.name",
  kind: "spanfn.kind",
  outcome: "spanfn.outcome",
} as const;

/** The code attributes' names before they were made stable, sent too under `code/dup`. */
export const DEPRECATED_CODE_ATTRIBUTES = {
  function: "code.function",
  filepath: "code.filepath",
  lineno: "code.lineno",
  namespace: "code.namespace",
} as const;

/**
 * Whether to send the deprecated code attributes beside the stable ones: the semantic
 * conventions' migration switch, `OTEL_SEMCONV_STABILITY_OPT_IN` naming `code/dup`, for backends
 * and dashboards that still query the old names.
 */
export function duplicatesCodeAttributes(env: Record<string, string | undefined> | undefined = globalThis.process?.env): boolean {
  return (env?.OTEL_SEMCONV_STABILITY_OPT_IN ?? "").split(",").some((value) => value.trim() === "code/dup");
}

let duplicateByDefault: boolean | undefined;

class SerializedTraceState implements TraceState {
  constructor(private readonly text: string) {}
  private entries(): Map<string, string> {
    const map = new Map<string, string>();
    for (const part of this.text.split(",")) {
      const at = part.indexOf("=");
      if (at > 0) map.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
    }
    return map;
  }
  get(key: string): string | undefined {
    return this.entries().get(key);
  }
  set(key: string, value: string): TraceState {
    const map = this.entries();
    map.delete(key);
    return new SerializedTraceState([`${key}=${value}`, ...[...map].map(([k, v]) => `${k}=${v}`)].join(","));
  }
  unset(key: string): TraceState {
    const map = this.entries();
    map.delete(key);
    return new SerializedTraceState([...map].map(([k, v]) => `${k}=${v}`).join(","));
  }
  serialize(): string {
    return this.text;
  }
}

/** `duplicate`: send the deprecated code attributes too (default: as the environment says, read once). */
export function attributesOf(span: FinishedSpan, duplicate: boolean = (duplicateByDefault ??= duplicatesCodeAttributes())): Attributes {
  const attributes: Attributes = {
    [ATTRIBUTES.functionName]: span.name,
    [ATTRIBUTES.filePath]: span.file,
    [ATTRIBUTES.lineNumber]: span.line,
  };
  if (duplicate) {
    attributes[DEPRECATED_CODE_ATTRIBUTES.function] = span.name;
    attributes[DEPRECATED_CODE_ATTRIBUTES.filepath] = span.file;
    attributes[DEPRECATED_CODE_ATTRIBUTES.lineno] = span.line;
    if (span.target !== "") attributes[DEPRECATED_CODE_ATTRIBUTES.namespace] = span.target;
  }
  attributes[ATTRIBUTES.threadId] = span.threadId;
  attributes[ATTRIBUTES.threadName] = span.threadName;
  attributes[ATTRIBUTES.kind] = span.kind;
  if (span.outcome !== undefined) attributes[ATTRIBUTES.outcome] = span.outcome;
  return attributes;
}

export function statusOf(span: FinishedSpan): SpanStatus {
  return span.outcome === "rejected"
    ? { code: SpanStatusCode.ERROR, message: "the returned promise rejected" }
    : { code: SpanStatusCode.UNSET };
}

export class ExportedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind = SpanKind.INTERNAL;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links = [];
  readonly events: TimedEvent[] = [];
  readonly duration: HrTime;
  readonly ended = true;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  private readonly context: SpanContext;

  constructor(
    span: FinishedSpan,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope = SCOPE,
  ) {
    this.name = span.name;
    const traceState = span.traceState === undefined ? undefined : new SerializedTraceState(span.traceState);
    this.context = { traceId: span.traceId, spanId: span.spanId, traceFlags: span.traceFlags, traceState };
    this.parentSpanContext =
      span.parentSpanId === undefined
        ? undefined
        : { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: span.traceFlags, isRemote: span.parentIsRemote, traceState };
    this.startTime = span.start;
    this.endTime = span.end;
    this.duration = hrTimeDuration(span.start, span.end);
    this.status = statusOf(span);
    this.attributes = attributesOf(span);
  }

  spanContext = (): SpanContext => this.context;

  /** The 1.x SDK's name for the parent. */
  get parentSpanId(): string | undefined {
    return this.parentSpanContext?.spanId;
  }

  /** The 1.x SDK's name for the scope. */
  get instrumentationLibrary(): InstrumentationScope {
    return this.instrumentationScope;
  }
}
