/**
 * The hot path: what instrumented code calls. Thread spans write two slots and allocate nothing;
 * async spans allocate the one object that generated code holds across awaits.
 */
import { now } from "./clock.js";
import { rotate } from "./dispatch.js";
import { growThreadStack } from "./open.js";
import { settleReturned } from "./settle.js";
import { DEMOTED, demotedToken } from "./demote.js";
import { EventKind, KIND_BITS } from "./events.js";
import { AsyncSpan, ROOT, UNRECORDED, refreshPlainAsync, state, type RuntimeState } from "./state.js";

/**
 * Returned by `begin` when nothing was recorded; `end` ignores it, as it ignores every negative
 * token (those below it stand for calls of demoted sites).
 */
export const NOT_RECORDED = -1;

/** Begins a thread span; pass the result to `end` (in a `finally`). */
export function begin(metadata: number): number {
  if (state.levels[metadata] > state.maxLevel) return refuse(state, metadata);
  return beginGated(metadata);
}

/**
 * `begin` for generated code, which asked the site's gate first (gates.ts): tracing is enabled,
 * the level passes and the site is not demoted, so only the memory cap is left to check.
 */
export function beginGated(metadata: number): number {
  const s = state;
  if (!s.recording) return refuse(s, metadata);
  const d = s.depth;
  if ((d === s.floor || d === 0) && (s.currentId !== 0 || s.contextHook !== null || s.linkRoot !== null)) {
    const parent = outermostParent(s);
    if (parent !== 0) return beginInside(s, metadata, d, parent);
  }
  let p = s.position;
  if (p + 2 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * KIND_BITS + EventKind.threadBegin;
  b[p + 1] = now();
  s.position = p + 2;
  s.leafAt = p;
  if (d === s.openThread.length) growThreadStack(s);
  s.openThread[d] = metadata;
  s.depth = d + 1;
  return metadata;
}

/**
 * The parent an outermost thread span of an async span's activation records: that async span,
 * else an outside context the link hook names, else 0 (none to write down). The trace's order
 * cannot say whether the async span was still running or had suspended; deeper thread spans
 * nest in the thread span around them.
 */
function outermostParent(s: RuntimeState): number {
  const current = s.contextHook === null ? s.currentId : (s.contextHook.get() ?? ROOT).id;
  return current !== 0 ? current : s.linkRoot === null ? 0 : -s.linkRoot();
}

/** `begin` with the parent written down: `[head, tick, parent]`, never a complete (leaf) record. */
function beginInside(s: RuntimeState, metadata: number, d: number, parent: number): number {
  let p = s.position;
  if (p + 3 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * KIND_BITS + EventKind.threadBeginInside;
  b[p + 2] = parent;
  b[p + 1] = now();
  s.position = p + 3;
  s.leafAt = -1;
  if (d === s.openThread.length) growThreadStack(s);
  s.openThread[d] = metadata;
  s.depth = d + 1;
  return metadata;
}

/**
 * Ends the thread span `begin` returned. The end of a recorded begin is written even past the
 * memory cap, so a trace never holds a begin without its end.
 */
export function end(token: number): void {
  if (token < 0) return;
  const t = now();
  const s = state;
  let p = s.position;
  if (p === s.leafAt + 2 && p < s.blockSlots) {
    // Nothing was written since this span's begin (ends nest, so that begin is this span's):
    // one complete record, one slot instead of two.
    const b = s.buffer;
    b[p - 2] = token * KIND_BITS + EventKind.threadComplete;
    b[p] = t;
    s.position = p + 1;
    s.leafAt = -1;
  } else {
    if (p + 2 > s.blockSlots) p = rotate();
    const b = s.buffer;
    b[p] = token * KIND_BITS + EventKind.threadEnd;
    b[p + 1] = t;
    s.position = p + 2;
  }
  if (s.depth > 0) s.depth--;
}

/**
 * Generators get a thread span per resumption; after a yield ended it (token < 0), a `catch` or
 * `finally` that a `throw()`/`return()` resumed begins it again.
 */
export function reenter(token: number, metadata: number): number {
  return token !== NOT_RECORDED ? token : begin(metadata);
}

/**
 * Why `begin` records nothing: disabled, filtered by level, over the memory cap (a drop, counted),
 * or a demoted site (demote.ts), whose call is counted and gets a token naming the site.
 */
function refuse(s: RuntimeState, metadata: number): number {
  const level = s.levels[metadata];
  // Counted whether or not tracing is enabled, as generated code counts a gated call (gates.ts).
  if (level === DEMOTED) {
    s.demotion.counted[metadata]++;
    return demotedToken(metadata);
  }
  if (!s.enabled) return NOT_RECORDED;
  if (!(level > s.maxLevel)) s.droppedSpans++;
  return NOT_RECORDED;
}

/**
 * Begins an async span whose parent is the current span, and makes it current. Generated code
 * then calls `suspend` before each `await` and `resume` after it, and `endAsync` when the body
 * is done, so "current" is right whenever user code runs.
 *
 * This and `suspend`, `resume`, `ret` and `endAsync` are each small enough for V8 to inline into
 * the instrumented function: whatever is rare (not recording, a filtered level, the
 * AsyncLocalStorage mode, a root link, a returned object) leaves for a function of its own at
 * the first test. Measured, inlining lost to a larger body cost more than all of the span's
 * bookkeeping.
 */
export function beginAsync(metadata: number): AsyncSpan {
  const s = state;
  if (!s.plainAsync || s.levels[metadata] > s.maxLevel) return beginAsyncSlow(s, metadata);
  const parentId = s.currentId;
  const depth = s.currentDepth + 1;
  const id = s.nextSpanId++;
  let p = s.position;
  if (p + 5 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * KIND_BITS + EventKind.asyncBegin;
  b[p + 2] = id;
  b[p + 3] = parentId;
  b[p + 4] = depth;
  b[p + 1] = now();
  s.position = p + 5;
  const span = new AsyncSpan(id, parentId, depth, metadata);
  span.slot = s.openAsync.add(id, metadata, parentId, depth);
  span.prevId = parentId;
  span.prevDepth = s.currentDepth;
  span.prevFloor = s.floor;
  span.floor = s.depth;
  s.currentId = id;
  s.currentDepth = depth;
  s.floor = span.floor;
  return span;
}

/** `beginAsync` when its plain path does not apply: see `plainAsync` in state.ts. */
function beginAsyncSlow(s: RuntimeState, metadata: number): AsyncSpan {
  if (!s.recording || s.levels[metadata] > s.maxLevel) {
    refuse(s, metadata);
    return UNRECORDED;
  }
  let parentId: number;
  let depth: number;
  if (s.contextHook === null) {
    parentId = s.currentId;
    depth = s.currentDepth + 1;
  } else {
    const parent = s.contextHook.get() ?? ROOT;
    parentId = parent.id;
    depth = parent.depth + 1;
  }
  const span = new AsyncSpan(s.nextSpanId++, parentId, depth, metadata);
  let p = s.position;
  if (p + 5 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * KIND_BITS + EventKind.asyncBegin;
  b[p + 2] = span.id;
  b[p + 3] = parentId === 0 && s.linkRoot !== null ? -s.linkRoot() : parentId;
  b[p + 4] = depth;
  b[p + 1] = now();
  s.position = p + 5;
  span.slot = s.openAsync.add(span.id, metadata, parentId, depth);
  span.floor = s.depth;
  enter(s, span);
  return span;
}

/** Before an `await`: hands "current" back to whoever resumed this span. Returns `value`. */
export function suspend<T>(span: AsyncSpan, value: T): T {
  if (span.id !== 0) {
    const s = state;
    if (s.contextHook === null) {
      s.currentId = span.prevId;
      s.currentDepth = span.prevDepth;
      s.floor = span.prevFloor;
    } else exit(s, span);
  }
  return value;
}

/**
 * After an `await` (and at the top of a `catch`/`finally` an await may have thrown into):
 * makes the span current again, remembering what was current so `suspend` can restore it.
 * Idempotent. Returns `value`.
 */
export function resume<T>(span: AsyncSpan, value?: T): T {
  const s = state;
  if (s.contextHook !== null) resumeHooked(s, span);
  else if (s.currentId !== span.id && span.id !== 0) {
    span.prevId = s.currentId;
    span.prevDepth = s.currentDepth;
    span.prevFloor = s.floor;
    span.floor = s.depth;
    s.currentId = span.id;
    s.currentDepth = span.depth;
    s.floor = span.floor;
  }
  return value as T;
}

function resumeHooked(s: RuntimeState, span: AsyncSpan): void {
  if (span.id !== 0 && !isCurrent(s, span)) {
    span.floor = s.depth;
    enter(s, span);
  }
}

/**
 * Async generators get an async span per resumption: after a yield ended `span`, a `catch` or
 * `finally` resumed by `throw()`/`return()` begins a fresh one; otherwise this is `resume`.
 */
export function reenterAsync(span: AsyncSpan, metadata: number): AsyncSpan {
  if (span.ended) return beginAsync(metadata);
  resume(span);
  return span;
}

/**
 * For the body a compiler handed to an async helper (`__awaiter`, `_asyncToGenerator`,
 * regenerator), called as it first runs, synchronously inside the function that started it: a
 * stand-in for the current span, which `resume` makes current whenever the body resumes and
 * `suspend` hands back from. It carries the span's id and depth, so children record the true
 * parent; it is never ended, and at first it hands back to the span itself.
 */
export function adopt(): AsyncSpan {
  const s = state;
  if ((s.contextHook === null ? s.currentId : (s.contextHook.get() ?? ROOT).id) === 0) return UNRECORDED;
  const alias = s.contextHook === null ? new AsyncSpan(s.currentId, 0, s.currentDepth, -1) : standIn(s.contextHook.get()!);
  alias.ended = true;
  alias.floor = s.floor;
  remember(s, alias);
  return alias;
}

/** Marks the span rejected; its end event will say so. */
export function fail(span: AsyncSpan): void {
  if (span.id !== 0) span.outcome = EventKind.asyncRejected;
}

/**
 * Ends an async span once, with the outcome set by `fail` (else fulfilled), and restores the
 * span that was current before it, if it is still current: when an `await` threw straight into
 * the function's `finally`, "current" already belongs to whoever resumed it. A span that
 * returned an object (`ret`) takes `endReturned`, which decides whether it waits for a promise.
 */
export function endAsync(span: AsyncSpan): void {
  if (span.ended) return;
  if (span.returned !== undefined || span.settling) {
    endReturned(span);
    return;
  }
  const t = now();
  const s = state;
  span.ended = true;
  if (span.slot >= 0) {
    s.openAsync.remove(span.slot);
    span.slot = -1;
  }
  let p = s.position;
  if (p + 3 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = span.metadata * KIND_BITS + span.outcome;
  b[p + 1] = t;
  b[p + 2] = span.id;
  s.position = p + 3;
  if (s.contextHook !== null) leave(span);
  else if (s.currentId === span.id) {
    s.currentId = span.prevId;
    s.currentDepth = span.prevDepth;
    s.floor = span.prevFloor;
  }
}

function endReturned(span: AsyncSpan): void {
  const s = state;
  const returned = span.returned;
  if (returned !== undefined) {
    span.returned = undefined;
    if (span.outcome === EventKind.asyncFulfilled) settleReturned(span, returned);
  }
  if (!span.settling) recordAsyncEnd(s, span, now());
  leave(span);
}

/** Hands "current" back from `span` if it is still current (its body is done or suspended). */
export function leave(span: AsyncSpan): void {
  const s = state;
  if (span.id !== 0 && isCurrent(s, span)) exit(s, span);
}

/** Writes the end event of `span` once; `t` is when it ended. */
export function recordAsyncEnd(s: RuntimeState, span: AsyncSpan, t: number): void {
  if (span.ended) return;
  span.ended = true;
  if (span.slot >= 0) {
    s.openAsync.remove(span.slot);
    span.slot = -1;
  }
  let p = s.position;
  if (p + 3 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = span.metadata * KIND_BITS + span.outcome;
  b[p + 1] = t;
  b[p + 2] = span.id;
  s.position = p + 3;
}

/** Ends the span as detached: it returned a thenable spanfn must not call `then` on. */
export function detachAsync(span: AsyncSpan): void {
  if (span.id === 0) return;
  span.outcome = EventKind.asyncDetached;
  endAsync(span);
}

/** Makes `span` current, remembering what was current for `exit`. */
function enter(s: RuntimeState, span: AsyncSpan): void {
  remember(s, span);
  if (s.contextHook !== null) s.contextHook.set(span);
  s.currentId = span.id;
  s.currentDepth = span.depth;
  s.floor = span.floor;
}

/** Notes in `span` what is current now, for `exit` to restore. */
function remember(s: RuntimeState, span: AsyncSpan): void {
  if (s.contextHook === null) {
    span.prevId = s.currentId;
    span.prevDepth = s.currentDepth;
    span.prevFloor = s.floor;
  } else span.prev = s.contextHook.get() ?? ROOT;
}

/** Makes current again what was current when `span` was last entered. */
function exit(s: RuntimeState, span: AsyncSpan): void {
  if (s.contextHook === null) {
    s.currentId = span.prevId;
    s.currentDepth = span.prevDepth;
    s.floor = span.prevFloor;
  } else {
    const prev = span.prev ?? ROOT;
    s.contextHook.set(prev);
    s.currentId = prev.id;
    s.currentDepth = prev.depth;
    s.floor = prev.floor;
  }
}

/**
 * Whether `span` is current. Without the hook, by id: only a compiled body's stand-in (`adopt`)
 * shares an id, and it stands for that very span.
 */
function isCurrent(s: RuntimeState, span: AsyncSpan): boolean {
  return s.contextHook === null ? s.currentId === span.id : (s.contextHook.get() ?? ROOT) === span;
}

/** A span object for what the hook holds, for `adopt`: same id and depth, never ended. */
function standIn(current: AsyncSpan): AsyncSpan {
  return new AsyncSpan(current.id, current.parent, current.depth, -1);
}

/**
 * Lets an exporter join spanfn's root spans to another tracer's trace: `hook` is asked as each
 * span with no spanfn parent begins, and returns a positive number naming the outside context
 * then current (the exporter keeps the table) or 0 for none. Recorded as a negative parent id.
 */
export function linkRootSpans(hook: (() => number) | null): void {
  state.linkRoot = hook;
  refreshPlainAsync(state);
}

/** Id of the current async span; 0 at the root. */
export function currentSpanId(): number {
  const s = state;
  return s.contextHook === null ? s.currentId : (s.contextHook.get() ?? ROOT).id;
}
