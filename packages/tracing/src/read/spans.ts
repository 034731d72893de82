/**
 * Spans out of begin/end events: thread begins and ends paired per thread with a stack, async
 * begins and ends paired by id, each span handed over complete (in the order spans end) with
 * its depth and the time its children cover. Holds only what is open, never the trace.
 *
 * A complete span (Chrome's `X`) stays on its thread's stack until an event of that thread comes
 * after its end: other tools write an `X` before the spans inside it (Chrome writes each at its
 * begin), so its children and its self time are known only then.
 */
import type { TraceEventVisitor } from "./visitor.js";

export interface CompletedSpan {
  kind: "thread" | "async";
  name: string;
  /** The thread's key as the reader gives it (`pid:tid` in Chrome traces). */
  thread: string;
  start: number;
  duration: number;
  /** Thread spans: nesting depth on their thread. Async spans: 0. */
  depth: number;
  /** The begin event's args (file, line, parent, …). */
  args: Record<string, unknown> | undefined;
  /** Async spans: the key of the span and of its parent (null at the root). */
  key: string | null;
  parent: string | null;
  /** Async end outcome; "unfinished" for spans the runtime closed at exit. */
  outcome: string;
  /** Time covered by children: thread spans, their direct children's; async, the union of theirs. */
  childTime: number;
}

interface OpenThread {
  name: string;
  start: number;
  /** A complete span's end; Infinity for a begin, which lasts until its end event. */
  end: number;
  args: Record<string, unknown> | undefined;
  children: number;
}

interface OpenAsync {
  /** The span's key: its id; for one nested in an open span of the same id, `id#n`, n counting such spans. */
  key: string;
  name: string;
  thread: string;
  start: number;
  args: Record<string, unknown> | undefined;
  parent: string | null;
  children: IntervalUnion | null;
  /** The open span of the same id this one began inside; null for most. */
  outer: OpenAsync | null;
}

/** A union of intervals kept merged, so concurrent children that overlap count once. */
export class IntervalUnion {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  add(start: number, end: number): void {
    const { starts, ends } = this;
    const n = ends.length;
    // Children mostly end in order, after the ones before them: appended without a search.
    if (n === 0 || ends[n - 1] < start) {
      starts.push(start);
      ends.push(end);
      return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    let mergedStart = start;
    let mergedEnd = end;
    let i = lo;
    for (; i < n && starts[i] <= end; i++) {
      if (starts[i] < mergedStart) mergedStart = starts[i];
      if (ends[i] > mergedEnd) mergedEnd = ends[i];
    }
    starts.splice(lo, i - lo, mergedStart);
    ends.splice(lo, i - lo, mergedEnd);
  }

  length(): number {
    let total = 0;
    for (let i = 0; i < this.starts.length; i++) total += this.ends[i] - this.starts[i];
    return total;
  }
}

export class SpanPairer implements TraceEventVisitor {
  private readonly stacks = new Map<string, OpenThread[]>();
  /** Open async spans by id: the innermost of each (see asyncBegin). */
  private readonly open = new Map<string, OpenAsync>();
  /** Open async spans under another of the same id, not in `open`. */
  private shadowed = 0;
  /** Async spans so far that began inside another of the same id. */
  private nested = 0;
  private openThreads = 0;

  /** `onReport` receives the spanfn_report counters, which are no span's business. */
  constructor(
    private readonly visit: (span: CompletedSpan) => void,
    private readonly onReport?: (args: Record<string, unknown>) => void,
  ) {}

  threadBegin(thread: string, ts: number, name: string, args?: Record<string, unknown>): void {
    const stack = this.stackOf(thread);
    this.closeCompleted(thread, stack, ts);
    stack.push({ name, start: ts, end: Infinity, args, children: 0 });
    this.openThreads++;
  }

  threadEnd(thread: string, ts: number, unfinished: boolean): void {
    const stack = this.stacks.get(thread);
    if (stack === undefined) return;
    // Complete spans still on the stack are inside the span that ends: they end with it at the latest.
    this.closeCompleted(thread, stack, Infinity);
    const frame = stack.pop();
    if (frame === undefined) return;
    this.openThreads--;
    this.handOver(thread, stack, frame, ts - frame.start, unfinished ? "unfinished" : "");
  }

  threadComplete(thread: string, ts: number, duration: number, name: string, args?: Record<string, unknown>): void {
    const stack = this.stackOf(thread);
    this.closeCompleted(thread, stack, ts);
    stack.push({ name, start: ts, end: ts + duration, args, children: 0 });
  }

  asyncBegin(id: string, thread: string, ts: number, name: string, parent: string | null, args?: Record<string, unknown>): void {
    // Chrome's nestable async events share their parent's id: a begin with the id of a span still
    // open is a child of it, until its own end.
    const outer = this.open.get(id) ?? null;
    if (outer !== null) this.shadowed++;
    const key = outer === null ? id : `${id}#${++this.nested}`;
    this.open.set(id, { key, name, thread, start: ts, args, parent: outer === null ? parent : outer.key, children: null, outer });
  }

  asyncEnd(id: string, ts: number, outcome: string): void {
    const span = this.open.get(id);
    if (span === undefined) return;
    if (span.outer === null) this.open.delete(id);
    else {
      this.open.set(id, span.outer);
      this.shadowed--;
    }
    this.visit({
      kind: "async",
      name: span.name,
      thread: span.thread,
      start: span.start,
      duration: ts - span.start,
      depth: 0,
      args: span.args,
      key: span.key,
      parent: span.parent,
      outcome,
      childTime: span.children?.length() ?? 0,
    });
    if (outcome === "unfinished" || span.parent === null) return;
    const parent = span.outer ?? this.open.get(span.parent);
    if (parent !== undefined) (parent.children ??= new IntervalUnion()).add(span.start, ts);
  }

  report(args: Record<string, unknown>): void {
    this.onReport?.(args);
  }

  /** Spans begun and not (yet) ended. */
  openCount(): number {
    return this.openThreads + this.open.size + this.shadowed;
  }

  /** The trace is over: hands over the complete spans still waiting for what might be inside them; returns `openCount()`. */
  finish(): number {
    for (const [thread, stack] of this.stacks) {
      // Below a begin that never ended, complete spans wait for it; it is counted open, they are handed over.
      for (let i = stack.length - 1; i >= 0; i--) {
        const frame = stack[i];
        if (frame.end === Infinity) continue;
        stack.splice(i, 1);
        this.handOver(thread, stack.slice(0, i), frame, frame.end - frame.start, "");
      }
    }
    return this.openCount();
  }

  private stackOf(thread: string): OpenThread[] {
    let stack = this.stacks.get(thread);
    if (stack === undefined) this.stacks.set(thread, (stack = []));
    return stack;
  }

  /** Hands over the complete spans on top of `stack` that ended by `ts`: nothing after `ts` can be inside them. */
  private closeCompleted(thread: string, stack: OpenThread[], ts: number): void {
    while (stack.length > 0 && stack[stack.length - 1].end !== Infinity && stack[stack.length - 1].end <= ts) {
      const frame = stack.pop()!;
      this.handOver(thread, stack, frame, frame.end - frame.start, "");
    }
  }

  /** A thread span that ended, popped off `stack` (what is left is its ancestors). */
  private handOver(thread: string, stack: readonly OpenThread[], frame: OpenThread, duration: number, outcome: string): void {
    this.visit({
      kind: "thread",
      name: frame.name,
      thread,
      start: frame.start,
      duration,
      depth: stack.length,
      args: frame.args,
      key: null,
      parent: null,
      outcome,
      childTime: frame.children,
    });
    if (outcome !== "unfinished" && stack.length > 0) stack[stack.length - 1].children += duration;
  }
}
