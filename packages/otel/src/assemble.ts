/**
 * Recorded events to finished spans: pairs each begin with its end, gives every span a trace id
 * and a parent, and converts ticks to epoch time. Spans are handed on as they end, which is
 * when OpenTelemetry exports them too.
 *
 * Parents. A thread span nests under the thread span open around it, unless it is the outermost
 * one of an async span's activation: then the runtime wrote that async span down as its parent.
 * An async span records the async span current at its call; if a thread span open around the
 * call began later than that, the thread span is the closer parent (an async function called
 * from a sync one lands under it). A negative parent names an outside context (an
 * OpenTelemetry span active when the root began): the span joins that trace. A worker thread's
 * root spans have the span that created the worker as their parent, when the runtime saw it.
 */
import { EventKind, forEachRecord, type EventBlock, type RuntimeReport, type SpanMetadata } from "@spanfn/tracing";
import type { HrTime, SpanContext } from "@opentelemetry/api";
import { newSpanId, newTraceId } from "./ids.js";
import { millisToHrTime, tickToHrTime } from "./time.js";

export type SpanOutcome = "fulfilled" | "rejected" | "detached" | "unfinished";

/** A span ready for export, as plain data (it crosses a process boundary at exit). */
export interface FinishedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** The parent is a span of another tracer (joined through the active OpenTelemetry context). */
  readonly parentIsRemote: boolean;
  readonly traceFlags: number;
  readonly traceState: string | undefined;
  readonly start: HrTime;
  readonly end: HrTime;
  readonly kind: "thread" | "async";
  /** Async spans: how the promise settled; any span: "unfinished" when still open at shutdown. */
  readonly outcome: SpanOutcome | undefined;
  readonly target: string;
  readonly file: string;
  readonly line: number;
  readonly threadId: number;
  readonly threadName: string;
}

/** A span begun and not yet ended. A class with every field set in one order: one hidden class. */
class OpenRecord {
  constructor(
    readonly meta: SpanMetadata | undefined,
    readonly metadataId: number,
    readonly kind: "thread" | "async",
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
    readonly parentIsRemote: boolean,
    readonly traceFlags: number,
    readonly traceState: string | undefined,
    readonly start: HrTime,
    /** Begin order: the larger of two open candidates is the inner one. */
    readonly seq: number,
    readonly threadId: number,
    readonly threadName: string,
  ) {}
}

const SAMPLED = 1;
/** Ended async spans kept as possible parents: a child may begin after its parent's end event. */
const RECENTLY_ENDED = 4096;

const OUTCOMES: Readonly<Record<number, SpanOutcome>> = {
  [EventKind.asyncFulfilled]: "fulfilled",
  [EventKind.asyncRejected]: "rejected",
  [EventKind.asyncDetached]: "detached",
};

export class SpanAssembler {
  private readonly openAsync = new Map<number, OpenRecord>();
  private readonly recentlyEnded = new Map<number, OpenRecord>();
  private readonly endedRing: (number | undefined)[] = new Array(RECENTLY_ENDED);
  private endedCount = 0;
  private readonly stacks = new Map<number, OpenRecord[]>();
  /** Per worker thread: the span that created it. */
  private readonly starters = new Map<number, OpenRecord>();
  private readonly origins = new WeakMap<object, HrTime>();
  private seq = 0;

  constructor(
    private readonly emit: (span: FinishedSpan) => void,
    /** Resolves a negative parent id's outside context, recorded on thread `threadId`. */
    private readonly outside: (id: number, threadId: number) => SpanContext | undefined = () => undefined,
  ) {}

  /** Spans begun and not yet ended. */
  get openCount(): number {
    let count = this.openAsync.size;
    for (const stack of this.stacks.values()) count += stack.length;
    return count;
  }

  /** Takes one block; returns the largest outside-context id it referred to (0 if none). */
  add(block: EventBlock): number {
    const { thread } = block;
    const origin = this.originOf(block);
    let stack = this.stacks.get(thread.id);
    if (stack === undefined) this.stacks.set(thread.id, (stack = []));
    let outsideSeen = 0;
    forEachRecord(
      block,
      (record) => {
        const { kind, site: metadataId } = record;
        const time = tickToHrTime(origin, record.tick);
        switch (kind) {
          case EventKind.workerStart: {
            const parentId = record.parent;
            const starter = record.depth > 0 ? stack[stack.length - 1] : (this.openAsync.get(parentId) ?? this.recentlyEnded.get(parentId));
            if (starter !== undefined) this.starters.set(record.worker, starter);
            break;
          }
          case EventKind.threadBegin:
            stack.push(this.open(block, metadataId, "thread", time, stack[stack.length - 1], 0));
            break;
          case EventKind.threadBeginInside: {
            const parentId = record.parent;
            if (parentId < 0) outsideSeen = Math.max(outsideSeen, -parentId);
            // The runtime wrote the parent down because the enclosing thread span is not it.
            stack.push(this.open(block, metadataId, "thread", time, undefined, parentId));
            break;
          }
          case EventKind.threadEnd: {
            const record = stack.pop();
            if (record !== undefined) this.finish(record, time, undefined);
            break;
          }
          case EventKind.asyncBegin: {
            const parentId = record.parent;
            if (parentId < 0) outsideSeen = Math.max(outsideSeen, -parentId);
            this.openAsync.set(record.spanId, this.open(block, metadataId, "async", time, stack[stack.length - 1], parentId));
            break;
          }
          default: {
            const id = record.spanId;
            const open = this.openAsync.get(id);
            if (open === undefined) break;
            this.openAsync.delete(id);
            this.remember(id, open);
            this.finish(open, time, OUTCOMES[kind]);
          }
        }
      },
      { links: true },
    );
    return outsideSeen;
  }

  /** Ends every open span at the report's time, marked unfinished (a shutdown, not a settlement). */
  closeAll(report: RuntimeReport): void {
    const end = tickToHrTime(millisToHrTime(report.clock.timeOrigin), report.at);
    for (const record of this.openAsync.values()) this.finish(record, end, "unfinished");
    this.openAsync.clear();
    for (const stack of this.stacks.values()) {
      while (stack.length > 0) this.finish(stack.pop()!, end, "unfinished");
    }
  }

  private open(
    block: EventBlock,
    metadataId: number,
    kind: "thread" | "async",
    start: HrTime,
    enclosing: OpenRecord | undefined,
    parentId: number,
  ): OpenRecord {
    const seq = ++this.seq;
    const spanfnParent = parentId > 0 ? (this.openAsync.get(parentId) ?? this.recentlyEnded.get(parentId)) : undefined;
    const parent =
      enclosing !== undefined && (spanfnParent === undefined || enclosing.seq > spanfnParent.seq)
        ? enclosing
        : (spanfnParent ?? (parentId === 0 ? this.starters.get(block.thread.id) : undefined));
    const meta = block.metadata[metadataId];
    const { id: threadId, name: threadName } = block.thread;
    if (parent !== undefined) {
      return new OpenRecord(meta, metadataId, kind, parent.traceId, newSpanId(), parent.spanId, false, parent.traceFlags, parent.traceState, start, seq, threadId, threadName);
    }
    const context = parentId < 0 ? this.outside(-parentId, block.thread.id) : undefined;
    if (context !== undefined) {
      const traceState = context.traceState?.serialize();
      return new OpenRecord(meta, metadataId, kind, context.traceId, newSpanId(), context.spanId, context.isRemote === true, context.traceFlags, traceState, start, seq, threadId, threadName);
    }
    return new OpenRecord(meta, metadataId, kind, newTraceId(), newSpanId(), undefined, false, SAMPLED, undefined, start, seq, threadId, threadName);
  }

  private remember(id: number, record: OpenRecord): void {
    // A ring of ids says which entry to forget; asking the Map for its oldest key instead walks
    // the holes deletions leave at its front.
    const slot = this.endedCount++ % RECENTLY_ENDED;
    const old = this.endedRing[slot];
    if (old !== undefined) this.recentlyEnded.delete(old);
    this.endedRing[slot] = id;
    this.recentlyEnded.set(id, record);
  }

  private finish(record: OpenRecord, end: HrTime, outcome: SpanOutcome | undefined): void {
    const meta = record.meta;
    this.emit({
      name: meta?.name ?? `#${record.metadataId}`,
      traceId: record.traceId,
      spanId: record.spanId,
      parentSpanId: record.parentSpanId,
      parentIsRemote: record.parentIsRemote,
      traceFlags: record.traceFlags,
      traceState: record.traceState,
      start: record.start,
      end,
      kind: record.kind,
      outcome,
      target: meta?.target ?? "",
      file: meta?.file ?? "",
      line: meta?.line ?? 0,
      threadId: record.threadId,
      threadName: record.threadName,
    });
  }

  private originOf(block: EventBlock): HrTime {
    let origin = this.origins.get(block.clock);
    if (origin === undefined) this.origins.set(block.clock, (origin = millisToHrTime(block.clock.timeOrigin)));
    return origin;
  }
}
