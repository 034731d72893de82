/**
 * The record reader. Consumers of blocks (decode, the sinks, the writer thread, @spanfn/otel)
 * read records through it, by field name, and never by offset. A complete thread span comes out
 * as its begin and then its end, or as itself to a reader that asks for it. The seal scan (thread-stack.ts), which reads every record of
 * every block, reads them in a loop of its own by layout.ts's names.
 */
import type { EventBlock } from "./events.js";
import {
  AsyncBeginRecord,
  AsyncEndRecord,
  Head,
  Kind,
  RECORD_SLOTS,
  ThreadBeginInsideRecord,
  ThreadBeginRecord,
  ThreadCompleteRecord,
  ThreadEndRecord,
  WorkerStartRecord,
} from "./layout.js";

/** One event of a block, as the reader last read it. Fields its kind does not have are 0. */
export interface BlockRecord {
  /**
   * A `Kind` (events.ts `EventKind`). A threadComplete record is read as a begin and an end,
   * unless the reader was asked for complete records (`completes`).
   */
  readonly kind: number;
  /** The span site (metadata id). */
  readonly site: number;
  /** Milliseconds on the thread's clock (a complete record: its begin). */
  readonly tick: number;
  /** A complete record's end, in milliseconds on the thread's clock; 0 for other kinds. */
  readonly endTick: number;
  /** Async spans: the span's id. */
  readonly spanId: number;
  /**
   * Async begin: the span current at the call (0: the root). Outermost thread begin
   * (threadBeginInside): the async span current then. Negative: an outside context.
   */
  readonly parent: number;
  /**
   * Async begin: 1 + the parent's depth. Worker start: the thread spans open since `parent`
   * became current (when there are any, the innermost of them started the worker).
   */
  readonly depth: number;
  /** Worker start: the new worker's threadId. */
  readonly worker: number;
}

/** What a reader hands on besides span events read one by one. */
export interface ReadOptions {
  /** Worker-start records, which are no span events (not counted). */
  links?: boolean;
  /** A complete thread span as one record of kind threadComplete (counted as two events), not as a begin and an end. */
  completes?: boolean;
}

/**
 * A cursor over `data[0, length)`: `next()` reads the next event into the fields and says
 * whether there was one. It allocates nothing per event.
 */
export class RecordReader implements BlockRecord {
  kind = 0;
  site = 0;
  tick = 0;
  endTick = 0;
  spanId = 0;
  parent = 0;
  depth = 0;
  worker = 0;
  /** Events read so far (worker starts are not counted). */
  count = 0;
  private at = 0;
  /** A complete record's begin was just read as a begin: its end comes next. */
  private endWaits = false;
  private readonly links: boolean;
  private readonly completes: boolean;

  constructor(
    private readonly data: Float64Array,
    private readonly length: number,
    options: ReadOptions | boolean = {},
  ) {
    // A boolean is `links`, as the reader was first built.
    const { links = false, completes = false } = typeof options === "boolean" ? { links: options } : options;
    this.links = links;
    this.completes = completes;
  }

  next(): boolean {
    if (this.endWaits) {
      this.kind = Kind.threadEnd;
      this.tick = this.endTick;
      this.endTick = 0;
      this.endWaits = false;
      this.count++;
      return true;
    }
    const i = this.at;
    if (i >= this.length) return false;
    const data = this.data;
    const value = data[i];
    // Heads are integers far below 2^31: integer ops, where `%` on a double would call fmod.
    const head = value | 0;
    if (head !== value || head < 0) throw corrupt(value, i, this.length);
    const kind = head & Head.kindMask;
    if (kind === Kind.workerStart) return this.workerStart(i);
    if (kind > Kind.workerStart) throw corrupt(value, i, this.length);
    this.site = head >>> Head.siteShift;
    this.worker = 0;
    this.endTick = 0;
    this.count++;
    switch (kind) {
      case Kind.threadComplete:
        this.tick = data[i + ThreadCompleteRecord.beginTick];
        this.endTick = data[i + ThreadCompleteRecord.endTick];
        if (this.completes) {
          this.kind = kind;
          this.count++;
        } else {
          this.kind = Kind.threadBegin;
          this.endWaits = true;
        }
        this.spanId = this.parent = this.depth = 0;
        this.at = i + ThreadCompleteRecord.size;
        break;
      case Kind.threadBegin:
        this.kind = kind;
        this.tick = data[i + ThreadBeginRecord.tick];
        this.spanId = this.parent = this.depth = 0;
        this.at = i + ThreadBeginRecord.size;
        break;
      case Kind.threadEnd:
        this.kind = kind;
        this.tick = data[i + ThreadEndRecord.tick];
        this.spanId = this.parent = this.depth = 0;
        this.at = i + ThreadEndRecord.size;
        break;
      case Kind.threadBeginInside:
        this.kind = kind;
        this.tick = data[i + ThreadBeginInsideRecord.tick];
        this.parent = data[i + ThreadBeginInsideRecord.parent];
        this.spanId = this.depth = 0;
        this.at = i + ThreadBeginInsideRecord.size;
        break;
      case Kind.asyncBegin:
        this.kind = kind;
        this.tick = data[i + AsyncBeginRecord.tick];
        this.spanId = data[i + AsyncBeginRecord.spanId];
        this.parent = data[i + AsyncBeginRecord.parent];
        this.depth = data[i + AsyncBeginRecord.depth];
        this.at = i + AsyncBeginRecord.size;
        break;
      default:
        this.kind = kind;
        this.tick = data[i + AsyncEndRecord.tick];
        this.spanId = data[i + AsyncEndRecord.spanId];
        this.parent = this.depth = 0;
        this.at = i + AsyncEndRecord.size;
    }
    // A record cut off by the block's end is as corrupt as a bad head.
    if (this.at > this.length) throw corrupt(value, i, this.length);
    return true;
  }

  private workerStart(i: number): boolean {
    this.at = i + WorkerStartRecord.size;
    if (this.at > this.length) throw corrupt(this.data[i], i, this.length);
    if (!this.links) return this.next();
    const data = this.data;
    this.kind = Kind.workerStart;
    this.site = this.spanId = this.endTick = 0;
    this.tick = data[i + WorkerStartRecord.tick];
    this.worker = data[i + WorkerStartRecord.worker];
    this.parent = data[i + WorkerStartRecord.parent];
    this.depth = data[i + WorkerStartRecord.inside];
    return true;
  }
}

function corrupt(head: number, at: number, length: number): Error {
  return new Error(`spanfn: corrupt event block (head ${head} at slot ${at} of ${length})`);
}

/** Calls `visit` with each event of the block (the same reader each time); returns the count. */
export function forEachRecord(block: EventBlock, visit: (record: BlockRecord) => void, options?: ReadOptions | boolean): number {
  const reader = new RecordReader(block.data, block.length, options);
  while (reader.next()) visit(reader);
  return reader.count;
}

/** The number of events in `data[0, length)`, as `forEachRecord` counts them, with no visit. */
export function countRecords(data: Float64Array, length: number): number {
  let count = 0;
  for (let i = 0; i < length; ) {
    const value = data[i];
    const head = value | 0;
    if (head !== value || head < 0) throw corrupt(value, i, length);
    const kind = head & Head.kindMask;
    if (kind > Kind.workerStart) throw corrupt(value, i, length);
    if (kind !== Kind.workerStart) count += kind === Kind.threadComplete ? 2 : 1;
    i += RECORD_SLOTS[kind];
  }
  return count;
}

/** A block's events for the loss counters: 0 for a corrupt block rather than a throw. */
export function countEvents(block: EventBlock): number {
  try {
    return countRecords(block.data, block.length);
  } catch {
    return 0;
  }
}
