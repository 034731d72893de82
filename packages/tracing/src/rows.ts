/**
 * Open async spans as rows of numbers (layout.ts `Row`) in `state.asyncRows`; a span's handle
 * is its row. Rows are reused through a free list, so an async span allocates nothing. The hot
 * path (async-spans.ts) writes the common case inline; this is everything else that reads or
 * writes a row.
 */
import { now } from "./clock.js";
import { AsyncEndRecord, Head, Kind, Row, RowFlag } from "./layout.js";
import { rotate } from "./queue.js";
import type { AsyncSpan, RuntimeState } from "./state.js";

/** Takes a free row (or a new one) for span `id`; returns its handle. */
export function openRow(s: RuntimeState, id: number, site: number, parent: number, depth: number): AsyncSpan {
  const handle = s.asyncFreeCount > 0 ? s.asyncFree[--s.asyncFreeCount] : newRow(s);
  const rows = s.asyncRows;
  const at = handle * Row.size;
  rows[at] = id;
  rows[at + Row.site] = site;
  rows[at + Row.parent] = parent;
  rows[at + Row.depth] = depth;
  rows[at + Row.outcome] = Kind.asyncFulfilled;
  rows[at + Row.flags] = 0;
  return handle;
}

function newRow(s: RuntimeState): number {
  const handle = s.asyncUsed++;
  if (s.asyncUsed * Row.size > s.asyncRows.length) {
    const rows = new Float64Array(s.asyncRows.length * 2);
    rows.set(s.asyncRows);
    s.asyncRows = rows;
    const free = new Int32Array(s.asyncFree.length * 2);
    free.set(s.asyncFree);
    s.asyncFree = free;
  }
  return handle;
}

/** Writes the end record of the span in row `span` (at tick `t`) and frees the row; callers know it is open. */
export function recordAsyncEnd(s: RuntimeState, span: AsyncSpan, t: number): void {
  const rows = s.asyncRows;
  const at = span * Row.size;
  let p = s.position;
  if (p + AsyncEndRecord.size > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = rows[at + Row.site] * Head.sites + rows[at + Row.outcome];
  b[p + AsyncEndRecord.tick] = t;
  b[p + AsyncEndRecord.spanId] = rows[at];
  s.position = p + AsyncEndRecord.size;
  rows[at] = 0;
  s.asyncFree[s.asyncFreeCount++] = span;
}

/** Whether row `span` still holds the span with id `id` (it was not ended since). */
export function isOpen(s: RuntimeState, span: AsyncSpan, id: number): boolean {
  return span >= 0 && s.asyncRows[span * Row.size] === id;
}

export function spanIdOf(s: RuntimeState, span: AsyncSpan): number {
  return s.asyncRows[span * Row.size];
}

export function depthOf(s: RuntimeState, span: AsyncSpan): number {
  return s.asyncRows[span * Row.size + Row.depth];
}

export function flagsOf(s: RuntimeState, span: AsyncSpan): number {
  return s.asyncRows[span * Row.size + Row.flags];
}

export function addFlags(s: RuntimeState, span: AsyncSpan, flags: number): void {
  s.asyncRows[span * Row.size + Row.flags] |= flags;
}

/** Marks the span in row `span` as waiting for a returned promise; `endAsync` leaves it open. */
export function markSettling(s: RuntimeState, span: AsyncSpan): void {
  addFlags(s, span, RowFlag.settling);
}

/** Sets the kind the span's end record will carry. */
export function setOutcome(s: RuntimeState, span: AsyncSpan, kind: number): void {
  s.asyncRows[span * Row.size + Row.outcome] = kind;
}

/**
 * Records the end of the span in row `span` whose promise settled (at tick `t`, by default now),
 * unless that row no longer holds span `id`: it ended already.
 */
export function settled(s: RuntimeState, span: AsyncSpan, id: number, outcome: number, t: number = now()): void {
  if (!isOpen(s, span, id)) return;
  setOutcome(s, span, outcome);
  recordAsyncEnd(s, span, t);
}

/** Calls `visit` for every open async span, oldest (lowest id) first. */
export function forEachOpenAsync(s: RuntimeState, visit: (id: number, site: number, parent: number, depth: number) => void): void {
  const rows = s.asyncRows;
  const open: number[] = [];
  for (let handle = 0; handle < s.asyncUsed; handle++) if (rows[handle * Row.size] !== 0) open.push(handle);
  open.sort((a, b) => rows[a * Row.size] - rows[b * Row.size]);
  for (const handle of open) {
    const at = handle * Row.size;
    visit(rows[at], rows[at + Row.site], rows[at + Row.parent], rows[at + Row.depth]);
  }
}
