/** Turns blocks back into plain event objects, for tests and for sinks that want objects. */
import { EventKind, OUTCOME_BY_KIND, type EventBlock, type Outcome } from "./events.js";
import { RecordReader } from "./records.js";

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

export function decodeBlock(block: EventBlock): SpanEvent[] {
  const events: SpanEvent[] = [];
  const { metadata, thread, clock } = block;
  const record = new RecordReader(block.data, block.length);
  while (record.next()) {
    const { kind, site } = record;
    const meta = metadata[site];
    const isAsync = kind >= EventKind.asyncBegin && kind <= EventKind.asyncDetached;
    const isBegin = kind === EventKind.asyncBegin || kind === EventKind.threadBegin || kind === EventKind.threadBeginInside;
    events.push({
      kind: KIND_NAMES[kind],
      name: meta?.name ?? `#${site}`,
      target: meta?.target ?? "",
      file: meta?.file ?? "",
      line: meta?.line ?? 0,
      level: meta?.level ?? 0,
      metadataId: site,
      spanId: isAsync ? record.spanId : 0,
      parentId: isBegin ? record.parent : 0,
      depth: kind === EventKind.asyncBegin ? record.depth : 0,
      thread: thread.id,
      threadName: thread.name,
      time: record.tick,
      timestamp: clock.timeOrigin + record.tick,
      ...(isAsync && kind !== EventKind.asyncBegin ? { outcome: OUTCOME_BY_KIND[kind] } : {}),
    });
  }
  return events;
}

export function decodeBlocks(blocks: readonly EventBlock[]): SpanEvent[] {
  return blocks.flatMap(decodeBlock);
}
