/**
 * Spans out of Chrome trace events: `B`/`E` pairs by thread, `X`, and `b`/`e` pairs by id, each
 * handed over complete (in the order they end) with what the summary and the HTML report need.
 */
import type { ChromeTraceEvent } from "@spanfn/tracing";

export interface CompletedSpan {
  kind: "thread" | "async";
  name: string;
  pid: number;
  tid: number;
  start: number;
  duration: number;
  /** Thread spans: nesting depth on their thread. Async spans: 0. */
  depth: number;
  /** The begin event's args (file, line, parent, …). */
  args: Record<string, unknown> | undefined;
  /** Async spans: `pid:id` of the span and of its parent (null at the root). */
  key: string | null;
  parent: string | null;
  /** Async end outcome; "unfinished" for spans the runtime closed at exit. */
  outcome: string;
  /** Time covered by children: thread spans, their direct children's; async, the union of theirs. */
  childTime: number;
}

interface OpenThread {
  begin: ChromeTraceEvent;
  children: number;
}

interface OpenAsync {
  begin: ChromeTraceEvent;
  parent: string | null;
  children: Array<[number, number]>;
}

/** Length of the union of intervals: concurrent children overlap. */
function unionLength(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = sorted[0] ?? [0, 0];
  for (const [s, e] of sorted.slice(1)) {
    if (s > end) {
      total += end - start;
      [start, end] = [s, e];
    } else if (e > end) end = e;
  }
  return total + (end - start);
}

/** Calls `visit` for each complete span; returns how many were still open at the end of the events. */
export function pairSpans(
  events: readonly ChromeTraceEvent[],
  visit: (span: CompletedSpan) => void,
  progress?: (done: number, total: number) => void,
): number {
  const stacks = new Map<string, OpenThread[]>();
  const open = new Map<string, OpenAsync>();
  events.forEach((e, n) => {
    if (progress && n % 100_000 === 0) progress(n, events.length);
    const thread = `${e.pid}:${e.tid}`;
    switch (e.ph) {
      case "B": {
        let stack = stacks.get(thread);
        if (stack === undefined) stacks.set(thread, (stack = []));
        stack.push({ begin: e, children: 0 });
        break;
      }
      case "E": {
        const stack = stacks.get(thread);
        const frame = stack?.pop();
        if (frame === undefined || stack === undefined) break;
        const start = frame.begin.ts ?? 0;
        const duration = (e.ts ?? 0) - start;
        const unfinished = (e.args as { unfinished?: boolean } | undefined)?.unfinished === true;
        visit({
          kind: "thread",
          name: frame.begin.name ?? "?",
          pid: e.pid,
          tid: e.tid,
          start,
          duration,
          depth: stack.length,
          args: frame.begin.args,
          key: null,
          parent: null,
          outcome: unfinished ? "unfinished" : "",
          childTime: frame.children,
        });
        if (!unfinished && stack.length > 0) stack[stack.length - 1].children += duration;
        break;
      }
      case "X":
        visit({
          kind: "thread",
          name: e.name ?? "?",
          pid: e.pid,
          tid: e.tid,
          start: e.ts ?? 0,
          duration: e.dur ?? 0,
          depth: stacks.get(thread)?.length ?? 0,
          args: e.args,
          key: null,
          parent: null,
          outcome: "",
          childTime: 0,
        });
        break;
      case "b": {
        const parent = (e.args as { parent?: number } | undefined)?.parent;
        open.set(`${e.pid}:${e.id}`, { begin: e, parent: parent ? `${e.pid}:${parent}` : null, children: [] });
        break;
      }
      case "e": {
        const key = `${e.pid}:${e.id}`;
        const span = open.get(key);
        if (span === undefined) break;
        open.delete(key);
        const start = span.begin.ts ?? 0;
        const end = e.ts ?? 0;
        const outcome = String((e.args as { outcome?: string } | undefined)?.outcome ?? "");
        visit({
          kind: "async",
          name: span.begin.name ?? "?",
          pid: e.pid,
          tid: span.begin.tid,
          start,
          duration: end - start,
          depth: 0,
          args: span.begin.args,
          key,
          parent: span.parent,
          outcome,
          childTime: unionLength(span.children),
        });
        if (outcome !== "unfinished" && span.parent !== null) open.get(span.parent)?.children.push([start, end]);
        break;
      }
    }
  });
  progress?.(events.length, events.length);
  let stillOpen = open.size;
  for (const stack of stacks.values()) stillOpen += stack.length;
  return stillOpen;
}
