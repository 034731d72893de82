/**
 * Reads a Perfetto protobuf trace (`.pftrace`) as a stream: the file is a `Trace`, a run of
 * length-delimited `TracePacket`s, taken chunk by chunk, so a trace of any size reads in the
 * memory of its largest packet. Packets are decoded with protobufjs's wire `Reader`, following
 * the trace processor's rules for what spanfn writes and for TrackEvent traces of other
 * producers: per-sequence incremental state (defaults, interned names, source locations,
 * categories and debug annotation names/strings), clock snapshots with sequence-scoped and
 * incremental clocks, `compressed_packets` (inflated), and track descriptors (threads, processes,
 * and the tracks async slices go on).
 *
 * A slice on a thread's track is a thread span; a slice on any other track but a process's is an
 * async span. The thread key is `${pid}:${tid}` as the descriptors say (spanfn writes tid =
 * pid + thread id). An async span's id is `${pid}:${id}`, with the `id` argument spanfn writes,
 * or the track's uuid (and `#n` for the n-th later slice on it) for other producers; its parent is
 * the `parent` argument or else the span open on the parent track. Times are microseconds since
 * the first clock snapshot's time on the trace's clock (spanfn: the process's time origin), or
 * since 0 without one. A packet cut short at the end of the file is ignored, as the trace
 * processor does; anything else malformed is an error naming the file.
 */
import { createReadStream } from "node:fs";
import { unzipSync } from "node:zlib";
import protobuf from "protobufjs/minimal.js";
import { UsageError } from "../args.js";
import type { TraceEventVisitor } from "./visitor.js";

type Reader = protobuf.Reader;
type Long = { low: number; high: number; unsigned: boolean; toString(): string; toNumber(): number };

const LEN = 2;
const TRACE_PACKET = 1;
const SEQ_INCREMENTAL_STATE_CLEARED = 1;
const BUILTIN_CLOCK_BOOTTIME = 6;
const FIRST_SEQUENCE_CLOCK = 64;
const LAST_SEQUENCE_CLOCK = 127;
const TYPE_SLICE_BEGIN = 1;
const TYPE_SLICE_END = 2;
const TYPE_INSTANT = 3;

interface SequenceClock {
  unitNs: number;
  incremental: boolean;
  /** The clock's last value, in its units (incremental: the running sum). */
  value: number;
  /** Its value at the snapshot, and the trace time (ns since the base) it was then. */
  atValue: number;
  atNs: number;
}

interface Sequence {
  defaultClock: number;
  defaultTrack: string | null;
  /** The default track's state, looked up once. */
  defaultTrackState: Track | null;
  names: Map<number, string>;
  categories: Map<number, string>;
  locations: Map<number, { file: string; line: number }>;
  annotationNames: Map<number, string>;
  strings: Map<number, string>;
  clocks: Map<number, SequenceClock>;
}

interface Track {
  parent: string | null;
  /** `${pid}:${tid}` for a thread's track. */
  thread: string | null;
  pid: number | null;
  isProcess: boolean;
  /** Ids of the async slices open on this track, innermost last. */
  open: string[];
  slices: number;
}

const newSequence = (): Sequence => ({
  defaultClock: 0,
  defaultTrack: null,
  defaultTrackState: null,
  names: new Map(),
  categories: new Map(),
  locations: new Map(),
  annotationNames: new Map(),
  strings: new Map(),
  clocks: new Map(),
});

/**
 * A uint64 (or int64) varint as a number: read as a uint32 when it fits in four bytes (ids, iids,
 * deltas, lengths), else through protobufjs's 64-bit read (exact below 2^53).
 */
function readNumber(r: Reader, signed = false): number {
  const at = r.pos;
  const value = r.uint32();
  if (r.pos - at <= 4) return value;
  r.pos = at;
  const wide = (signed ? r.int64() : r.uint64()) as unknown as Long | number;
  return typeof wide === "number" ? wide : wide.toNumber();
}

/** A uint64 varint as a map key: its decimal digits, exact at any size. */
function readKey(r: Reader): string {
  const at = r.pos;
  const value = r.uint32();
  if (r.pos - at <= 4) return String(value);
  r.pos = at;
  const wide = r.uint64() as unknown as Long | number;
  return typeof wide === "number" ? String(wide) : wide.toString();
}

/** An error the visitor threw: passed on as it is, not taken for a corrupt file. */
class VisitorFailure {
  constructor(readonly error: unknown) {}
}

/** What a Perfetto trace held, besides what its visitor was told. */
export interface PerfettoReadResult {
  /** Slice begins and ends, on any track: the events a Chrome trace would have written as B/E/b/e. */
  events: number;
}

export async function readPerfetto(path: string, on: TraceEventVisitor): Promise<PerfettoReadResult> {
  const state = new PerfettoState(path, guarded(on));
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(path)) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      pending = pending.subarray(state.packets(pending));
    }
  } catch (error) {
    throw error instanceof VisitorFailure ? error.error : error;
  }
  return { events: state.events };
}

/** The visitor, with what it throws marked as its own. */
function guarded(on: TraceEventVisitor): TraceEventVisitor {
  const wrap =
    <A extends unknown[]>(call: (...args: A) => void) =>
    (...args: A): void => {
      try {
        call.apply(on, args);
      } catch (error) {
        throw new VisitorFailure(error);
      }
    };
  return {
    ...(on.threadName ? { threadName: wrap(on.threadName) } : {}),
    threadBegin: wrap(on.threadBegin),
    threadEnd: wrap(on.threadEnd),
    asyncBegin: wrap(on.asyncBegin),
    asyncEnd: wrap(on.asyncEnd),
    ...(on.report ? { report: wrap(on.report) } : {}),
  };
}

class PerfettoState {
  private readonly sequences = new Map<number, Sequence>();
  private readonly tracks = new Map<string, Track>();
  private readonly named = new Set<string>();
  /** Trace time (ns) all times are counted from, as a BigInt: set by the first clock snapshot. */
  private base: bigint | null = null;
  /** Slice begins and ends read so far. */
  events = 0;

  constructor(
    private readonly path: string,
    private readonly on: TraceEventVisitor,
  ) {}

  /** Reads the whole `Trace.packet` fields at the start of `bytes`; returns how many bytes they took. */
  packets(bytes: Uint8Array): number {
    const r = protobuf.Reader.create(bytes);
    let done = 0;
    while (r.pos < r.len) {
      let tag: number;
      let length: number;
      try {
        tag = r.uint32();
        if ((tag & 7) !== LEN) {
          // A Trace has only length-delimited packets; groups and unknown wire types mean this is no trace.
          if (tag >>> 3 === 0 || ((tag & 7) !== 0 && (tag & 7) !== 1 && (tag & 7) !== 5)) {
            throw new Error(`unexpected field ${tag >>> 3} (wire type ${tag & 7}) at byte ${r.pos}`);
          }
          r.skipType(tag & 7);
          done = r.pos;
          continue;
        }
        length = r.uint32();
      } catch (error) {
        if (error instanceof RangeError) return done;
        throw this.corrupt(error);
      }
      const end = r.pos + length;
      if (end > bytes.length) return done;
      if (tag >>> 3 === TRACE_PACKET) {
        try {
          r.len = end;
          this.packet(r);
        } catch (error) {
          throw this.corrupt(error);
        }
        r.len = bytes.length;
      }
      r.pos = end;
      done = end;
    }
    return done;
  }

  private corrupt(error: unknown): unknown {
    if (error instanceof VisitorFailure) return error;
    if (error instanceof UsageError) return error;
    const message = error instanceof Error ? error.message : String(error);
    // A bad input file, said in one line like any other (bin.ts): not a crash of spanfn.
    return new UsageError(`${this.path} is not a readable Perfetto trace: ${message}`);
  }

  /**
   * One packet, `r.pos` to `r.len`: its fields found first, then read in the importer's order
   * (incremental state, defaults, interned data, clock snapshot, track descriptor, time, event).
   */
  private packet(r: Reader): void {
    const end = r.len;
    let sequenceId = 0;
    let flags = 0;
    let clockId = 0;
    let timestamp = -1;
    let wideTimestamp: Long | null = null;
    let defaults = -1;
    let interned = -1;
    let snapshot = -1;
    let descriptor = -1;
    let event = -1;
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag) {
        case (8 << 3) | 0: {
          const at = r.pos;
          timestamp = r.uint32();
          if (r.pos - at > 4) {
            r.pos = at;
            wideTimestamp = r.uint64() as unknown as Long;
          }
          break;
        }
        case (58 << 3) | 0:
          clockId = r.uint32();
          break;
        case (10 << 3) | 0:
          sequenceId = r.uint32();
          break;
        case (13 << 3) | 0:
          flags |= r.uint32();
          break;
        case (41 << 3) | 0:
          if (r.bool()) flags |= SEQ_INCREMENTAL_STATE_CLEARED;
          break;
        case (59 << 3) | LEN:
          defaults = r.pos;
          r.skipType(LEN);
          break;
        case (12 << 3) | LEN:
          interned = r.pos;
          r.skipType(LEN);
          break;
        case (6 << 3) | LEN:
          snapshot = r.pos;
          r.skipType(LEN);
          break;
        case (60 << 3) | LEN:
          descriptor = r.pos;
          r.skipType(LEN);
          break;
        case (11 << 3) | LEN:
          event = r.pos;
          r.skipType(LEN);
          break;
        case (50 << 3) | LEN: {
          const length = r.uint32();
          const inflated = unzipSync(r.buf.subarray(r.pos, r.pos + length));
          r.pos += length;
          // A bundle holds whole packets only.
          if (this.packets(inflated) !== inflated.length) throw new Error("compressed_packets ends inside a packet");
          break;
        }
        default:
          r.skipType(tag & 7);
      }
    }
    let sequence = this.sequences.get(sequenceId);
    if (sequence === undefined || flags & SEQ_INCREMENTAL_STATE_CLEARED) {
      sequence = newSequence();
      this.sequences.set(sequenceId, sequence);
    }
    if (defaults >= 0) this.within(r, defaults, end, () => this.defaults(sequence, r));
    if (interned >= 0) this.within(r, interned, end, () => this.interned(sequence, r));
    if (snapshot >= 0) {
      this.within(r, snapshot, end, () => this.snapshot(sequence, r));
      return;
    }
    if (descriptor >= 0) this.within(r, descriptor, end, () => this.descriptor(r));
    let ns: number | null = null;
    if (timestamp >= 0) ns = this.time(sequence, clockId || sequence.defaultClock, timestamp, wideTimestamp);
    if (event >= 0) {
      r.pos = event;
      const length = r.uint32();
      r.len = r.pos + length;
      this.event(sequence, r, ns);
      r.len = end;
    }
  }

  /** Runs `read` over the length-delimited field at `at`, then restores the packet's end. */
  private within(r: Reader, at: number, end: number, read: () => void): void {
    r.pos = at;
    const length = r.uint32();
    r.len = r.pos + length;
    read();
    r.len = end;
  }

  private defaults(sequence: Sequence, r: Reader): void {
    sequence.defaultClock = 0;
    sequence.defaultTrack = null;
    sequence.defaultTrackState = null;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((58 << 3) | 0)) sequence.defaultClock = r.uint32();
      else if (tag === ((11 << 3) | LEN)) {
        const end = r.uint32() + r.pos;
        while (r.pos < end) {
          const inner = r.uint32();
          if (inner === ((11 << 3) | 0)) sequence.defaultTrack = readKey(r);
          else r.skipType(inner & 7);
        }
      } else r.skipType(tag & 7);
    }
  }

  private interned(sequence: Sequence, r: Reader): void {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      if ((tag & 7) !== LEN || (field !== 1 && field !== 2 && field !== 3 && field !== 4 && field !== 29)) {
        r.skipType(tag & 7);
        continue;
      }
      const end = r.uint32() + r.pos;
      let iid = 0;
      let text = "";
      let line = 0;
      while (r.pos < end) {
        const inner = r.uint32();
        const number = inner >>> 3;
        if (number === 1 && (inner & 7) === 0) iid = readNumber(r);
        // SourceLocation: file_name = 2, line_number = 4; the others: name (or str) = 2.
        else if (number === 2 && (inner & 7) === LEN) text = r.string();
        else if (field === 4 && number === 4 && (inner & 7) === 0) line = r.uint32();
        else r.skipType(inner & 7);
      }
      if (field === 1) sequence.categories.set(iid, text);
      else if (field === 2) sequence.names.set(iid, text);
      else if (field === 3) sequence.annotationNames.set(iid, text);
      else if (field === 4) sequence.locations.set(iid, { file: text, line });
      else sequence.strings.set(iid, text);
    }
  }

  /**
   * Ties each clock of the snapshot to the trace's clock (the primary one, else BOOTTIME, else
   * the first global clock listed). The first snapshot sets the base all times count from.
   */
  private snapshot(sequence: Sequence, r: Reader): void {
    const clocks: { id: number; value: bigint; unitNs: number; incremental: boolean }[] = [];
    let primary = 0;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((2 << 3) | 0)) primary = r.uint32();
      else if (tag === ((1 << 3) | LEN)) {
        const end = r.uint32() + r.pos;
        const clock = { id: 0, value: BigInt(0), unitNs: 1, incremental: false };
        while (r.pos < end) {
          const inner = r.uint32();
          if (inner === ((1 << 3) | 0)) clock.id = r.uint32();
          else if (inner === ((2 << 3) | 0)) clock.value = BigInt(readKey(r));
          else if (inner === ((3 << 3) | 0)) clock.incremental = r.bool();
          else if (inner === ((4 << 3) | 0)) clock.unitNs = readNumber(r) || 1;
          else r.skipType(inner & 7);
        }
        clocks.push(clock);
      } else r.skipType(tag & 7);
    }
    const isSequenceClock = (id: number) => id >= FIRST_SEQUENCE_CLOCK && id <= LAST_SEQUENCE_CLOCK;
    const global = clocks.filter((c) => !isSequenceClock(c.id));
    const trace = global.find((c) => c.id === primary) ?? global.find((c) => c.id === BUILTIN_CLOCK_BOOTTIME) ?? global[0];
    if (trace === undefined) return;
    this.base ??= trace.value;
    const atNs = Number(trace.value - this.base);
    for (const c of clocks) {
      if (!isSequenceClock(c.id)) continue;
      const value = c.incremental ? 0 : Number(c.value);
      sequence.clocks.set(c.id, { unitNs: c.unitNs, incremental: c.incremental, value, atValue: value, atNs });
    }
  }

  /** A packet's time: ns since the base. */
  private time(sequence: Sequence, clockId: number, timestamp: number, wide: Long | null): number {
    const clock = sequence.clocks.get(clockId);
    if (clock === undefined) {
      // A global clock (or none): taken as the trace's clock, exact past 2^53 before the base is taken off.
      if (wide === null) return timestamp - Number(this.base ?? 0);
      return Number(BigInt(wide.toString()) - (this.base ?? BigInt(0)));
    }
    // Deltas are small; a sequence clock's absolute values stay within a double's exact range.
    const value = wide === null ? timestamp : wide.toNumber();
    clock.value = clock.incremental ? clock.value + value : value;
    return clock.atNs + (clock.value - clock.atValue) * clock.unitNs;
  }

  private descriptor(r: Reader): void {
    let uuid: string | null = null;
    let parent: string | null = null;
    let thread: { pid: number; tid: string; name: string } | null = null;
    let pid: number | null = null;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | 0)) uuid = readKey(r);
      else if (tag === ((5 << 3) | 0)) parent = readKey(r);
      else if (tag === ((4 << 3) | LEN) || tag === ((3 << 3) | LEN)) {
        const end = r.uint32() + r.pos;
        const isThread = tag >>> 3 === 4;
        let p = 0;
        let tid = "0";
        let name = "";
        while (r.pos < end) {
          const inner = r.uint32();
          if (inner === ((1 << 3) | 0)) p = r.int32();
          else if (isThread && inner === ((2 << 3) | 0)) tid = String(readNumber(r, true));
          else if (isThread && inner === ((5 << 3) | LEN)) name = r.string();
          else r.skipType(inner & 7);
        }
        pid = p;
        if (isThread) thread = { pid: p, tid, name };
      } else r.skipType(tag & 7);
    }
    if (uuid === null) return;
    const track = this.trackOf(uuid);
    track.parent = parent ?? track.parent;
    track.pid = pid ?? track.pid;
    if (thread !== null) {
      track.thread = `${thread.pid}:${thread.tid}`;
      if (thread.name !== "" && !this.named.has(track.thread)) {
        this.named.add(track.thread);
        this.on.threadName?.(track.thread, thread.name);
      }
    } else if (pid !== null) track.isProcess = true;
  }

  private event(sequence: Sequence, r: Reader, ns: number | null): void {
    let type = 0;
    let uuid: string | null = null;
    let name: string | undefined;
    let category: string | undefined;
    let location: { file: string; line: number } | undefined;
    let args: Record<string, unknown> | undefined;
    let absoluteUs: number | null = null;
    while (r.pos < r.len) {
      const tag = r.uint32();
      switch (tag) {
        case (9 << 3) | 0:
          type = r.int32();
          break;
        case (11 << 3) | 0:
          uuid = readKey(r);
          break;
        case (10 << 3) | 0:
          name = sequence.names.get(readNumber(r));
          break;
        case (23 << 3) | LEN:
          name = r.string();
          break;
        case (3 << 3) | 0:
          category ??= sequence.categories.get(readNumber(r));
          break;
        case (22 << 3) | LEN:
          category ??= r.string();
          break;
        case (34 << 3) | 0:
          location = sequence.locations.get(readNumber(r));
          break;
        case (4 << 3) | LEN: {
          const end = r.uint32() + r.pos;
          const [argName, value] = this.annotation(sequence, r, end);
          if (argName !== undefined) (args ??= {})[argName] = value;
          break;
        }
        case (16 << 3) | 0:
          absoluteUs = readNumber(r, true);
          break;
        default:
          r.skipType(tag & 7);
      }
    }
    const ts = ns !== null ? ns / 1000 : absoluteUs !== null ? absoluteUs - Number(this.base ?? BigInt(0)) / 1000 : null;
    if (ts === null) return;
    let t: Track;
    if (uuid === null) {
      if (sequence.defaultTrack === null) return;
      uuid = sequence.defaultTrack;
      t = sequence.defaultTrackState ??= this.trackOf(uuid);
    } else t = this.trackOf(uuid);
    const on = this.on;
    if (type === TYPE_INSTANT) {
      if (name === "spanfn_report" && typeof args?.report === "string") on.report?.(JSON.parse(args.report) as Record<string, unknown>);
      return;
    }
    if (type !== TYPE_SLICE_BEGIN && type !== TYPE_SLICE_END) return;
    this.events++;
    if (t.thread !== null) {
      if (type === TYPE_SLICE_BEGIN) on.threadBegin(t.thread, ts, name ?? "?", beginArgs(category, location, args));
      else on.threadEnd(t.thread, ts, args?.unfinished === true);
      return;
    }
    if (t.isProcess) return;
    if (type === TYPE_SLICE_END) {
      const id = t.open.pop();
      if (id !== undefined) on.asyncEnd(id, ts, typeof args?.outcome === "string" ? args.outcome : "");
      return;
    }
    const pid = this.pidOf(uuid);
    const own = typeof args?.id === "number" ? String(args.id) : t.slices === 0 ? uuid : `${uuid}#${t.slices}`;
    t.slices++;
    const id = `${pid}:${own}`;
    const parent =
      typeof args?.parent === "number"
        ? `${pid}:${args.parent}`
        : (t.open.at(-1) ?? (t.parent === null ? undefined : this.tracks.get(t.parent)?.open.at(-1)) ?? null);
    t.open.push(id);
    const rest = args === undefined ? undefined : { ...args };
    if (rest !== undefined) delete rest.id;
    on.asyncBegin(id, this.threadOf(sequence, uuid) ?? `${pid}:0`, ts, name ?? "?", parent, beginArgs(category, location, rest));
  }

  /** One debug annotation: its name and plain value (nested values are left out). */
  private annotation(sequence: Sequence, r: Reader, end: number): [string | undefined, unknown] {
    let name: string | undefined;
    let value: unknown;
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag) {
        case (1 << 3) | 0:
          name = sequence.annotationNames.get(readNumber(r));
          break;
        case (10 << 3) | LEN:
          name = r.string();
          break;
        case (2 << 3) | 0:
          value = r.bool();
          break;
        case (3 << 3) | 0:
        case (7 << 3) | 0:
          value = readNumber(r);
          break;
        case (4 << 3) | 0:
          value = readNumber(r, true);
          break;
        case (5 << 3) | 1:
          value = r.double();
          break;
        case (6 << 3) | LEN:
        case (9 << 3) | LEN:
          value = r.string();
          break;
        case (17 << 3) | 0:
          value = sequence.strings.get(readNumber(r));
          break;
        default:
          r.skipType(tag & 7);
      }
    }
    return [name, value];
  }

  private trackOf(uuid: string): Track {
    let track = this.tracks.get(uuid);
    if (track === undefined) {
      track = { parent: null, thread: null, pid: null, isProcess: false, open: [], slices: 0 };
      this.tracks.set(uuid, track);
    }
    return track;
  }

  /** The pid of a track: its own, or its nearest ancestor's. */
  private pidOf(uuid: string): number {
    for (let at: string | null = uuid, hops = 0; at !== null && hops < 1000; hops++) {
      const track = this.tracks.get(at);
      if (track === undefined) break;
      if (track.pid !== null) return track.pid;
      at = track.parent;
    }
    return 0;
  }

  /** The thread an async slice began on: its sequence's thread, else a thread track above it. */
  private threadOf(sequence: Sequence, uuid: string): string | null {
    const own = sequence.defaultTrack === null ? undefined : this.tracks.get(sequence.defaultTrack)?.thread;
    if (own) return own;
    for (let at: string | null = uuid, hops = 0; at !== null && hops < 1000; hops++) {
      const track = this.tracks.get(at);
      if (track === undefined) break;
      if (track.thread !== null) return track.thread;
      at = track.parent;
    }
    return null;
  }
}

/** A begin's args as the Chrome trace has them: target, file, line, then its annotations. */
function beginArgs(
  category: string | undefined,
  location: { file: string; line: number } | undefined,
  annotations: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (category === undefined && location === undefined && annotations === undefined) return undefined;
  // Assigned one by one: spreading conditional objects cost more than the rest of a span's reading.
  const args: Record<string, unknown> = {};
  if (category !== undefined) args.target = category;
  if (location !== undefined) {
    args.file = location.file;
    args.line = location.line;
  }
  if (annotations !== undefined) for (const name of Object.keys(annotations)) args[name] = annotations[name];
  return args;
}
