/**
 * Perfetto's own trace format (a protobuf `Trace`: length-delimited `TracePacket`s), written as a
 * stream: packets are appended block by block, so a file cut short still loads up to its last
 * whole packet (or compressed bundle). Field numbers and rules follow google/perfetto's `protos/perfetto/trace/` and the
 * trace processor's importer (`src/trace_processor/importers/proto/`).
 *
 * - One packet sequence per thread (`trusted_packet_sequence_id`), plus sequence 1 for the process
 *   (its descriptor, spans left open at the report, and the report). The first packet of each
 *   sequence clears its incremental state and sets the defaults every later packet relies on: the
 *   thread's track for track events, and a sequence-scoped incremental clock, so a packet's
 *   `timestamp` is the nanoseconds since the previous packet of its sequence (a byte or three).
 *   The clock snapshot ties that clock's zero to the thread's time origin on REALTIME, which is
 *   the trace's clock: the viewer lines up threads with their own origins.
 * - Event names, source locations (file, line) and categories (the span's target, its module) are
 *   interned per sequence by metadata id, so a span's begin names its site in a few bytes.
 * - Thread spans are SLICE_BEGIN / SLICE_END on their thread's track. Async spans get one track
 *   each, a child of their parent span's track (roots: of the process track). The viewer shows
 *   the tree of tracks, merging same-named siblings that do not overlap, and the parent of a span
 *   is the parent of its track: `(uuid - ASYNC_TRACK) / 4` is the span id. The begin event also
 *   carries `id` and `parent` debug annotations (as the Chrome trace's args do), the end event
 *   the `outcome`.
 * - A worker thread's root spans are linked to the span that created the worker: where it was
 *   created, an instant (`worker N`) on that span's track starts a flow that the worker's first
 *   root span terminates, drawn as an arrow; when an async span created it, the roots also carry
 *   it as their `parent` (and a root async span's track hangs from its track).
 * - Spans still open at the report end there, marked `unfinished`; the report's counters are the
 *   `spanfn_report` instant on the process track, as JSON in its `report` annotation.
 *
 * Perfetto has no thread or process 0 of ours (those are the idle task), so a thread's Perfetto
 * tid is `pid + thread.id` (the main thread's tid is the pid, as on Linux) and a process without
 * an id (a browser) is given NO_PID.
 *
 * With a `compress` function (Node's `zlib.deflateSync`), each chunk goes out as one
 * `compressed_packets` packet, which the trace processor inflates before reading its packets.
 */
import { EventKind, OUTCOME_BY_KIND, type EventBlock, type ThreadInfo } from "../events.js";
import { forEachRecord } from "../records.js";
import type { ClockInfo } from "../clock.js";
import type { SpanMetadata } from "../events.js";
import type { ProcessInfo, RuntimeReport } from "./sink.js";
import { reportArgs } from "./report-args.js";
import { InMemoryTraceSink, type TraceWriter } from "./trace-writer.js";

export interface PerfettoTraceOptions {
  /** Shown as the process's name in the viewer. */
  processName?: string;
  /**
   * Deflates a run of serialized packets (zlib or gzip framing), e.g. Node's `zlib.deflateSync`:
   * the trace then holds `compressed_packets`. Without it packets are written as they are.
   */
  compress?: (bytes: Uint8Array) => Uint8Array;
}

/** Stand-in pid for a process without one: odd (never a Windows pid), above Linux's and macOS's limits. */
export const NO_PID = 0x7fff0001;

/** Track uuids: `id * 4 + kind`, so each kind of track has its own numbers and a span's id is read back. */
export const PROCESS_TRACK = 3;
export const THREAD_TRACK = 2;
export const ASYNC_TRACK = 1;
export const asyncTrackUuid = (spanId: number): number => spanId * 4 + ASYNC_TRACK;
export const threadTrackUuid = (threadId: number): number => threadId * 4 + THREAD_TRACK;

/** The sequence of the process's own packets; thread `id` writes on `id + FIRST_THREAD_SEQUENCE`. */
const PROCESS_SEQUENCE = 1;
const FIRST_THREAD_SEQUENCE = 2;

/** A sequence-scoped clock id (64-127): ours is incremental, in nanoseconds. */
const SEQUENCE_CLOCK = 64;
const BUILTIN_CLOCK_REALTIME = 1;

const SEQ_INCREMENTAL_STATE_CLEARED = 1;

/** A run of packets larger than this is written (and compressed) at once: bundles stay well under the importer's 512 KB. */
const CHUNK_BYTES = 256 * 1024;

// Field numbers (protos/perfetto/trace/...), as wire tags `field << 3 | wireType`.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const tag = (field: number, wire: number): number => (field << 3) | wire;
const T = {
  tracePacket: tag(1, LEN),
  // TracePacket
  timestamp: tag(8, VARINT),
  sequenceId: tag(10, VARINT),
  trackEvent: tag(11, LEN),
  internedData: tag(12, LEN),
  sequenceFlags: tag(13, VARINT),
  clockSnapshot: tag(6, LEN),
  packetDefaults: tag(59, LEN),
  trackDescriptor: tag(60, LEN),
  compressedPackets: tag(50, LEN),
  // TracePacketDefaults
  defaultsClockId: tag(58, VARINT),
  trackEventDefaults: tag(11, LEN),
  // TrackEventDefaults, TrackEvent
  trackUuid: tag(11, VARINT),
  // TrackEvent
  categoryIids: tag(3, VARINT),
  debugAnnotations: tag(4, LEN),
  type: tag(9, VARINT),
  nameIid: tag(10, VARINT),
  name: tag(23, LEN),
  sourceLocationIid: tag(34, VARINT),
  flowIds: tag(47, I64),
  terminatingFlowIds: tag(48, I64),
  // ClockSnapshot
  clocks: tag(1, LEN),
  primaryTraceClock: tag(2, VARINT),
  // ClockSnapshot.Clock
  clockId: tag(1, VARINT),
  clockTimestamp: tag(2, VARINT),
  isIncremental: tag(3, VARINT),
  // TrackDescriptor
  uuid: tag(1, VARINT),
  parentUuid: tag(5, VARINT),
  process: tag(3, LEN),
  thread: tag(4, LEN),
  // ProcessDescriptor / ThreadDescriptor
  pid: tag(1, VARINT),
  tid: tag(2, VARINT),
  processName: tag(6, LEN),
  threadName: tag(5, LEN),
  // InternedData
  eventCategories: tag(1, LEN),
  eventNames: tag(2, LEN),
  debugAnnotationNames: tag(3, LEN),
  sourceLocations: tag(4, LEN),
  debugAnnotationStrings: tag(29, LEN),
  // EventName, EventCategory, DebugAnnotationName, InternedString, SourceLocation
  iid: tag(1, VARINT),
  internedName: tag(2, LEN),
  fileName: tag(2, LEN),
  functionName: tag(3, LEN),
  lineNumber: tag(4, VARINT),
  // DebugAnnotation
  annotationNameIid: tag(1, VARINT),
  annotationName: tag(10, LEN),
  boolValue: tag(2, VARINT),
  uintValue: tag(3, VARINT),
  stringValue: tag(6, LEN),
  stringValueIid: tag(17, VARINT),
} as const;

const TYPE_SLICE_BEGIN = 1;
const TYPE_SLICE_END = 2;
const TYPE_INSTANT = 3;

/** Debug annotation names and string values every thread sequence interns up front. */
const OUTCOME_NAME_IID = 1;
const PARENT_NAME_IID = 2;
const ID_NAME_IID = 3;
const OUTCOME_IIDS: Readonly<Record<number, number>> = {
  [EventKind.asyncFulfilled]: 1,
  [EventKind.asyncRejected]: 2,
  [EventKind.asyncDetached]: 3,
};

/**
 * Protobuf wire encoding into one growable buffer. A nested message reserves a byte for its
 * length and moves its body up in the rare case the length needs more.
 */
class WireBuffer {
  bytes = new Uint8Array(64 * 1024);
  pos = 0;
  private readonly encoder = new TextEncoder();

  ensure(extra: number): void {
    if (this.pos + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  /** A non-negative integer below 2^53. */
  varint(value: number): void {
    this.ensure(10);
    const b = this.bytes;
    let p = this.pos;
    while (value > 0x7fffffff) {
      b[p++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    while (value > 127) {
      b[p++] = (value & 127) | 128;
      value >>>= 7;
    }
    b[p++] = value;
    this.pos = p;
  }

  bigVarint(value: bigint): void {
    this.ensure(10);
    const low = BigInt(127);
    const seven = BigInt(7);
    while (value > low) {
      this.bytes[this.pos++] = Number(value & low) | 128;
      value >>= seven;
    }
    this.bytes[this.pos++] = Number(value);
  }

  field(tagValue: number, value: number): void {
    this.varint(tagValue);
    this.varint(value);
  }

  /** A fixed64 field holding a non-negative integer below 2^53. */
  fixed64(tagValue: number, value: number): void {
    this.varint(tagValue);
    this.ensure(8);
    const low = value % 4294967296;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
    view.setUint32(0, low, true);
    view.setUint32(4, (value - low) / 4294967296, true);
    this.pos += 8;
  }

  /** Opens a length-delimited field; returns the position `close` needs. */
  open(tagValue: number): number {
    this.varint(tagValue);
    this.ensure(1);
    return this.pos++;
  }

  close(at: number): void {
    const length = this.pos - at - 1;
    if (length < 128) {
      this.bytes[at] = length;
      return;
    }
    let size = 1;
    for (let rest = length >>> 7; rest > 0; rest >>>= 7) size++;
    this.ensure(size - 1);
    this.bytes.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let p = at;
    let rest = length;
    while (rest > 127) {
      this.bytes[p++] = (rest & 127) | 128;
      rest >>>= 7;
    }
    this.bytes[p] = rest;
  }

  string(tagValue: number, text: string): void {
    const at = this.open(tagValue);
    this.ensure(text.length * 3);
    this.pos += this.encoder.encodeInto(text, this.bytes.subarray(this.pos)).written;
    this.close(at);
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.bytes.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}

/** What a thread's sequence has told the importer so far. */
interface ThreadSequence {
  readonly id: number;
  /** Nanoseconds since the thread's time origin of its last packet: the incremental clock. */
  lastNs: number;
  /** Per metadata id: 0 until its name and location are interned, then 1 + its category's iid (0: none). */
  sites: Uint32Array;
  /** Category (target) iids, by target. */
  readonly categories: Map<string, number>;
}

/** Writes a Perfetto trace chunk by chunk: `start` once, `block` for each block, `finish` at the report. */
export class PerfettoTraceWriter implements TraceWriter {
  private pid = 0;
  private origin = 0;
  private started = false;
  private lastProcessNs = 0;
  private readonly out = new WireBuffer();
  private readonly sequences = new Map<number, ThreadSequence>();
  private readonly described = new Set<number>();
  /** Per worker thread: the async span that created it (0: a thread span did), and whether its flow still waits for a root span. */
  private readonly starters = new Map<number, { parent: number; flowOpen: boolean }>();
  /** Per thread: its thread spans open at the end of its last block. */
  private readonly depths = new Map<number, number>();

  constructor(
    private readonly write: (chunk: Uint8Array) => void,
    private readonly options: PerfettoTraceOptions = {},
  ) {}

  /** Opens the trace with the process's sequence: its clock and its track. */
  start(process: ProcessInfo): void {
    if (this.started) return;
    this.started = true;
    this.pid = process.pid > 0 ? process.pid : NO_PID;
    this.origin = process.clock.timeOrigin;
    this.openSequence(PROCESS_SEQUENCE, process.clock, 0, false);
    const out = this.out;
    const packet = this.openPacket(PROCESS_SEQUENCE);
    const track = out.open(T.trackDescriptor);
    out.field(T.uuid, PROCESS_TRACK);
    const descriptor = out.open(T.process);
    out.field(T.pid, this.pid);
    out.string(T.processName, this.options.processName ?? `spanfn ${process.pid}`);
    out.close(descriptor);
    out.close(track);
    out.close(packet);
    this.flush();
  }

  block(block: EventBlock): void {
    if (!this.started) throw new Error("spanfn: PerfettoTraceWriter.start() must come before block()");
    const { metadata } = block;
    const sequence = this.sequenceOf(block.thread, block.clock);
    const out = this.out;
    const id = sequence.id;
    const starter = this.starters.get(block.thread.id);
    // Open thread spans of the block's thread, counted to tell a worker's root spans.
    let depth = this.depths.get(block.thread.id) ?? 0;
    forEachRecord(
      block,
      (record) => {
        const { kind, site: metadataId } = record;
        const ns = Math.round(record.tick * 1e6);
        const delta = ns > sequence.lastNs ? ns - sequence.lastNs : 0;
        sequence.lastNs += delta;
        const linked =
          starter !== undefined &&
          depth === 0 &&
          (kind === EventKind.threadBegin || kind === EventKind.threadBeginInside || kind === EventKind.asyncBegin) &&
          record.parent <= 0;
        const rootParent = linked ? starter.parent : 0;
        const terminates = linked && starter.flowOpen;
        if (terminates) starter.flowOpen = false;
        if (kind === EventKind.workerStart) {
          const parent = record.depth > 0 ? 0 : record.parent;
          this.starters.set(record.worker, { parent, flowOpen: true });
          const packet = this.openPacket(id);
          out.field(T.timestamp, delta);
          const event = out.open(T.trackEvent);
          out.field(T.type, TYPE_INSTANT);
          if (parent > 0) out.field(T.trackUuid, asyncTrackUuid(parent));
          out.string(T.name, `worker ${record.worker}`);
          out.fixed64(T.flowIds, record.worker);
          out.close(event);
          out.close(packet);
        } else if (kind === EventKind.threadEnd) {
          if (depth > 0) depth--;
          const packet = this.openPacket(id);
          out.field(T.timestamp, delta);
          const event = out.open(T.trackEvent);
          out.field(T.type, TYPE_SLICE_END);
          out.close(event);
          out.close(packet);
        } else if (kind === EventKind.threadBegin || kind === EventKind.threadBeginInside) {
          depth++;
          const packet = this.openPacket(id);
          out.field(T.timestamp, delta);
          this.internSite(sequence, metadata[metadataId], metadataId);
          const event = out.open(T.trackEvent);
          out.field(T.type, TYPE_SLICE_BEGIN);
          this.nameSite(sequence, metadata[metadataId], metadataId);
          if (terminates) out.fixed64(T.terminatingFlowIds, block.thread.id);
          // An outside parent (negative) means nothing in this trace: such a span is a root here.
          const parent = kind === EventKind.threadBeginInside && record.parent > 0 ? record.parent : rootParent;
          if (parent > 0) {
            const annotation = out.open(T.debugAnnotations);
            out.field(T.annotationNameIid, PARENT_NAME_IID);
            out.field(T.uintValue, parent);
            out.close(annotation);
          }
          out.close(event);
          out.close(packet);
        } else if (kind === EventKind.asyncBegin) {
          const spanId = record.spanId;
          const parent = rootParent > 0 ? rootParent : record.parent;
          const uuid = asyncTrackUuid(spanId);
          let packet = this.openPacket(id);
          const track = out.open(T.trackDescriptor);
          out.field(T.uuid, uuid);
          out.field(T.parentUuid, parent > 0 ? asyncTrackUuid(parent) : PROCESS_TRACK);
          out.close(track);
          out.close(packet);
          packet = this.openPacket(id);
          out.field(T.timestamp, delta);
          this.internSite(sequence, metadata[metadataId], metadataId);
          const event = out.open(T.trackEvent);
          out.field(T.type, TYPE_SLICE_BEGIN);
          out.field(T.trackUuid, uuid);
          this.nameSite(sequence, metadata[metadataId], metadataId);
          if (terminates) out.fixed64(T.terminatingFlowIds, block.thread.id);
          // The ids again, as arguments: what the viewer shows of a span, and what a reader needs
          // without knowing how spanfn numbers its tracks.
          let annotation = out.open(T.debugAnnotations);
          out.field(T.annotationNameIid, ID_NAME_IID);
          out.field(T.uintValue, spanId);
          out.close(annotation);
          if (parent > 0) {
            annotation = out.open(T.debugAnnotations);
            out.field(T.annotationNameIid, PARENT_NAME_IID);
            out.field(T.uintValue, parent);
            out.close(annotation);
          }
          out.close(event);
          out.close(packet);
        } else {
          const packet = this.openPacket(id);
          out.field(T.timestamp, delta);
          const event = out.open(T.trackEvent);
          out.field(T.type, TYPE_SLICE_END);
          out.field(T.trackUuid, asyncTrackUuid(record.spanId));
          const annotation = out.open(T.debugAnnotations);
          out.field(T.annotationNameIid, OUTCOME_NAME_IID);
          out.field(T.stringValueIid, OUTCOME_IIDS[kind]);
          out.close(annotation);
          out.close(event);
          out.close(packet);
        }
        if (out.pos > CHUNK_BYTES) this.flush();
      },
      { links: true },
    );
    this.depths.set(block.thread.id, depth);
    this.flush();
  }

  /** Ends what is still open (marked unfinished) and records the report's counters. */
  finish(report: RuntimeReport): void {
    if (!this.started) throw new Error("spanfn: PerfettoTraceWriter.start() must come before finish()");
    const out = this.out;
    const ns = Math.round((report.clock.timeOrigin - this.origin + report.at) * 1e6);
    let delta = ns > this.lastProcessNs ? ns - this.lastProcessNs : 0;
    this.lastProcessNs += delta;
    const timed = (): number => {
      const packet = this.openPacket(PROCESS_SEQUENCE);
      out.field(T.timestamp, delta);
      delta = 0;
      return packet;
    };
    for (const span of report.unfinished) {
      if (span.kind === "thread") this.describeThread(PROCESS_SEQUENCE, span.thread);
      const packet = timed();
      const event = out.open(T.trackEvent);
      out.field(T.type, TYPE_SLICE_END);
      out.field(T.trackUuid, span.kind === "thread" ? threadTrackUuid(span.thread.id) : asyncTrackUuid(span.spanId));
      const annotation = out.open(T.debugAnnotations);
      if (span.kind === "thread") {
        out.string(T.annotationName, "unfinished");
        out.field(T.boolValue, 1);
      } else {
        out.string(T.annotationName, "outcome");
        out.string(T.stringValue, "unfinished");
      }
      out.close(annotation);
      out.close(event);
      out.close(packet);
    }
    const counters = reportArgs(report);
    const packet = timed();
    const event = out.open(T.trackEvent);
    out.field(T.type, TYPE_INSTANT);
    out.field(T.trackUuid, PROCESS_TRACK);
    out.string(T.name, "spanfn_report");
    const annotation = out.open(T.debugAnnotations);
    out.string(T.annotationName, "report");
    out.string(T.stringValue, JSON.stringify(counters));
    out.close(annotation);
    out.close(event);
    out.close(packet);
    this.flush();
  }

  /** A `TracePacket` on `sequence`, open for its fields. */
  private openPacket(sequence: number): number {
    const packet = this.out.open(T.tracePacket);
    this.out.field(T.sequenceId, sequence);
    return packet;
  }

  /**
   * The first packet of a sequence: clears its incremental state, sets its defaults (the clock,
   * and the thread's track) and ties the clock to the origin; thread sequences also intern the
   * debug annotation names and outcomes their events use.
   */
  private openSequence(sequence: number, clock: ClockInfo, trackUuid: number, annotations: boolean): void {
    const out = this.out;
    const packet = this.openPacket(sequence);
    out.field(T.sequenceFlags, SEQ_INCREMENTAL_STATE_CLEARED);
    const defaults = out.open(T.packetDefaults);
    out.field(T.defaultsClockId, SEQUENCE_CLOCK);
    if (trackUuid !== 0) {
      const eventDefaults = out.open(T.trackEventDefaults);
      out.field(T.trackUuid, trackUuid);
      out.close(eventDefaults);
    }
    out.close(defaults);
    if (annotations) {
      const interned = out.open(T.internedData);
      for (const [iid, name] of [[OUTCOME_NAME_IID, "outcome"], [PARENT_NAME_IID, "parent"], [ID_NAME_IID, "id"]] as const) {
        const entry = out.open(T.debugAnnotationNames);
        out.field(T.iid, iid);
        out.string(T.internedName, name);
        out.close(entry);
      }
      for (const [kind, iid] of Object.entries(OUTCOME_IIDS)) {
        const entry = out.open(T.debugAnnotationStrings);
        out.field(T.iid, iid);
        out.string(T.internedName, OUTCOME_BY_KIND[Number(kind)]);
        out.close(entry);
      }
      out.close(interned);
    }
    const snapshot = out.open(T.clockSnapshot);
    let entry = out.open(T.clocks);
    out.field(T.clockId, BUILTIN_CLOCK_REALTIME);
    out.varint(T.clockTimestamp);
    out.bigVarint(epochNanoseconds(clock.timeOrigin));
    out.close(entry);
    entry = out.open(T.clocks);
    out.field(T.clockId, SEQUENCE_CLOCK);
    out.field(T.clockTimestamp, 0);
    out.field(T.isIncremental, 1);
    out.close(entry);
    // The trace's clock is chosen once, by the trace's first packet: the importer refuses to
    // change it after a conversion (and needs no repeat).
    if (sequence === PROCESS_SEQUENCE) out.field(T.primaryTraceClock, BUILTIN_CLOCK_REALTIME);
    out.close(snapshot);
    out.close(packet);
  }

  private sequenceOf(thread: ThreadInfo, clock: ClockInfo): ThreadSequence {
    let sequence = this.sequences.get(thread.id);
    if (sequence === undefined) {
      sequence = { id: thread.id + FIRST_THREAD_SEQUENCE, lastNs: 0, sites: new Uint32Array(256), categories: new Map() };
      this.sequences.set(thread.id, sequence);
      this.openSequence(sequence.id, clock, threadTrackUuid(thread.id), true);
      this.describeThread(sequence.id, thread);
    }
    return sequence;
  }

  private describeThread(sequence: number, thread: ThreadInfo): void {
    if (this.described.has(thread.id)) return;
    this.described.add(thread.id);
    const out = this.out;
    const packet = this.openPacket(sequence);
    const track = out.open(T.trackDescriptor);
    out.field(T.uuid, threadTrackUuid(thread.id));
    const descriptor = out.open(T.thread);
    out.field(T.pid, this.pid);
    out.field(T.tid, this.pid + thread.id);
    out.string(T.threadName, thread.name);
    out.close(descriptor);
    out.close(track);
    out.close(packet);
  }

  /** Interns a site's name, source location and category in the packet being written, once per sequence. */
  private internSite(sequence: ThreadSequence, meta: SpanMetadata | undefined, metadataId: number): void {
    if (metadataId >= sequence.sites.length) {
      const grown = new Uint32Array(Math.max(sequence.sites.length * 2, metadataId + 1));
      grown.set(sequence.sites);
      sequence.sites = grown;
    }
    if (sequence.sites[metadataId] !== 0) return;
    const out = this.out;
    const iid = metadataId + 1;
    let categoryIid = 0;
    const interned = out.open(T.internedData);
    let entry = out.open(T.eventNames);
    out.field(T.iid, iid);
    out.string(T.internedName, meta?.name ?? `#${metadataId}`);
    out.close(entry);
    if (meta !== undefined) {
      entry = out.open(T.sourceLocations);
      out.field(T.iid, iid);
      out.string(T.fileName, meta.file);
      out.string(T.functionName, meta.name);
      out.field(T.lineNumber, meta.line);
      out.close(entry);
      if (meta.target !== "") {
        let category = sequence.categories.get(meta.target);
        if (category === undefined) {
          category = sequence.categories.size + 1;
          sequence.categories.set(meta.target, category);
          entry = out.open(T.eventCategories);
          out.field(T.iid, category);
          out.string(T.internedName, meta.target);
          out.close(entry);
        }
        categoryIid = category;
      }
    }
    out.close(interned);
    sequence.sites[metadataId] = categoryIid + 1;
  }

  /** The interned name, source location and category of a begin event. */
  private nameSite(sequence: ThreadSequence, meta: SpanMetadata | undefined, metadataId: number): void {
    const out = this.out;
    out.field(T.nameIid, metadataId + 1);
    if (meta === undefined) return;
    out.field(T.sourceLocationIid, metadataId + 1);
    const category = sequence.sites[metadataId] - 1;
    if (category > 0) out.field(T.categoryIids, category);
  }

  /** Hands over what was written since the last call: as it is, or as one compressed bundle. */
  private flush(): void {
    const out = this.out;
    if (out.pos === 0) return;
    const packets = out.bytes.subarray(0, out.pos);
    if (this.options.compress === undefined) {
      const chunk = packets.slice();
      out.pos = 0;
      this.write(chunk);
      return;
    }
    const compressed = this.options.compress(packets);
    out.pos = 0;
    out.varint(T.tracePacket);
    out.varint(compressed.length + 2 + varintSize(compressed.length));
    out.varint(T.compressedPackets);
    out.varint(compressed.length);
    out.raw(compressed);
    const chunk = out.bytes.slice(0, out.pos);
    out.pos = 0;
    this.write(chunk);
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 127) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Epoch milliseconds (fractional) as integer nanoseconds, past what a double holds exactly. */
function epochNanoseconds(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * BigInt(1_000_000) + BigInt(Math.round((ms - whole) * 1e6));
}

/** Builds the whole trace in memory; for browsers, tests, and small programs. */
export class PerfettoTraceSink extends InMemoryTraceSink<Uint8Array> {
  constructor(options: PerfettoTraceOptions = {}) {
    super((write) => new PerfettoTraceWriter(write, options));
  }

  /** The trace so far (complete once the runtime has shut down). */
  bytes(): Uint8Array {
    const size = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const all = new Uint8Array(size);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }
}
