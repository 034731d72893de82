/**
 * A sealed block as another thread's encoder receives it (the Node writer thread, a page's trace
 * worker): a thread's info, clock and metadata go once, and new metadata entries with the block
 * that first uses them, so a message stays small however many sites the program has. The sending
 * side is BlockMessages, the receiving side BlockReceiver.
 */
import type { ClockInfo } from "./clock.js";
import type { EventBlock, SpanMetadata, ThreadInfo } from "./events.js";

export interface BlockMessage {
  readonly kind: "block";
  readonly threadId: number;
  /** First block of a thread: who it is and how its ticks read. */
  readonly thread?: ThreadInfo;
  readonly clock?: ClockInfo;
  /** The thread's metadata entries from index `metadataFrom` on, new since its last block. */
  readonly metadata: readonly SpanMetadata[];
  readonly metadataFrom: number;
  readonly data: Float64Array;
  readonly length: number;
  readonly sequence: number;
  /** What the program's thread attached for the writer's outputs (TraceWriterOptions.attach), if anything. */
  readonly attached?: unknown;
}

/** Makes each block's message, remembering per thread how much metadata the receiver has. */
export class BlockMessages {
  private readonly metadataSent = new Map<number, number>();

  /** The message for `block`, its events in `data` (the block's buffer or a copy). */
  next(block: EventBlock, data: Float64Array): BlockMessage {
    const threadId = block.thread.id;
    const first = !this.metadataSent.has(threadId);
    const sent = this.metadataSent.get(threadId) ?? 0;
    this.metadataSent.set(threadId, block.metadata.length);
    return {
      kind: "block",
      threadId,
      ...(first ? { thread: block.thread, clock: block.clock } : {}),
      metadata: block.metadata.length > sent ? block.metadata.slice(sent) : [],
      metadataFrom: sent,
      data,
      length: block.length,
      sequence: block.sequence,
    };
  }

  /** A new receiver: everything goes again. */
  reset(): void {
    this.metadataSent.clear();
  }
}

/** The receiving side: each thread's info, clock and metadata, kept to read its later blocks. */
export class BlockReceiver {
  private readonly threads = new Map<number, { readonly thread: ThreadInfo; readonly clock: ClockInfo; readonly metadata: SpanMetadata[] }>();

  /** The block `message` carries, read against its thread's table (taking in its new metadata). */
  block(message: BlockMessage): EventBlock {
    let table = this.threads.get(message.threadId);
    if (table === undefined) {
      table = { thread: message.thread!, clock: message.clock!, metadata: [] };
      this.threads.set(message.threadId, table);
    }
    const { metadata } = table;
    for (let i = 0; i < message.metadata.length; i++) metadata[message.metadataFrom + i] = message.metadata[i];
    return { thread: table.thread, clock: table.clock, metadata, data: message.data, length: message.length, sequence: message.sequence };
  }
}
