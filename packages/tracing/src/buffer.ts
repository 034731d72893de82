/**
 * The block buffer: the thread writes records into `state.buffer`; sealing hands the full
 * buffer over as a block and starts on a fresh one, reusing buffers sinks gave back.
 */
import type { EventBlock } from "./events.js";
import { scanSealed } from "./thread-stack.js";
import type { RuntimeState } from "./state.js";

/**
 * Makes the block being written a block of its own and starts a fresh buffer; null when nothing
 * was written. The sealed buffer belongs to the block from then on: the writer never touches it
 * again.
 */
export function sealBlock(s: RuntimeState): EventBlock | null {
  if (s.position === 0) return null;
  scanSealed(s, s.buffer, s.position);
  const block: EventBlock = {
    thread: s.thread,
    clock: s.clock,
    metadata: s.metadata,
    data: s.buffer,
    length: s.position,
    sequence: s.sequence++,
  };
  // A thread's first blocks are small (state.ts, fullBlockSlots); spares of the old size are let go.
  if (s.blockSlots < s.fullBlockSlots) {
    s.blockSlots = Math.min(s.blockSlots * 2, s.fullBlockSlots);
    s.spare.length = 0;
  }
  s.buffer = s.spare.pop() ?? new Float64Array(s.blockSlots);
  s.position = 0;
  s.leafAt = -1;
  return block;
}

/** Spare buffers kept at most: enough for a sink that recycles as it goes. */
const MAX_SPARE = 4;

/**
 * A buffer a sink is done with, for the next block to reuse instead of allocating one that the
 * garbage collector must then find: with a sink that keeps up, recording allocates nothing at
 * all. Buffers of another size (changed `blockSlots`) and shared ones are let go.
 */
export function recycleBuffer(s: RuntimeState, data: Float64Array): void {
  if (s.shared.has(data)) return;
  if (data.length !== s.blockSlots || s.spare.length >= MAX_SPARE || data === s.buffer || s.spare.includes(data)) return;
  s.spare.push(data);
}

/** Writes blocks of `slots` from now on; seal what was written first (`configure`). */
export function resizeBlocks(s: RuntimeState, slots: number): void {
  s.blockSlots = slots;
  s.fullBlockSlots = slots;
  s.buffer = new Float64Array(slots);
  s.position = 0;
  s.leafAt = -1;
  s.spare.length = 0;
}
