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
import { RecordReader } from "../records.js";
import type { SpanMetadata } from "../events.js";
import type { ProcessInfo, RuntimeReport } from "./sink.js";
import { InMemoryTraceSink, type TraceWriter } from "./trace-writer.js";
import { reportArgs } from "./report-args.js";
import { JsonBytes, utf8 } from "./json-bytes.js";

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
  /** Other tools' async events may carry their id here instead of in `id` (spanfn reads it; never writes it). */
  id2?: { local?: string; global?: string };
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

/** How a ChromeTraceWriter built for bytes hands them over. */
export interface ChromeTraceBytesOptions extends ChromeTraceOptions {
  bytes: true;
  /**
   * Each chunk is a view of the writer's own buffer, good only until `write` returns (a file
   * written synchronously): no copy. Otherwise each chunk is a copy the receiver may keep.
   */
  lend?: boolean;
}

/** A span site's constant parts, encoded once: `"name":…,"cat":…,"args":{…` (open) and the name alone. */
interface SiteBytes {
  readonly open: Uint8Array;
  /** `,` + open + `}}`: the end of an event with no parent or depth in its args. */
  readonly closed: Uint8Array;
  readonly name: Uint8Array;
}

const HEAD = utf8('{"ph":"');
const NEXT_HEAD = utf8(',\n{"ph":"');
const DUR = utf8(',"dur":');
const COMMA = utf8(",");
const CLOSE = utf8("}");
const PARENT = utf8(',"parent":');
const DEPTH = utf8(',"depth":');
const ID = utf8(',"id":"');
const ASYNC_END_CAT = utf8(`,"cat":"${TRACE_CATEGORY}","id":"`);
const NAME = utf8('","name":');
const OUTCOME = utf8(',"args":{"outcome":"');
const OUTCOME_END = utf8('"}}');
const QUOTE = utf8('"');

export class ChromeTraceWriter implements TraceWriter {
  private pid = 0;
  private origin = 0;
  private first = true;
  private started = false;
  private readonly threadsSeen = new Set<number>();
  /**
   * Per thread, its open `B` events innermost last (each `E` repeats its `B`'s name and args):
   * the site's bytes, and the parent its args named (NaN: none).
   */
  private readonly openBegins = new Map<number, { sites: SiteBytes[]; parents: number[] }>();
  /** Per thread, each site's bytes by metadata id, made at the site's first event. */
  private readonly siteTables = new Map<number, (SiteBytes | undefined)[]>();
  /** Per worker thread: the async span that created it (0: a thread span did), until its first root span. */
  private readonly starters = new Map<number, { parent: number; flowOpen: boolean }>();
  private readonly out = new JsonBytes();
  private readonly send: (bytes: Uint8Array) => void;
  private readonly lend: boolean;

  /** Writes the trace as text, a chunk at a time (ChromeTraceSink keeps them in memory). */
  constructor(write: (chunk: string) => void, options?: ChromeTraceOptions);
  /** Writes the trace as UTF-8 bytes (`bytes: true`): a file or another thread takes them as they are. */
  constructor(write: (chunk: Uint8Array) => void, options: ChromeTraceBytesOptions);
  constructor(
    write: ((chunk: string) => void) | ((chunk: Uint8Array) => void),
    private readonly options: ChromeTraceOptions & { bytes?: boolean; lend?: boolean } = {},
  ) {
    this.lend = options.lend === true;
    if (options.bytes === true) this.send = write as (chunk: Uint8Array) => void;
    else {
      this.lend = true;
      const decoder = new TextDecoder();
      this.send = (bytes) => (write as (chunk: string) => void)(decoder.decode(bytes));
    }
  }

  /** Opens the trace with the process's metadata. */
  start(process: ProcessInfo): void {
    if (this.started) return;
    this.started = true;
    this.pid = process.pid;
    this.origin = process.clock.timeOrigin;
    this.out.text("[\n");
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
    this.flush();
  }

  block(block: EventBlock): void {
    if (!this.started) throw new Error("spanfn: ChromeTraceWriter.start() must come before block()");
    const { metadata, thread } = block;
    this.nameThread(thread);
    const out = this.out;
    const pid = this.pid;
    const tid = thread.id;
    const offsetUs = (block.clock.timeOrigin - this.origin) * 1000;
    let open = this.openBegins.get(tid);
    if (open === undefined) this.openBegins.set(tid, (open = { sites: [], parents: [] }));
    const begins = open;
    let sites = this.siteTables.get(tid);
    if (sites === undefined) this.siteTables.set(tid, (sites = []));
    const siteOf = (metadataId: number): SiteBytes => sites[metadataId] ?? this.site(metadata[metadataId], metadataId, sites);
    const starter = this.starters.get(tid);
    const ids = utf8(`","pid":${pid},"tid":${tid},"ts":`);
    /** `{"ph":"X","pid":…,"tid":…,"ts":…` */
    const head = (phase: number, tick: number) => {
      out.bytes(this.first ? HEAD : NEXT_HEAD);
      this.first = false;
      out.byte(phase);
      out.bytes(ids);
      out.micros(nanosOf(offsetUs + tick * 1000));
    };
    const record = new RecordReader(block.data, block.length, { links: true, completes: true });
    while (record.next()) {
      const { kind, site: metadataId } = record;
      // A root span of a worker whose creator is known: linked to it.
      const linked =
        starter !== undefined &&
        begins.sites.length === 0 &&
        (kind === EventKind.threadBegin || kind === EventKind.threadComplete || kind === EventKind.threadBeginInside || kind === EventKind.asyncBegin) &&
        record.parent <= 0;
      const linkedParent = linked && starter.parent > 0 ? starter.parent : NaN;
      switch (kind) {
        case EventKind.workerStart:
          this.starters.set(record.worker, { parent: record.depth > 0 ? 0 : record.parent, flowOpen: true });
          head(PHASE.s, record.tick);
          out.text(`,"cat":"${WORKER_FLOW_CATEGORY}","id":"${record.worker}","name":"worker ${record.worker}"}`);
          continue;
        case EventKind.threadBegin:
        case EventKind.threadBeginInside: {
          // An outside parent (negative) means nothing to a trace viewer: such a span is a root here.
          const parent = kind === EventKind.threadBeginInside && record.parent > 0 ? record.parent : linkedParent;
          const site = siteOf(metadataId);
          begins.sites.push(site);
          begins.parents.push(parent);
          head(PHASE.B, record.tick);
          this.args(site, parent, NaN);
          break;
        }
        case EventKind.threadComplete: {
          // Nothing happened on the thread between its begin and end: one X event, at the begin's place in the order.
          const begin = nanosOf(offsetUs + record.tick * 1000);
          head(PHASE.X, record.tick);
          out.bytes(DUR);
          out.micros(nanosOf(offsetUs + record.endTick * 1000) - begin);
          this.args(siteOf(metadataId), linkedParent, NaN);
          break;
        }
        case EventKind.threadEnd: {
          head(PHASE.E, record.tick);
          const site = begins.sites.pop();
          const parent = begins.parents.pop()!;
          if (site === undefined) this.args(siteOf(metadataId), NaN, NaN);
          else this.args(site, parent, NaN);
          break;
        }
        case EventKind.asyncBegin: {
          const parent = !Number.isNaN(linkedParent) ? linkedParent : Math.max(0, record.parent);
          head(PHASE.b, record.tick);
          out.bytes(ID);
          out.number(record.spanId);
          out.bytes(QUOTE);
          this.args(siteOf(metadataId), parent, record.depth);
          break;
        }
        default:
          head(PHASE.e, record.tick);
          out.bytes(ASYNC_END_CAT);
          out.number(record.spanId);
          out.bytes(NAME);
          out.bytes(siteOf(metadataId).name);
          out.bytes(OUTCOME);
          out.text(OUTCOME_BY_KIND[kind]);
          out.bytes(OUTCOME_END);
      }
      if (linked && starter.flowOpen) {
        // The flow ends at the worker's first root span: the slice enclosing it.
        starter.flowOpen = false;
        out.text(`,\n{"ph":"f","bp":"e","pid":${pid},"tid":${tid},"ts":`);
        out.micros(nanosOf(offsetUs + record.tick * 1000));
        out.text(`,"cat":"${WORKER_FLOW_CATEGORY}","id":"${tid}","name":"worker ${tid}"}`);
      }
    }
    this.flush();
  }

  /** Ends what is still open (marked unfinished), records the counters, closes the array. */
  finish(report: RuntimeReport): void {
    const at = micros((report.clock.timeOrigin - this.origin + report.at) * 1000);
    for (const span of report.unfinished) {
      this.nameThread(span.thread);
      const ts = at;
      if (span.kind === "thread") {
        const open = this.openBegins.get(span.thread.id);
        open?.sites.pop();
        open?.parents.pop();
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
    this.out.text("\n]\n");
    this.flush();
  }

  private flush(): void {
    if (this.out.size > 0) this.send(this.lend ? this.out.lend() : this.out.take());
  }

  private emit(event: ChromeTraceEvent): void {
    this.out.text(`${this.first ? "" : ",\n"}${JSON.stringify(event)}`);
    this.first = false;
  }

  private nameThread(thread: ThreadInfo): void {
    if (this.threadsSeen.has(thread.id)) return;
    this.threadsSeen.add(thread.id);
    this.emit({ ph: "M", pid: this.pid, tid: thread.id, name: "thread_name", args: { name: thread.name } });
    this.emit({ ph: "M", pid: this.pid, tid: thread.id, name: "thread_sort_index", args: { sort_index: thread.id } });
  }

  /**
   * A span site's bytes, made once per site and kept in its thread's `table` (a site without
   * metadata: each time, as rare as it is).
   */
  private site(meta: SpanMetadata | undefined, metadataId: number, table: (SiteBytes | undefined)[]): SiteBytes {
    if (meta === undefined) {
      return siteBytes(`"name":"#${metadataId}","cat":"${TRACE_CATEGORY}","args":{"missingMetadata":true`, JSON.stringify(`#${metadataId}`));
    }
    const name = JSON.stringify(meta.name);
    const site = siteBytes(`"name":${name},"cat":"${TRACE_CATEGORY}","args":{"target":${JSON.stringify(meta.target)},"file":${JSON.stringify(meta.file)},"line":${meta.line}`, name);
    table[metadataId] = site;
    return site;
  }

  /** `,"name":…,"cat":…,"args":{…}}` closing an event, with the parent and depth when they are numbers. */
  private args(site: SiteBytes, parent: number, depth: number): void {
    const out = this.out;
    if (Number.isNaN(parent) && Number.isNaN(depth)) {
      out.bytes(site.closed);
      return;
    }
    out.bytes(COMMA);
    out.bytes(site.open);
    if (!Number.isNaN(parent)) {
      out.bytes(PARENT);
      out.number(parent);
    }
    if (!Number.isNaN(depth)) {
      out.bytes(DEPTH);
      out.number(depth);
    }
    out.bytes(CLOSE);
    out.bytes(CLOSE);
  }
}

function siteBytes(open: string, name: string): SiteBytes {
  const closed = utf8(`,${open}}}`);
  return { open: closed.subarray(1, closed.length - 2), closed, name: utf8(name) };
}

/** Phase letters as bytes. */
const PHASE = { B: 66, E: 69, X: 88, b: 98, e: 101, s: 115 } as const;

function nanosOf(micros: number): number {
  return Math.round(micros * 1000);
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
