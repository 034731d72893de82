/**
 * Records that this thread created a worker thread, and which span was current then: the
 * innermost thread span opened since the current async span became current, else that async
 * span. Rare work, off the hot path: the record goes out at once (a flush), so every sink has it
 * before the first block of the worker it names.
 */
import { now } from "./clock.js";
import { currentFloor, currentSpanId } from "./current.js";
import { Kind, WorkerStartRecord } from "./layout.js";
import { flush, rotate } from "./queue.js";
import { state } from "./state.js";

export function recordWorkerStart(worker: number): void {
  const s = state;
  if (!s.recording) return;
  const parent = currentSpanId();
  const inside = s.depth - currentFloor(s);
  // Created with no span current: there is nothing to link the worker to.
  if (parent <= 0 && inside <= 0) return;
  let p = s.position;
  if (p + WorkerStartRecord.size > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = Kind.workerStart;
  b[p + WorkerStartRecord.tick] = now();
  b[p + WorkerStartRecord.worker] = worker;
  b[p + WorkerStartRecord.parent] = parent > 0 ? parent : 0;
  b[p + WorkerStartRecord.inside] = inside > 0 ? inside : 0;
  s.position = p + WorkerStartRecord.size;
  // The span open around it is no leaf: its begin must not become a complete record over this one.
  s.leafAt = -1;
  flush();
}
