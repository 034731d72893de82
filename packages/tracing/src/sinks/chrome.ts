/**
 * Chrome Trace Event JSON, written as a stream: the JSON array format, one event per line, so a
 * trace can be written block by block in bounded memory and a file cut short by a crash still loads.
 *
 * Thread spans are `B`/`E` on their thread's track, the `E` with its `B`'s name, category and
 * args: speedscope pairs them by name and args, and warns or never pops a stack otherwise. A span
 * with nothing inside it (the recorder's complete record) is one `X` event in its begin's place,
 * so the events stay in time order and a leaf costs one event instead of two. Async spans are nestable `b`/`e` pairs keyed
 * by span id, with the parent id, depth and outcome in `args`; `ts` is in microseconds since the
 * process's time origin, which a `spanfn_clock` metadata event records as epoch milliseconds.
 *
 * A worker thread's root spans carry the span that created the worker: its id as their `parent`
 * when that was an async span, and a flow (`s` where the worker was created, `f` bound to the
 * worker's first root span) that Perfetto and chrome://tracing draw as an arrow.
 */
import { EventKind, OUTCOME_BY_KIND, type EventBlock, type ThreadInfo } from "../events.js";
import { forEachRecord } from "../records.js";
import type { SpanMetadata } from "../events.js";
import type { ProcessInfo, RuntimeReport } from "./sink.js";
import { InMemoryTraceSink, type TraceWriter } from "./trace-writer.js";
import { reportArgs } from "./report-args.js";

export const TRACE_CATEGORY = "spanfn";

/** One Chrome trace event as spanfn writes it. */
export interface ChromeTraceEvent {
  ph: "B" | "E" | "X" | "b" | "e" | "M" | "s" | "f";
  pid: number;
  tid: number;
  ts?: number;
  /** `X` events: duration in microseconds. */
  dur?: number;
  name?: string;
  cat?: string;
  id?: string;
  /** Flow end (`f`): "e" binds it to the slice enclosing it. */
  bp?: "e";
  args?: Record<string, unknown>;
}

/** The category of the flows from the span that created a worker to the worker's first root span. */
export const WORKER_FLOW_CATEGORY = "spanfn.worker";

export interface ChromeTraceOptions {
  /** Shown as the process's name in the viewer. */
  processName?: string;
}

export class ChromeTraceWriter implements TraceWriter {
  private pid = 0;
  private origin = 0;
  private first = true;
  private started = false;
  private readonly threadsSeen = new Set<number>();
  private readonly fragments = new WeakMap<SpanMetadata, string>();
  /** Per thread, the fragments of its open `B` events, innermost last: each `E` repeats its `B`'s. */
  private readonly openBegins = new Map<number, string[]>();
  /** Per worker thread: the async span that created it (0: a thread span did), until its first root span. */
  private readonly starters = new Map<number, { parent: number; flowOpen: boolean }>();

  constructor(
    private readonly write: (chunk: string) => void,
    private readonly options: ChromeTraceOptions = {},
  ) {}

  /** Opens the trace with the process's metadata. */
  start(process: ProcessInfo): void {
    if (this.started) return;
    this.started = true;
    this.pid = process.pid;
    this.origin = process.clock.timeOrigin;
    this.write("[\n");
    this.emit({
      ph: "M",
      pid: this.pid,
      tid: 0,
      name: "process_name",
      args: { name: this.options.processName ?? `spanfn ${process.pid}` },
    });
    this.emit({
      ph: "M",
      pid: this.pid,
      tid: 0,
      name: "spanfn_clock",
      args: { timeOrigin: process.clock.timeOrigin, unit: "us" },
    });
  }

  block(block: EventBlock): void {
    if (!this.started) throw new Error("spanfn: ChromeTraceWriter.start() must come before block()");
    const { metadata, thread } = block;
    this.nameThread(thread);
    const pid = this.pid;
    const tid = thread.id;
    const offsetUs = (block.clock.timeOrigin - this.origin) * 1000;
    let out = "";
    let open = this.openBegins.get(tid);
    if (open === undefined) this.openBegins.set(tid, (open = []));
    const begins = open;
    const starter = this.starters.get(tid);
    forEachRecord(
      block,
      (record) => {
        const { kind, site: metadataId } = record;
        const ts = microsText(offsetUs + record.tick * 1000);
        const head = `${this.first ? "" : ",\n"}{"ph":"`;
        this.first = false;
        const meta = metadata[metadataId];
        // A root span of a worker whose creator is known: linked to it.
        const linked =
          starter !== undefined &&
          begins.length === 0 &&
          (kind === EventKind.threadBegin || kind === EventKind.threadComplete || kind === EventKind.threadBeginInside || kind === EventKind.asyncBegin) &&
          record.parent <= 0;
        const parentArg = linked && starter.parent > 0 ? `,"parent":${starter.parent}` : "";
        switch (kind) {
          case EventKind.workerStart:
            this.starters.set(record.worker, { parent: record.depth > 0 ? 0 : record.parent, flowOpen: true });
            out += `${head}s","pid":${pid},"tid":${tid},"ts":${ts},"cat":"${WORKER_FLOW_CATEGORY}","id":"${record.worker}","name":"worker ${record.worker}"}`;
            return;
          case EventKind.threadBegin: {
            const fragment = this.fragment(meta, metadataId, parentArg);
            begins.push(fragment);
            out += `${head}B","pid":${pid},"tid":${tid},"ts":${ts},${fragment}}`;
            break;
          }
          case EventKind.threadComplete: {
            // Nothing happened on the thread between its begin and end: one X event, at the begin's place in the order.
            const begin = nanosOf(offsetUs + record.tick * 1000);
            const duration = nanosOf(offsetUs + record.endTick * 1000) - begin;
            out += `${head}X","pid":${pid},"tid":${tid},"ts":${ts},"dur":${nanosText(duration)},${this.fragment(meta, metadataId, parentArg)}}`;
            break;
          }
          case EventKind.threadBeginInside: {
            // An outside parent (negative) means nothing to a trace viewer: such a span is a root here.
            const parent = record.parent > 0 ? `,"parent":${record.parent}` : parentArg;
            const fragment = this.fragment(meta, metadataId, parent);
            begins.push(fragment);
            out += `${head}B","pid":${pid},"tid":${tid},"ts":${ts},${fragment}}`;
            break;
          }
          case EventKind.threadEnd:
            out += `${head}E","pid":${pid},"tid":${tid},"ts":${ts},${begins.pop() ?? this.fragment(meta, metadataId)}}`;
            break;
          case EventKind.asyncBegin: {
            const parent = parentArg !== "" ? starter!.parent : Math.max(0, record.parent);
            out +=
              `${head}b","pid":${pid},"tid":${tid},"ts":${ts},"id":"${record.spanId}",` +
              `${this.fragment(meta, metadataId, `,"parent":${parent},"depth":${record.depth}`)}}`;
            break;
          }
          default:
            out +=
              `${head}e","pid":${pid},"tid":${tid},"ts":${ts},"cat":"${TRACE_CATEGORY}","id":"${record.spanId}",` +
              `"name":${JSON.stringify(meta?.name ?? `#${metadataId}`)},"args":{"outcome":"${OUTCOME_BY_KIND[kind]}"}}`;
        }
        if (linked && starter.flowOpen) {
          // The flow ends at the worker's first root span: the slice enclosing it.
          starter.flowOpen = false;
          out += `,\n{"ph":"f","bp":"e","pid":${pid},"tid":${tid},"ts":${ts},"cat":"${WORKER_FLOW_CATEGORY}","id":"${tid}","name":"worker ${tid}"}`;
        }
      },
      { links: true, completes: true },
    );
    this.write(out);
  }

  /** Ends what is still open (marked unfinished), records the counters, closes the array. */
  finish(report: RuntimeReport): void {
    const at = micros((report.clock.timeOrigin - this.origin + report.at) * 1000);
    for (const span of report.unfinished) {
      this.nameThread(span.thread);
      const ts = at;
      if (span.kind === "thread") {
        this.openBegins.get(span.thread.id)?.pop();
        this.emit({ ph: "E", pid: this.pid, tid: span.thread.id, ts, name: span.name, cat: TRACE_CATEGORY, args: { unfinished: true } });
      } else {
        this.emit({
          ph: "e",
          pid: this.pid,
          tid: span.thread.id,
          ts,
          cat: TRACE_CATEGORY,
          id: String(span.spanId),
          name: span.name,
          args: { outcome: "unfinished" },
        });
      }
    }
    this.emit({
      ph: "M",
      pid: this.pid,
      tid: 0,
      name: "spanfn_report",
      args: reportArgs(report),
    });
    this.write("\n]\n");
  }

  private emit(event: ChromeTraceEvent): void {
    this.write(`${this.first ? "" : ",\n"}${JSON.stringify(event)}`);
    this.first = false;
  }

  private nameThread(thread: ThreadInfo): void {
    if (this.threadsSeen.has(thread.id)) return;
    this.threadsSeen.add(thread.id);
    this.emit({ ph: "M", pid: this.pid, tid: thread.id, name: "thread_name", args: { name: thread.name } });
    this.emit({ ph: "M", pid: this.pid, tid: thread.id, name: "thread_sort_index", args: { sort_index: thread.id } });
  }

  /** `"name":…,"cat":…,"args":{…}` for a span site, rendered once. */
  private fragment(meta: SpanMetadata | undefined, metadataId: number, extraArgs = ""): string {
    if (meta === undefined) return `"name":"#${metadataId}","cat":"${TRACE_CATEGORY}","args":{"missingMetadata":true${extraArgs}}`;
    let base = this.fragments.get(meta);
    if (base === undefined) {
      base =
        `"name":${JSON.stringify(meta.name)},"cat":"${TRACE_CATEGORY}",` +
        `"args":{"target":${JSON.stringify(meta.target)},"file":${JSON.stringify(meta.file)},"line":${meta.line}`;
      this.fragments.set(meta, base);
    }
    return `${base}${extraArgs}}`;
  }
}

/**
 * `micros(value)` as JSON text, built from integers: printing a fractional double is the
 * dearest step of encoding an event, and every event has a time.
 */
function microsText(value: number): string {
  const nanos = nanosOf(value);
  if (!(nanos >= 0 && nanos <= Number.MAX_SAFE_INTEGER)) return String(micros(value));
  return nanosText(nanos);
}

function nanosOf(micros: number): number {
  return Math.round(micros * 1000);
}

/** Whole nanoseconds as microseconds in JSON text. */
function nanosText(nanos: number): string {
  if (!(nanos >= 0 && nanos <= Number.MAX_SAFE_INTEGER)) return String(nanos / 1000);
  const whole = Math.floor(nanos / 1000);
  const fraction = nanos - whole * 1000;
  if (fraction === 0) return `${whole}`;
  const digits = fraction < 10 ? `00${fraction}` : fraction < 100 ? `0${fraction}` : `${fraction}`;
  return `${whole}.${digits.charCodeAt(2) === 48 ? (digits.charCodeAt(1) === 48 ? digits[0] : digits.slice(0, 2)) : digits}`;
}

function micros(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Builds the whole trace in memory; for browsers, tests, and small programs. */
export class ChromeTraceSink extends InMemoryTraceSink<string> {
  constructor(options: ChromeTraceOptions = {}) {
    super((write) => new ChromeTraceWriter(write, options));
  }

  /** The trace as JSON text (complete once the runtime has shut down). */
  text(): string {
    return this.chunks.join("");
  }

  events(): ChromeTraceEvent[] {
    return parseChromeTrace(this.text());
  }
}

/** Reads a trace in either Chrome format (array, or object with `traceEvents`), even unterminated. */
export function parseChromeTrace(text: string): ChromeTraceEvent[] {
  const trimmed = text.trim();
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    if (!trimmed.startsWith("[")) throw error;
    value = JSON.parse(trimmed.replace(/,?\s*$/, "") + "]");
  }
  if (Array.isArray(value)) return value as ChromeTraceEvent[];
  if (value !== null && typeof value === "object" && Array.isArray((value as { traceEvents?: unknown }).traceEvents)) {
    return (value as { traceEvents: ChromeTraceEvent[] }).traceEvents;
  }
  throw new Error("spanfn: not a Chrome trace (expected an array of events or an object with traceEvents)");
}
