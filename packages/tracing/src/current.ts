/**
 * The current async span: a stack of handles in `state`, pushed when a span begins or resumes
 * and popped when it suspends or ends, which nests within every synchronous stretch of code, so
 * a job starts at the root and leaves it there. In the AsyncLocalStorage mode
 * (node/async-context.ts) the storage holds it instead, as small context objects, reached by
 * one test in each function here.
 *
 * A stand-in (`adopt`, async-spans.ts) is a handle that encodes the id and depth of the span it
 * stands for (layout.ts `StandIn`), so it needs no row and never goes stale.
 */
import { Handle, standIn, standInDepth, standInId } from "./layout.js";
import { depthOf, spanIdOf } from "./rows.js";
import { ROOT_CONTEXT, state, type AsyncSpan, type CurrentContext, type RuntimeState } from "./state.js";

/** Id of the current async span; 0 at the root. */
export function currentSpanId(): number {
  const s = state;
  if (s.contextHook !== null) return (s.contextHook.get() ?? ROOT_CONTEXT).id;
  if (s.sp === 0) return 0;
  const top = s.stackHandles[s.sp - 1];
  return top >= 0 ? spanIdOf(s, top) : standInId(s.spanIdBase, top);
}

/** Depth of the current async span (0 at the root), without the AsyncLocalStorage mode. */
export function currentDepth(s: RuntimeState): number {
  if (s.sp === 0) return 0;
  const top = s.stackHandles[s.sp - 1];
  return top >= 0 ? depthOf(s, top) : standInDepth(top);
}

/** The current span as a context of its own (for the AsyncLocalStorage mode to start from), or null at the root. */
export function currentContext(s: RuntimeState): CurrentContext | null {
  if (s.sp === 0) return null;
  return { handle: s.stackHandles[s.sp - 1], id: currentSpanId(), depth: currentDepth(s), floor: s.stackFloors[s.sp - 1] };
}

/** The thread-span depth at which the current async span became current (0 at the root). */
export function currentFloor(s: RuntimeState): number {
  if (s.contextHook !== null) return (s.contextHook.get() ?? ROOT_CONTEXT).floor;
  return s.sp === 0 ? 0 : s.stackFloors[s.sp - 1];
}

/** A stand-in for span `id` at `depth`, as `adopt` hands out. */
export function standInFor(s: RuntimeState, id: number, depth: number): AsyncSpan {
  return standIn(s.spanIdBase, id, depth);
}

/** Makes `handle` current: the span's id and depth are read from its row (or its stand-in handle). */
export function push(s: RuntimeState, handle: AsyncSpan): void {
  const sp = s.sp;
  if (sp === s.stackFloors.length) growStack(s);
  s.stackHandles[sp] = handle;
  s.stackFloors[sp] = s.depth;
  s.sp = sp + 1;
}

/**
 * `handle` is not on top (suspend and endAsync pop it inline when it is): something pushed above
 * it did not pop (a throw inside the runtime, say). Popping down to it keeps one such slip from
 * misparenting everything after it. A handle not on the stack (a stand-in's first `suspend`)
 * changes nothing.
 */
export function unwindTo(s: RuntimeState, handle: AsyncSpan): void {
  for (let i = s.sp - 2; i >= 0; i--) {
    if (s.stackHandles[i] === handle) {
      s.sp = i;
      return;
    }
  }
}

function growStack(s: RuntimeState): void {
  const handles = new Float64Array(s.stackHandles.length * 2);
  handles.set(s.stackHandles);
  const floors = new Int32Array(s.stackFloors.length * 2);
  floors.set(s.stackFloors);
  s.stackHandles = handles;
  s.stackFloors = floors;
}

// --- The AsyncLocalStorage mode -------------------------------------------------------------

export function enterHooked(s: RuntimeState, handle: AsyncSpan, id: number, depth: number): void {
  const hook = s.contextHook!;
  s.hookedPrevious.set(handle, hook.get() ?? ROOT_CONTEXT);
  hook.set({ handle, id, depth, floor: s.depth });
}

export function resumeHooked(s: RuntimeState, handle: AsyncSpan): void {
  if (handle === Handle.notRecorded || (s.contextHook!.get() ?? ROOT_CONTEXT).handle === handle) return;
  if (handle >= 0) enterHooked(s, handle, spanIdOf(s, handle), depthOf(s, handle));
  else enterHooked(s, handle, standInId(s.spanIdBase, handle), standInDepth(handle));
}

export function exitHooked(s: RuntimeState, handle: AsyncSpan): void {
  const hook = s.contextHook!;
  if (handle === Handle.notRecorded || (hook.get() ?? ROOT_CONTEXT).handle !== handle) return;
  hook.set(s.hookedPrevious.get(handle) ?? ROOT_CONTEXT);
  s.hookedPrevious.delete(handle);
}
