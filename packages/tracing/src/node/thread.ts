/**
 * Tells the runtime which Node thread it records on, and gives the thread its range of span ids
 * (layout.ts `SpanIds`), so ids stay unique across a process's threads.
 */
import { isMainThread, threadId } from "node:worker_threads";
import * as workerThreads from "node:worker_threads";
import { SpanIds } from "../layout.js";
import { state, type RuntimeState } from "../state.js";

export function identifyThread(): void {
  const s = state;
  if (s.node.identified) return;
  s.node.identified = true;
  // Read by name, not as `workerThreads.threadName`: webpack's ES module output turns that into a
  // named import, which fails to link on Node versions whose worker_threads has no threadName.
  const named: unknown = Reflect.get(workerThreads, "threadName");
  s.thread = {
    id: threadId,
    name: isMainThread ? "main" : typeof named === "string" && named !== "" ? named : `worker ${threadId}`,
  };
  s.processId = process.pid;
  if (!isMainThread) useSpanIdsOf(s, threadId);
}

/** Moves the thread's span ids into the range of thread `id`, unless it has begun taking from one. */
export function useSpanIdsOf(s: RuntimeState, id: number): void {
  if (s.nextSpanId >= SpanIds.perThread) return;
  const base = id * SpanIds.perThread;
  // Stand-ins encode ids relative to the base, which holds only if no id below it was handed out
  // (spans begun before the thread was identified keep theirs, and stand-ins stay absolute).
  if (s.nextSpanId === 1) s.spanIdBase = base;
  s.nextSpanId = base + s.nextSpanId;
}

export { isMainThread };
