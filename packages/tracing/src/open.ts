/**
 * Spans begun and not yet ended, kept where they cost least: thread spans as a stack of metadata
 * ids beside the thread's depth, async spans as rows of numbers (open-table.ts). Read only
 * when a report is asked for, so spans open at shutdown are named instead of silently missing.
 */
import type { ThreadInfo } from "./events.js";
import { state, type RuntimeState } from "./state.js";

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
  s.openAsync.forEach((id, metadata, parent, depth) => describe("async", metadata, id, parent, depth));
  for (let d = 0; d < s.depth; d++) describe("thread", s.openThread[d], 0, 0, d);
  for (const spans of s.foreignOpen.values()) result.push(...spans);
  return result;
}
