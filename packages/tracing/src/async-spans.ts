/**
 * Async spans, the hot path: what an instrumented `async function` (or a function returning a
 * promise) calls. A span is a row of numbers in a typed array and its handle is the row's index;
 * "current" is a stack of handles. Nothing is allocated per span: measured here, allocating a
 * span object and storing into it was most of what an async span cost beyond its two clock
 * reads (an async call with a span went from 1.7x to 1.05x the cost of the same call with just
 * the two clock reads).
 *
 * Generated code calls `beginAsync` at the top, `suspend` before each `await` and `resume` after
 * it (and at the top of every `catch`/`finally`, where a rejected await lands), and `endAsync` in
 * the body's own `finally`. Pushes and pops then nest within every synchronous stretch of code:
 * a job starts at the root and leaves it there, so code that un-instrumented callbacks schedule
 * records the root as parent, never a wrong one.
 *
 * A handle is dead once `endAsync` returned: generated code never uses it again (async
 * generators take the UNRECORDED it returns, and a fresh span after each yield).
 *
 * The AsyncLocalStorage mode (node/async-context.ts) keeps "current" in the storage instead of
 * the stack, as small context objects; it has functions of its own below, reached by one test.
 */
import { now } from "./clock.js";
import { rotate } from "./dispatch.js";
import { refuse } from "./spans.js";
import { settleReturned } from "./settle.js";
import {
  ASYNC_ROW,
  ROOT_CONTEXT,
  ROW_DEPTH,
  ROW_FLAGS,
  ROW_CHAINED,
  ROW_ID,
  ROW_PRESETTLED,
  ROW_METADATA,
  ROW_OUTCOME,
  ROW_PARENT,
  ROW_SETTLING,
  UNRECORDED,
  state,
  type AsyncSpan,
  type CurrentContext,
  type RuntimeState,
} from "./state.js";

/*
 * Written for V8's inliner, which budgets by the bytecode size of whole functions (thread spans
 * in spans.ts say more): rare work lives in functions of its own, booleans are compared with
 * `===`, and record heads are literals (`metadata * 8 + kind`, see KIND_BITS and EventKind in
 * events.ts).
 *
 * `beginAsync` and `endAsync` do their common case in one body each, row, record and stack
 * written inline, and leave every other case to a function of its own: an instrumented async
 * function then compiles with `endAsync` and both clock reads inlined and `beginAsync` as one
 * call of a function that has its own clock read inlined. Split into helpers, the budget ran
 * out part-way and left up to four calls per span (callgrind, one async call with one await:
 * 2,540-2,690 instructions before, 2,450-2,530 after, against 1,400-1,490 bare).
 */

/**
 * Begins an async span whose parent is the current span, makes it current, and returns its
 * handle. Not recording, a filtered level, the AsyncLocalStorage mode, a root link, a stand-in
 * parent, no free row or a full stack: `beginAsyncSlow`.
 */
export function beginAsync(metadata: number): AsyncSpan {
  const s = state;
  if (s.plainAsync !== true || !(s.levels[metadata] <= s.maxLevel)) return beginAsyncSlow(s, metadata);
  const sp = s.sp;
  const rows = s.asyncRows;
  let parent = 0;
  let depth = 1;
  if (sp !== 0) {
    // The parent's id and depth are in its row (a stand-in's are in its handle: the slow path).
    const top = s.stackHandles[sp - 1];
    if (top < 0) return beginAsyncSlow(s, metadata);
    parent = rows[top * 6]; // ASYNC_ROW, ROW_ID
    depth = rows[top * 6 + 3] + 1; // ROW_DEPTH
  }
  const free = s.asyncFreeCount;
  if (free === 0 || sp === s.stackFloors.length) return beginAsyncSlow(s, metadata);
  // openRow, writeAsyncBegin and push, written out: the slow path keeps them as functions.
  const slot = s.asyncFree[free - 1];
  s.asyncFreeCount = free - 1;
  const id = s.nextSpanId++;
  const at = slot * 6; // ASYNC_ROW
  rows[at] = id; // ROW_ID
  rows[at + 1] = metadata; // ROW_METADATA
  rows[at + 2] = parent; // ROW_PARENT
  rows[at + 3] = depth; // ROW_DEPTH
  rows[at + 4] = 4; // ROW_OUTCOME: EventKind.asyncFulfilled
  rows[at + 5] = 0; // ROW_FLAGS
  let p = s.position;
  if (p + 5 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * 8 + 3; // EventKind.asyncBegin
  b[p + 2] = id;
  b[p + 3] = parent;
  b[p + 4] = depth;
  b[p + 1] = now();
  s.position = p + 5;
  s.stackHandles[sp] = slot;
  s.stackFloors[sp] = s.depth;
  s.sp = sp + 1;
  return slot;
}

function beginAsyncSlow(s: RuntimeState, metadata: number): AsyncSpan {
  if (!s.recording || !(s.levels[metadata] <= s.maxLevel)) {
    refuse(s, metadata);
    return UNRECORDED;
  }
  const hook = s.contextHook;
  const current = hook === null ? null : (hook.get() ?? ROOT_CONTEXT);
  const parent = current !== null ? current.id : currentSpanId();
  const depth = (current !== null ? current.depth : currentDepth(s)) + 1;
  const id = s.nextSpanId++;
  const slot = openRow(s, id, metadata, parent, depth);
  writeAsyncBegin(s, metadata, id, parent === 0 && s.linkRoot !== null ? -s.linkRoot() : parent, depth);
  if (hook === null) push(s, slot);
  else enterHooked(s, slot, id, depth);
  return slot;
}

/** `[head, tick, spanId, parentId, depth]` */
function writeAsyncBegin(s: RuntimeState, metadata: number, id: number, parent: number, depth: number): void {
  let p = s.position;
  if (p + 5 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * 8 + 3; // EventKind.asyncBegin
  b[p + 2] = id;
  b[p + 3] = parent;
  b[p + 4] = depth;
  b[p + 1] = now();
  s.position = p + 5;
}

/** Before an `await`: hands "current" back to whatever was current before. Returns `value`. */
export function suspend<T>(span: AsyncSpan, value: T): T {
  const s = state;
  if (s.contextHook !== null) exitHooked(s, span);
  else if (span !== UNRECORDED) {
    const sp = s.sp;
    if (sp !== 0 && s.stackHandles[sp - 1] === span) s.sp = sp - 1;
    else if (sp > 1) unwindTo(s, span);
  }
  return value;
}

/**
 * After an `await` (and at the top of a `catch`/`finally` an await may have thrown into): makes
 * the span current again. Idempotent. Returns `value`.
 */
export function resume<T>(span: AsyncSpan, value?: T): T {
  const s = state;
  if (s.contextHook !== null) resumeHooked(s, span);
  else if (span !== UNRECORDED) {
    const sp = s.sp;
    if (sp === 0 || s.stackHandles[sp - 1] !== span) push(s, span);
  }
  return value as T;
}

/** Marks the span rejected; its end event will say so. */
export function fail(span: AsyncSpan): void {
  if (span >= 0) state.asyncRows[span * ASYNC_ROW + ROW_OUTCOME] = 5; // EventKind.asyncRejected
}

/**
 * Ends an async span with the outcome set by `fail` (else fulfilled), and stops it being
 * current. `returned` is what the function returned: an object goes to `endReturned`, which
 * decides whether the span waits for a promise. Returns UNRECORDED, for a holder that goes on
 * (an async generator after a yield) to hold instead of the dead handle.
 */
export function endAsync(span: AsyncSpan, returned?: unknown): AsyncSpan {
  if (span < 0) return UNRECORDED;
  const s = state;
  // "Current" is handed back first, and without a call in the common case: unwinding deep
  // recursion near the stack limit, a frame more can fail, and a span left on the stack would
  // misparent what follows; a lost end only leaves that span unfinished.
  if (s.contextHook !== null) exitHooked(s, span);
  else {
    const sp = s.sp;
    if (sp !== 0 && s.stackHandles[sp - 1] === span) s.sp = sp - 1;
    else if (sp > 1) unwindTo(s, span);
  }
  if (returned !== undefined && returned !== null && (typeof returned === "object" || typeof returned === "function")) {
    endReturned(s, span, returned);
    return UNRECORDED;
  }
  // recordAsyncEnd, written out (see beginAsync).
  const rows = s.asyncRows;
  const at = span * 6; // ASYNC_ROW
  const id = rows[at]; // ROW_ID
  if (id !== 0) {
    const t = now();
    let p = s.position;
    if (p + 3 > s.blockSlots) p = rotate();
    const b = s.buffer;
    b[p] = rows[at + 1] * 8 + rows[at + 4]; // ROW_METADATA, ROW_OUTCOME
    b[p + 1] = t;
    b[p + 2] = id;
    s.position = p + 3;
    rows[at] = 0;
    s.asyncFree[s.asyncFreeCount++] = span;
  }
  return UNRECORDED;
}

/** `endAsync` of a span that returned an object: a native promise keeps it open until it settles. */
function endReturned(s: RuntimeState, span: AsyncSpan, returned: object): void {
  // Literal offsets, as in beginAsync: every traced function returning a promise comes here.
  const at = span * 6; // ASYNC_ROW
  const rows = s.asyncRows;
  if (rows[at] === 0) return; // ROW_ID
  if (rows[at + 4] === 4 /* ROW_OUTCOME, EventKind.asyncFulfilled */) {
    // A promise the function made and returned ends the span from its own handlers (chain.ts);
    // if it settled before the return (ROW_PRESETTLED), the span ends now.
    const flags = rows[at + 5]; // ROW_FLAGS
    if ((flags & 2) === 0 /* ROW_CHAINED */) settleReturned(span, rows[at], returned);
    else if ((flags & 4) === 0 /* ROW_PRESETTLED */) rows[at + 5] = flags | 1; // markSettling
  }
  if ((rows[at + 5] & 1) === 0 /* ROW_SETTLING */) recordAsyncEnd(s, span, now());
}

/** Writes the end event of the span in row `span` and frees the row; callers know it is open. */
export function recordAsyncEnd(s: RuntimeState, span: AsyncSpan, t: number): void {
  // Literal offsets, as in beginAsync: the end of every span a returned promise settles.
  const rows = s.asyncRows;
  const at = span * 6; // ASYNC_ROW
  let p = s.position;
  if (p + 3 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = rows[at + 1] * 8 + rows[at + 4]; // ROW_METADATA, ROW_OUTCOME
  b[p + 1] = t;
  b[p + 2] = rows[at]; // ROW_ID
  s.position = p + 3;
  rows[at] = 0; // the row is free
  s.asyncFree[s.asyncFreeCount++] = span;
}

/** Ends the span as detached: it returned a thenable spanfn must not call `then` on. */
export function detachAsync(span: AsyncSpan): AsyncSpan {
  if (span >= 0) state.asyncRows[span * ASYNC_ROW + ROW_OUTCOME] = 6; // EventKind.asyncDetached
  return endAsync(span);
}

/**
 * Async generators get an async span per resumption: after a yield ended the span (the holder
 * then holds UNRECORDED), a `catch` or `finally` that `throw()`/`return()` resumed begins a
 * fresh one; otherwise this is `resume`.
 */
export function reenterAsync(span: AsyncSpan, metadata: number): AsyncSpan {
  if (span === UNRECORDED) return beginAsync(metadata);
  resume(span);
  return span;
}

/**
 * For the body a compiler handed to an async helper (`__awaiter`, `_asyncToGenerator`,
 * regenerator), called as it first runs, synchronously inside the function that started it: a
 * stand-in for the current span, which `resume` makes current whenever the body resumes and
 * `suspend` hands back from. It carries the span's id and depth, so children record the true
 * parent even after that span ended; it is never ended. At first it is not current itself (the
 * span it stands for is), so its first `suspend` changes nothing.
 */
export function adopt(): AsyncSpan {
  const s = state;
  const hook = s.contextHook;
  if (hook !== null) {
    const current = hook.get() ?? ROOT_CONTEXT;
    return current.id === 0 ? UNRECORDED : standIn(current.id, current.depth);
  }
  return s.sp === 0 ? UNRECORDED : standIn(currentSpanId(), currentDepth(s));
}

/*
 * A stand-in's handle encodes the id and depth of the span it stands for, below -1: no row to
 * free, and nothing of it goes stale when that span ends. Depths are clamped to 16 bits, which
 * leaves ids exact up to 2^37.
 */
const STAND_IN_DEPTH = 65536;

function standIn(id: number, depth: number): AsyncSpan {
  return -2 - (id * STAND_IN_DEPTH + Math.min(depth, STAND_IN_DEPTH - 1));
}

function standInId(handle: AsyncSpan): number {
  return Math.floor((-2 - handle) / STAND_IN_DEPTH);
}

function standInDepth(handle: AsyncSpan): number {
  return (-2 - handle) % STAND_IN_DEPTH;
}

/** Hands "current" back from `span` if it is still current (its body is done or suspended). */
export function leave(span: AsyncSpan): void {
  suspend(span, undefined);
}

/** Id of the current async span; 0 at the root. */
export function currentSpanId(): number {
  const s = state;
  if (s.contextHook !== null) return (s.contextHook.get() ?? ROOT_CONTEXT).id;
  if (s.sp === 0) return 0;
  const top = s.stackHandles[s.sp - 1];
  return top >= 0 ? s.asyncRows[top * ASYNC_ROW + ROW_ID] : standInId(top);
}

/** Depth of the current async span (0 at the root), without the AsyncLocalStorage mode. */
function currentDepth(s: RuntimeState): number {
  if (s.sp === 0) return 0;
  const top = s.stackHandles[s.sp - 1];
  return top >= 0 ? s.asyncRows[top * ASYNC_ROW + ROW_DEPTH] : standInDepth(top);
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

/** Whether row `span` still holds the span with id `id` (it was not ended since). */
export function isOpen(s: RuntimeState, span: AsyncSpan, id: number): boolean {
  return span >= 0 && s.asyncRows[span * ASYNC_ROW + ROW_ID] === id;
}

/** Marks the span in row `span` as waiting for a returned promise; `endAsync` leaves it open. */
export function markSettling(s: RuntimeState, span: AsyncSpan): void {
  s.asyncRows[span * ASYNC_ROW + ROW_FLAGS] |= ROW_SETTLING;
}

/** Sets the kind the span's end event will carry. */
export function setOutcome(s: RuntimeState, span: AsyncSpan, kind: number): void {
  s.asyncRows[span * ASYNC_ROW + ROW_OUTCOME] = kind;
}

// --- Rows ---------------------------------------------------------------------------------

function openRow(s: RuntimeState, id: number, metadata: number, parent: number, depth: number): number {
  const slot = s.asyncFreeCount > 0 ? s.asyncFree[--s.asyncFreeCount] : newRow(s);
  const rows = s.asyncRows;
  const at = slot * ASYNC_ROW;
  rows[at] = id;
  rows[at + 1] = metadata;
  rows[at + 2] = parent;
  rows[at + 3] = depth;
  rows[at + 4] = 4; // EventKind.asyncFulfilled
  rows[at + 5] = 0;
  return slot;
}

function newRow(s: RuntimeState): number {
  const slot = s.asyncUsed++;
  if (s.asyncUsed * ASYNC_ROW > s.asyncRows.length) {
    const rows = new Float64Array(s.asyncRows.length * 2);
    rows.set(s.asyncRows);
    s.asyncRows = rows;
    const free = new Int32Array(s.asyncFree.length * 2);
    free.set(s.asyncFree);
    s.asyncFree = free;
  }
  return slot;
}

/** Calls `visit` for every open async span, oldest (lowest id) first. */
export function forEachOpenAsync(s: RuntimeState, visit: (id: number, metadata: number, parent: number, depth: number) => void): void {
  const rows = s.asyncRows;
  const open: number[] = [];
  for (let slot = 0; slot < s.asyncUsed; slot++) if (rows[slot * ASYNC_ROW] !== 0) open.push(slot);
  open.sort((a, b) => rows[a * ASYNC_ROW] - rows[b * ASYNC_ROW]);
  for (const slot of open) {
    const at = slot * ASYNC_ROW;
    visit(rows[at + ROW_ID], rows[at + ROW_METADATA], rows[at + ROW_PARENT], rows[at + ROW_DEPTH]);
  }
}

// --- The current-span stack -----------------------------------------------------------------

/** Makes `handle` current: the span's id and depth are read from its row (or its stand-in handle). */
function push(s: RuntimeState, handle: AsyncSpan): void {
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
function unwindTo(s: RuntimeState, handle: AsyncSpan): void {
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

/** What was current when each span (by handle) was last entered, restored when it leaves. */
const hookedPrevious = new Map<AsyncSpan, CurrentContext>();

function enterHooked(s: RuntimeState, handle: AsyncSpan, id: number, depth: number): void {
  const hook = s.contextHook!;
  hookedPrevious.set(handle, hook.get() ?? ROOT_CONTEXT);
  hook.set({ handle, id, depth, floor: s.depth });
}

function resumeHooked(s: RuntimeState, handle: AsyncSpan): void {
  if (handle === UNRECORDED || (s.contextHook!.get() ?? ROOT_CONTEXT).handle === handle) return;
  if (handle >= 0) {
    const at = handle * ASYNC_ROW;
    enterHooked(s, handle, s.asyncRows[at + ROW_ID], s.asyncRows[at + ROW_DEPTH]);
  } else enterHooked(s, handle, standInId(handle), standInDepth(handle));
}

function exitHooked(s: RuntimeState, handle: AsyncSpan): void {
  const hook = s.contextHook!;
  if (handle === UNRECORDED || (hook.get() ?? ROOT_CONTEXT).handle !== handle) return;
  hook.set(hookedPrevious.get(handle) ?? ROOT_CONTEXT);
  hookedPrevious.delete(handle);
}
