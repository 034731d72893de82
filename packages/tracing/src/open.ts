/**
 * Spans begun and not yet ended, read where they are kept: thread spans from the thread stack
 * (thread-stack.ts), async spans from their rows (rows.ts). Read only when a report is asked
 * for, so spans open at shutdown are named instead of silently missing.
 */
import type { OpenSpan } from "./events.js";
import { openThreadStack } from "./thread-stack.js";
import { forEachOpenAsync } from "./rows.js";
import type { RuntimeState } from "./state.js";

export type { OpenSpan };

/** This thread's open spans (async first, then thread spans outermost first), and other threads'. */
export function openSpans(s: RuntimeState): OpenSpan[] {
  const result: OpenSpan[] = [];
  const describe = (kind: "thread" | "async", site: number, spanId: number, parentId: number, depth: number) => {
    const meta = s.metadata[site];
    result.push({
      kind,
      name: meta?.name ?? `#${site}`,
      file: meta?.file ?? "",
      line: meta?.line ?? 0,
      thread: s.thread,
      metadataId: site,
      spanId,
      parentId,
      depth,
    });
  };
  forEachOpenAsync(s, (id, site, parent, depth) => describe("async", site, id, parent, depth));
  const stack = openThreadStack(s);
  for (let i = 0; i < stack.depth; i++) describe("thread", stack.sites[i], 0, 0, i);
  for (const spans of s.foreignOpen.values()) result.push(...spans);
  return result;
}
