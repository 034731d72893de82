/**
 * Spans begun and not yet ended, kept where they cost least: thread spans as a stack of metadata
 * ids beside the thread's depth, async spans as a linked list through the span objects. Read only
 * when a report is asked for, so spans open at shutdown are named instead of silently missing.
 */
import type { ThreadInfo } from "./events.js";
import { state, type AsyncSpan, type RuntimeState } from "./state.js";

export interface OpenSpan {
  readonly kind: "thread" | "async";
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly thread: ThreadInfo;
  readonly metadataId: number;
  /** Async spans only (0 for thread spans). */
  readonly spanId: number;
  readonly parentId: number;
  readonly depth: number;
}

export function growThreadStack(s: RuntimeState): void {
  const grown = new Int32Array(s.openThread.length * 2);
  grown.set(s.openThread);
  s.openThread = grown;
}

export function linkOpen(s: RuntimeState, span: AsyncSpan): void {
  const head = s.openAsync;
  const first = head.openNext!;
  span.openPrev = head;
  span.openNext = first;
  first.openPrev = span;
  head.openNext = span;
}

export function unlinkOpen(span: AsyncSpan): void {
  const prev = span.openPrev;
  const next = span.openNext;
  if (prev === null || next === null) return;
  prev.openNext = next;
  next.openPrev = prev;
  span.openPrev = null;
  span.openNext = null;
}

/** This thread's open spans (async first, then thread spans outermost first), and other threads'. */
export function openSpans(): OpenSpan[] {
  const s = state;
  const result: OpenSpan[] = [];
  const describe = (kind: "thread" | "async", metadataId: number, spanId: number, parentId: number, depth: number) => {
    const meta = s.metadata[metadataId];
    result.push({
      kind,
      name: meta?.name ?? `#${metadataId}`,
      file: meta?.file ?? "",
      line: meta?.line ?? 0,
      thread: s.thread,
      metadataId,
      spanId,
      parentId,
      depth,
    });
  };
  for (let span = s.openAsync.openPrev!; span !== s.openAsync; span = span.openPrev!) {
    describe("async", span.metadata, span.id, span.parent, span.depth);
  }
  for (let d = 0; d < s.depth; d++) describe("thread", s.openThread[d], 0, 0, d);
  for (const spans of s.foreignOpen.values()) result.push(...spans);
  return result;
}
