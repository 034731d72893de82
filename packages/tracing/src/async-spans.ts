/**
 * Async spans, the hot path: what an instrumented `async function` (or a function returning a
 * promise) calls. A span is a row of numbers (rows.ts) and its handle is the row's index;
 * "current" is a stack of handles (current.ts). Nothing is allocated per span.
 *
 * Generated code calls `beginAsync` at the top, `suspend` before each `await` and `resume` after
 * it (and at the top of every `catch`/`finally`, where a rejected await lands), and `endAsync` in
 * the body's own `finally`. Pushes and pops then nest within every synchronous stretch of code:
 * a job starts at the root and leaves it there, so code that un-instrumented callbacks schedule
 * records the root as parent, never a wrong one.
 *
 * A handle is dead once `endAsync` returned: generated code never uses it again (async
 * generators take the "not recorded" it returns, and a fresh span after each yield).
 */
import { now } from "./clock.js";
import { rotate } from "./queue.js";
import { refuse } from "./thread-spans.js";
import { settleReturned } from "./promises.js";
import { openRow, recordAsyncEnd, setOutcome } from "./rows.js";
import { currentDepth, currentSpanId, enterHooked, exitHooked, push, resumeHooked, standInFor, unwindTo } from "./current.js";
import { AsyncBeginRecord, AsyncEndRecord, Handle, Head, Kind, Row, RowFlag } from "./layout.js";
import { ROOT_CONTEXT, state, type AsyncSpan, type RuntimeState } from "./state.js";

/*
 * Written for V8's inliner, which budgets by the bytecode size of whole functions
 * (thread-spans.ts says more). `beginAsync` and `endAsync` do their common case in one body
 * each, row, record and stack written inline, and leave every other case to a function of its
 * own: an instrumented async function then compiles with `endAsync` and both clock reads
 * inlined and `beginAsync` as one call of a function that has its own clock read inlined. Split
 * into helpers, the budget ran out part-way and left up to four calls per span. The slow paths
 * use rows.ts and current.ts.
 */

/**
 * Begins an async span whose parent is the current span, makes it current, and returns its
 * handle. Not recording, a filtered level, the AsyncLocalStorage mode, a root link, a stand-in
 * parent, no free row or a full stack: `beginAsyncSlow`.
 */
export function beginAsync(site: number): AsyncSpan {
  const s = state;
  if (s.plainAsync !== true || !(s.levels[site] <= s.maxLevel)) return beginAsyncSlow(s, site);
  const sp = s.sp;
  const rows = s.asyncRows;
  let parent = 0;
  let depth = 1;
  if (sp !== 0) {
    // The parent's id and depth are in its row (a stand-in's are in its handle: the slow path).
    const top = s.stackHandles[sp - 1];
    if (top < 0) return beginAsyncSlow(s, site);
    parent = rows[top * Row.size];
    depth = rows[top * Row.size + Row.depth] + 1;
  }
  const free = s.asyncFreeCount;
  if (free === 0 || sp === s.stackFloors.length) return beginAsyncSlow(s, site);
  // rows.ts openRow, the record and current.ts push, inline.
  const handle = s.asyncFree[free - 1];
  s.asyncFreeCount = free - 1;
  const id = s.nextSpanId++;
  const at = handle * Row.size;
  rows[at] = id;
  rows[at + Row.site] = site;
  rows[at + Row.parent] = parent;
  rows[at + Row.depth] = depth;
  rows[at + Row.outcome] = Kind.asyncFulfilled;
  rows[at + Row.flags] = 0;
  let p = s.position;
  if (p + AsyncBeginRecord.size > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = site * Head.sites + Kind.asyncBegin;
  b[p + AsyncBeginRecord.spanId] = id;
  b[p + AsyncBeginRecord.parent] = parent;
  b[p + AsyncBeginRecord.depth] = depth;
  b[p + AsyncBeginRecord.tick] = now();
  s.position = p + AsyncBeginRecord.size;
  s.stackHandles[sp] = handle;
  s.stackFloors[sp] = s.depth;
  s.sp = sp + 1;
  return handle;
}

function beginAsyncSlow(s: RuntimeState, site: number): AsyncSpan {
  if (!s.recording || !(s.levels[site] <= s.maxLevel)) {
    refuse(s, site);
    return Handle.notRecorded;
  }
  const hook = s.contextHook;
  const current = hook === null ? null : (hook.get() ?? ROOT_CONTEXT);
  const parent = current !== null ? current.id : currentSpanId();
  const depth = (current !== null ? current.depth : currentDepth(s)) + 1;
  const id = s.nextSpanId++;
  const handle = openRow(s, id, site, parent, depth);
  writeAsyncBegin(s, site, id, parent === 0 && s.linkRoot !== null ? -s.linkRoot() : parent, depth);
  if (hook === null) push(s, handle);
  else enterHooked(s, handle, id, depth);
  return handle;
}

function writeAsyncBegin(s: RuntimeState, site: number, id: number, parent: number, depth: number): void {
  let p = s.position;
  if (p + AsyncBeginRecord.size > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = site * Head.sites + Kind.asyncBegin;
  b[p + AsyncBeginRecord.spanId] = id;
  b[p + AsyncBeginRecord.parent] = parent;
  b[p + AsyncBeginRecord.depth] = depth;
  b[p + AsyncBeginRecord.tick] = now();
  s.position = p + AsyncBeginRecord.size;
}

/** Before an `await`: hands "current" back to whatever was current before. Returns `value`. */
export function suspend<T>(span: AsyncSpan, value: T): T {
  const s = state;
  if (s.contextHook !== null) exitHooked(s, span);
  else if (span !== Handle.notRecorded) {
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
  else if (span !== Handle.notRecorded) {
    const sp = s.sp;
    if (sp === 0 || s.stackHandles[sp - 1] !== span) push(s, span);
  }
  return value as T;
}

/** Marks the span rejected; its end record will say so. */
export function fail(span: AsyncSpan): void {
  if (span >= 0) setOutcome(state, span, Kind.asyncRejected);
}

/**
 * Ends an async span with the outcome set by `fail` (else fulfilled), and stops it being
 * current. `returned` is what the function returned: an object goes to `endReturned`, which
 * decides whether the span waits for a promise. Returns "not recorded", for a holder that goes
 * on (an async generator after a yield) to hold instead of the dead handle.
 */
export function endAsync(span: AsyncSpan, returned?: unknown): AsyncSpan {
  if (span < 0) return Handle.notRecorded;
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
    return Handle.notRecorded;
  }
  // rows.ts recordAsyncEnd, inline.
  const rows = s.asyncRows;
  const at = span * Row.size;
  const id = rows[at];
  if (id !== 0) {
    const t = now();
    let p = s.position;
    if (p + AsyncEndRecord.size > s.blockSlots) p = rotate();
    const b = s.buffer;
    b[p] = rows[at + Row.site] * Head.sites + rows[at + Row.outcome];
    b[p + AsyncEndRecord.tick] = t;
    b[p + AsyncEndRecord.spanId] = id;
    s.position = p + AsyncEndRecord.size;
    rows[at] = 0;
    s.asyncFree[s.asyncFreeCount++] = span;
  }
  return Handle.notRecorded;
}

/** `endAsync` of a span that returned an object: a native promise keeps it open until it settles. */
function endReturned(s: RuntimeState, span: AsyncSpan, returned: object): void {
  // Every traced function returning a promise comes here: the row is read inline.
  const at = span * Row.size;
  const rows = s.asyncRows;
  if (rows[at] === 0) return;
  if (rows[at + Row.outcome] === Kind.asyncFulfilled) {
    // A promise the function made and returned ends the span from its own handlers (chain.ts);
    // if it settled before the return (presettled), the span ends now.
    const flags = rows[at + Row.flags];
    if ((flags & RowFlag.chained) === 0) settleReturned(s, span, rows[at], returned);
    else if ((flags & RowFlag.presettled) === 0) rows[at + Row.flags] = flags | RowFlag.settling;
  }
  if ((rows[at + Row.flags] & RowFlag.settling) === 0) recordAsyncEnd(s, span, now());
}

/** Ends the span as detached: it returned a thenable spanfn must not call `then` on. */
export function detachAsync(span: AsyncSpan): AsyncSpan {
  if (span >= 0) setOutcome(state, span, Kind.asyncDetached);
  return endAsync(span);
}

/**
 * Async generators get an async span per resumption: after a yield ended the span (the holder
 * then holds "not recorded"), a `catch` or `finally` that `throw()`/`return()` resumed begins a
 * fresh one; otherwise this is `resume`.
 */
export function reenterAsync(span: AsyncSpan, site: number): AsyncSpan {
  if (span === Handle.notRecorded) return beginAsync(site);
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
    return current.id === 0 ? Handle.notRecorded : standInFor(s, current.id, current.depth);
  }
  return s.sp === 0 ? Handle.notRecorded : standInFor(s, currentSpanId(), currentDepth(s));
}

/** Hands "current" back from `span` if it is still current (its body is done or suspended). */
export function leave(span: AsyncSpan): void {
  suspend(span, undefined);
}

export { currentSpanId };
