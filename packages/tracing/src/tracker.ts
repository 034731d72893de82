/**
 * Follows every block on its way to the sink and keeps what is still open, so that spans open at
 * shutdown are reported by name instead of silently missing from the trace.
 */
import { EventKind, KIND_BITS, RECORD_SLOTS, type EventBlock, type ThreadInfo } from "./events.js";
import type { ClockInfo } from "./clock.js";
import type { SpanMetadata } from "./metadata.js";

export interface OpenSpan {
  readonly kind: "thread" | "async";
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly thread: ThreadInfo;
  readonly clock: ClockInfo;
  /** 0 for thread spans. */
  readonly spanId: number;
  readonly parentId: number;
  readonly depth: number;
  readonly metadataId: number;
  readonly metadata: SpanMetadata | undefined;
  /** Tick of the begin event. */
  readonly begin: number;
}

interface ThreadState {
  readonly stack: OpenSpan[];
  readonly async: Map<number, OpenSpan>;
  lastBlock: EventBlock | null;
}

export class SpanTracker {
  private readonly threads = new Map<number, ThreadState>();
  /** Ends whose begin never came (a malformed stream); counted, never thrown. */
  orphanEnds = 0;

  /** Reads a block's events; returns how many it held. */
  observe(block: EventBlock): number {
    let thread = this.threads.get(block.thread.id);
    if (thread === undefined) {
      thread = { stack: [], async: new Map(), lastBlock: null };
      this.threads.set(block.thread.id, thread);
    }
    thread.lastBlock = block;
    const { data, length, metadata } = block;
    let events = 0;
    for (let i = 0; i < length; i += RECORD_SLOTS[data[i] % KIND_BITS] || length) {
      const head = data[i];
      const kind = head % KIND_BITS;
      const id = (head - kind) / KIND_BITS;
      events++;
      switch (kind) {
        case EventKind.threadBegin:
          thread.stack.push(open(block, "thread", id, metadata[id], data[i + 1], 0, 0, thread.stack.length));
          break;
        case EventKind.threadEnd:
          if (thread.stack.pop() === undefined) this.orphanEnds++;
          break;
        case EventKind.asyncBegin:
          thread.async.set(
            data[i + 2],
            open(block, "async", id, metadata[id], data[i + 1], data[i + 2], data[i + 3], data[i + 4]),
          );
          break;
        default:
          if (!thread.async.delete(data[i + 2])) this.orphanEnds++;
      }
    }
    return events;
  }

  /** Spans begun and not ended, thread spans innermost last, per thread. */
  open(): OpenSpan[] {
    const result: OpenSpan[] = [];
    for (const thread of this.threads.values()) {
      result.push(...thread.async.values(), ...thread.stack);
    }
    return result;
  }
}

function open(
  block: EventBlock,
  kind: "thread" | "async",
  metadataId: number,
  meta: SpanMetadata | undefined,
  begin: number,
  spanId: number,
  parentId: number,
  depth: number,
): OpenSpan {
  return {
    kind,
    name: meta?.name ?? `#${metadataId}`,
    file: meta?.file ?? "",
    line: meta?.line ?? 0,
    thread: block.thread,
    clock: block.clock,
    spanId,
    parentId,
    depth,
    metadataId,
    metadata: meta,
    begin,
  };
}
