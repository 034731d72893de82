/**
 * Finished spans out of decoded events, as a test wants them: each with its parent, children,
 * start, duration and outcome, so an assertion reads "getUser took longer than lookup and is its
 * parent" instead of pairing begins and ends by hand.
 *
 * Parents: a thread span's is the thread span open around it on its thread, else the async span
 * it ran in; an async span's is the thread span it was called from, when that one ran in the
 * same async span as the call, else its async parent. A worker thread's root spans have the span
 * that created the worker as their parent, when the events say which it was.
 */
import type { SpanEvent } from "../decode.js";

export interface FinishedSpan {
  readonly name: string;
  readonly kind: "thread" | "async";
  /** Source of the function, as its site was registered. */
  readonly file: string;
  readonly line: number;
  readonly thread: { readonly id: number; readonly name: string };
  /** Milliseconds on the recording thread's clock (`performance.now()`'s). */
  readonly start: number;
  /** Milliseconds; for an unfinished span, up to the last event recorded. */
  readonly duration: number;
  /**
   * Async spans: how the promise settled (`detached`: a thenable that was not waited on).
   * Thread spans: `ended`. Either: `unfinished` when no end was recorded.
   */
  readonly outcome: "ended" | "fulfilled" | "rejected" | "detached" | "unfinished";
  readonly parent: FinishedSpan | null;
  readonly children: readonly FinishedSpan[];
}

interface Building {
  name: string;
  kind: "thread" | "async";
  file: string;
  line: number;
  thread: { id: number; name: string };
  start: number;
  duration: number;
  outcome: FinishedSpan["outcome"];
  parent: Building | null;
  children: Building[];
}

/** Every span the events hold, in the order they began; roots have no parent. */
export function finishedSpans(events: readonly SpanEvent[]): FinishedSpan[] {
  const spans: Building[] = [];
  /** Thread spans: the async span they ran in (0: none). Async spans: their own id. */
  const contexts = new Map<Building, number>();
  const stacks = new Map<number, Building[]>();
  const asyncById = new Map<number, Building>();
  /** Per worker thread: the span that created it. */
  const starters = new Map<number, Building>();
  let last = 0;
  const make = (event: SpanEvent, kind: "thread" | "async", parent: Building | null, context: number): Building => {
    const span: Building = {
      name: event.name,
      kind,
      file: event.file,
      line: event.line,
      thread: { id: event.thread, name: event.threadName },
      start: event.time,
      duration: Number.NaN,
      outcome: "unfinished",
      parent,
      children: [],
    };
    contexts.set(span, context);
    parent?.children.push(span);
    spans.push(span);
    return span;
  };
  for (const event of events) {
    if (event.time > last) last = event.time;
    let stack = stacks.get(event.thread);
    if (stack === undefined) stacks.set(event.thread, (stack = []));
    const top = stack.length > 0 ? stack[stack.length - 1] : null;
    switch (event.kind) {
      case "thread-begin": {
        const context = top !== null ? contexts.get(top)! : Math.max(event.parentId, 0);
        const root = top === null && context === 0 ? (starters.get(event.thread) ?? null) : null;
        stack.push(make(event, "thread", top ?? asyncById.get(context) ?? root, context));
        break;
      }
      case "thread-end": {
        const span = stack.pop();
        if (span === undefined) break;
        span.duration = event.time - span.start;
        span.outcome = "ended";
        break;
      }
      case "async-begin": {
        const asyncParent = asyncById.get(event.parentId) ?? null;
        const root = top === null && event.parentId === 0 ? (starters.get(event.thread) ?? null) : null;
        const parent = top !== null && contexts.get(top) === Math.max(event.parentId, 0) ? top : (asyncParent ?? root);
        asyncById.set(event.spanId, make(event, "async", parent, event.spanId));
        break;
      }
      case "async-end": {
        const span = asyncById.get(event.spanId);
        if (span === undefined || span.outcome !== "unfinished") break;
        span.duration = event.time - span.start;
        span.outcome = event.outcome ?? "fulfilled";
        break;
      }
      case "worker-start": {
        const starter = event.depth > 0 ? top : (asyncById.get(event.parentId) ?? null);
        if (starter !== null && event.worker !== undefined) starters.set(event.worker, starter);
        break;
      }
    }
  }
  for (const span of spans) if (span.outcome === "unfinished") span.duration = last - span.start;
  return spans;
}

/**
 * The spans as an indented tree, one line each: name, kind, duration, and the outcome where it
 * says more than `ended`. For a failing test's message, or a snapshot without the durations.
 */
export function formatSpanTree(spans: readonly FinishedSpan[], options: { durations?: boolean } = {}): string {
  const lines: string[] = [];
  const visit = (span: FinishedSpan, depth: number) => {
    const duration = options.durations === false ? "" : `  ${span.duration.toFixed(3)} ms`;
    const outcome = span.outcome === "ended" ? "" : `  ${span.outcome}`;
    lines.push(`${"  ".repeat(depth)}${span.name}  ${span.kind}${duration}${outcome}`);
    for (const child of span.children) visit(child, depth + 1);
  };
  for (const span of spans) if (span.parent === null) visit(span, 0);
  return lines.join("\n");
}
