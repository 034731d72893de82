/** Turns blocks back into plain event objects, for tests and for sinks that want objects. */
import { EventKind, KIND_BITS, OUTCOME_BY_KIND, RECORD_SLOTS, type EventBlock, type Outcome } from "./events.js";

export type SpanEventKind = "thread-begin" | "thread-end" | "async-begin" | "async-end";

export interface SpanEvent {
  readonly kind: SpanEventKind;
  readonly name: string;
  readonly target: string;
  readonly file: string;
  readonly line: number;
  readonly level: number;
  readonly metadataId: number;
  /** Async spans: the span's id; thread spans: 0. */
  readonly spanId: number;
  /**
   * Async begin: the span current at the call (0 = root). Outermost thread begin: the async span
   * current then. Negative: an outside context (see `linkRootSpans`).
   */
  readonly parentId: number;
  /** Async begin: 1 + the parent's depth. */
  readonly depth: number;
  readonly thread: number;
  readonly threadName: string;
  /** Milliseconds on the thread's monotonic clock. */
  readonly time: number;
  /** Milliseconds since the epoch (fractional). */
  readonly timestamp: number;
  /** Async end only. */
  readonly outcome?: Outcome;
}

const KIND_NAMES: Readonly<Record<number, SpanEventKind>> = {
  [EventKind.threadBegin]: "thread-begin",
  [EventKind.threadBeginInside]: "thread-begin",
  [EventKind.threadEnd]: "thread-end",
  [EventKind.asyncBegin]: "async-begin",
  [EventKind.asyncFulfilled]: "async-end",
  [EventKind.asyncRejected]: "async-end",
  [EventKind.asyncDetached]: "async-end",
};

/**
 * Calls `visit` with each event's kind, metadata id and slot offset (the tick is at offset + 1);
 * returns the count. A complete thread span comes as its begin and its end.
 */
export function forEachRecord(
  block: EventBlock,
  visit: (kind: number, metadataId: number, offset: number) => void,
): number {
  const { data, length } = block;
  let count = 0;
  for (let i = 0; i < length; ) {
    const head = data[i];
    const kind = head % KIND_BITS;
    const slots = RECORD_SLOTS[kind];
    if (!slots) throw new Error(`spanfn: corrupt event block (kind ${kind} at slot ${i} of ${length})`);
    if (kind === EventKind.threadComplete) {
      // [head, begin, end] read as a begin at i and an end at i + 1: each finds its tick one
      // slot after the offset it is given, as in the two records it stands for.
      const metadataId = head / KIND_BITS;
      visit(EventKind.threadBegin, metadataId, i);
      visit(EventKind.threadEnd, metadataId, i + 1);
      count += 2;
    } else {
      visit(kind, (head - kind) / KIND_BITS, i);
      count++;
    }
    i += slots;
  }
  return count;
}

/** The number of events in `data[0, length)`, as `forEachRecord` counts them, with no visit. */
export function countRecords(data: Float64Array, length: number): number {
  let count = 0;
  for (let i = 0; i < length; ) {
    const kind = (data[i] | 0) & (KIND_BITS - 1);
    const slots = RECORD_SLOTS[kind];
    if (!slots) throw new Error(`spanfn: corrupt event block (kind ${kind} at slot ${i} of ${length})`);
    count += kind === EventKind.threadComplete ? 2 : 1;
    i += slots;
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

export function decodeBlock(block: EventBlock): SpanEvent[] {
  const events: SpanEvent[] = [];
  const { data, metadata, thread, clock } = block;
  forEachRecord(block, (kind, metadataId, i) => {
    const meta = metadata[metadataId];
    const isAsync = kind >= EventKind.asyncBegin && kind <= EventKind.asyncDetached;
    const time = data[i + 1];
    events.push({
      kind: KIND_NAMES[kind],
      name: meta?.name ?? `#${metadataId}`,
      target: meta?.target ?? "",
      file: meta?.file ?? "",
      line: meta?.line ?? 0,
      level: meta?.level ?? 0,
      metadataId,
      spanId: isAsync ? data[i + 2] : 0,
      parentId: kind === EventKind.asyncBegin ? data[i + 3] : kind === EventKind.threadBeginInside ? data[i + 2] : 0,
      depth: kind === EventKind.asyncBegin ? data[i + 4] : 0,
      thread: thread.id,
      threadName: thread.name,
      time,
      timestamp: clock.timeOrigin + time,
      ...(isAsync && kind !== EventKind.asyncBegin ? { outcome: OUTCOME_BY_KIND[kind] } : {}),
    });
  });
  return events;
}

export function decodeBlocks(blocks: readonly EventBlock[]): SpanEvent[] {
  return blocks.flatMap(decodeBlock);
}
