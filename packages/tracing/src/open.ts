/**
 * Spans begun and not yet ended, kept where they cost least: thread spans in the stack the seal
 * scan follows (demote.ts), replayed through the block being written; async spans as rows of
 * numbers (async-spans.ts). Read only when a report is asked for, so spans open at shutdown are
 * named instead of silently missing.
 */
import type { ThreadInfo } from "./events.js";
import { copyStack, followStack, type ThreadStack } from "./demote.js";
import { forEachOpenAsync } from "./async-spans.js";
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

/**
 * The thread's open spans: the stack as of the last seal, followed through anything written
 * since, on a copy (the seal scan's own must stay as it was, for the next seal to follow the
 * same records again).
 */
export function openThreadStack(s: RuntimeState): ThreadStack {
  const stack = copyStack(s.demotion.stack);
  followStack(s, stack, s.buffer, s.position, false);
  return stack;
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
  forEachOpenAsync(s, (id, metadata, parent, depth) => describe("async", metadata, id, parent, depth));
  const stack = openThreadStack(s);
  for (let i = 0; i < stack.depth; i++) describe("thread", stack.sites[i], 0, 0, i);
  for (const spans of s.foreignOpen.values()) result.push(...spans);
  return result;
}
