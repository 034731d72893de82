/** Turns blocks back into plain event objects, for tests and for sinks that want objects. */
import { EventKind, OUTCOME_BY_KIND, type EventBlock, type Outcome } from "./events.js";
import { RecordReader } from "./records.js";

/** `worker-start`: not a span; this thread created worker thread `worker` (see `SpanEvent`). */
export type SpanEventKind = "thread-begin" | "thread-end" | "async-begin" | "async-end" | "worker-start";

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
  /**
   * Async begin: 1 + the parent's depth. Worker start: the thread spans open since `parentId`
   * became current; when there are any, the innermost of them created the worker, else
   * `parentId` did.
   */
  readonly depth: number;
  /** Worker start only: the created worker's threadId. */
  readonly worker?: number;
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
  [EventKind.workerStart]: "worker-start",
};

export function decodeBlock(block: EventBlock): SpanEvent[] {
  const events: SpanEvent[] = [];
  const { metadata, thread, clock } = block;
  const record = new RecordReader(block.data, block.length, { links: true });
  while (record.next()) {
    const { kind, site } = record;
    if (kind === EventKind.workerStart) {
      events.push({
        kind: "worker-start",
        name: "",
        target: "",
        file: "",
        line: 0,
        level: 0,
        metadataId: 0,
        spanId: 0,
        parentId: record.parent,
        depth: record.depth,
        worker: record.worker,
        thread: thread.id,
        threadName: thread.name,
        time: record.tick,
        timestamp: clock.timeOrigin + record.tick,
      });
      continue;
    }
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
