/**
 * Blocks on their way to the sink: the bounded queue in front of a slow sink, with drop and
 * error accounting, and flushing. Recording stops (and counts drops) when the queue and what
 * the sink holds reach the memory cap.
 */
import { now } from "./clock.js";
import type { EventBlock, Sink } from "./events.js";
import { countEvents } from "./records.js";
import { recycleBuffer, sealBlock } from "./buffer.js";
import { refreshPlainAsync, state, type RuntimeState } from "./state.js";

/** The hot path's way out of a full buffer: seals it, hands it on, returns the new position (0). */
export function rotate(): number {
  const block = sealBlock(state);
  if (block !== null) submit(block);
  return 0;
}

/**
 * A sink that is done with a block (it wrote it out, or drops it) hands its buffer back. A sink
 * that keeps blocks must not call this.
 */
export function recycle(block: EventBlock): void {
  recycleBuffer(state, block.data);
}

/**
 * Marks a block whose buffer more than one sink reads (`TeeSink`): one of them being done with
 * it must not let the next block overwrite what another still holds.
 */
export function share(block: EventBlock): void {
  state.shared.add(block.data);
}

/** Whether sinks other than the caller may still read this block's buffer (`share`). */
export function isShared(block: EventBlock): boolean {
  return state.shared.has(block.data);
}

/** Queues a block for the sink: this thread's own, or one forwarded from another thread. */
export function submit(block: EventBlock): void {
  const s = state;
  s.pending.push(block);
  s.pendingBytes += block.data.byteLength;
  drain(s);
  updateRecording(s);
}

function drain(s: RuntimeState): void {
  while (s.sink !== null && !s.sinkBusy && s.pending.length > 0) {
    const block = s.pending.shift()!;
    s.pendingBytes -= block.data.byteLength;
    const sink = s.sink;
    let result: void | PromiseLike<void>;
    try {
      result = sink.block(block);
    } catch (error) {
      sinkFailed(s, error, countEvents(block));
      continue;
    }
    if (result !== undefined && typeof result.then === "function") {
      s.sinkBusy = true;
      result.then(
        () => sinkDone(s, sink),
        (error: unknown) => {
          sinkFailed(s, error, countEvents(block));
          sinkDone(s, sink);
        },
      );
    }
  }
}

function sinkDone(s: RuntimeState, sink: Sink): void {
  // A sink replaced while busy must not unblock its successor.
  if (s.sink !== sink) return;
  s.sinkBusy = false;
  drain(s);
  updateRecording(s);
}

/** A sink threw or rejected: `events` are lost, counted; the first error is kept and warned of. */
export function sinkFailed(s: RuntimeState, error: unknown, events: number): void {
  s.sinkErrors++;
  s.lostEvents += events;
  if (s.sinkErrors === 1) {
    s.firstSinkError = error;
    s.warn(`spanfn: the trace sink failed and its events are being dropped (counted): ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Recording goes on while one more block fits beside those queued and those a sink holds. */
export function updateRecording(s: RuntimeState): void {
  // Ends of recorded spans are written regardless.
  const held = s.sink?.heldBytes?.() ?? 0;
  s.recording = s.enabled && s.pendingBytes + held + s.blockSlots * 8 <= s.maxBufferedBytes;
  refreshPlainAsync(s);
}

/** Hands everything recorded so far to the sink, synchronously where the sink is. */
export function flush(): void {
  const s = state;
  const block = sealBlock(s);
  if (block !== null) submit(block);
  drain(s);
  updateRecording(s);
}

/** Flushes and waits, up to `timeoutMs`, until an asynchronous sink has taken every block. */
export async function flushAsync(timeoutMs = 5000): Promise<boolean> {
  flush();
  const s = state;
  const deadline = now() + timeoutMs;
  while ((s.sinkBusy || (s.sink !== null && s.pending.length > 0)) && now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return !s.sinkBusy && s.pending.length === 0;
}

/** Installs the sink (null to detach); blocks recorded before it existed go to it first. */
export function setSink(sink: Sink | null): void {
  const s = state;
  s.sink = sink;
  s.sinkBusy = false;
  if (sink !== null && typeof sink.init === "function") {
    try {
      sink.init({ pid: s.processId, clock: s.clock });
    } catch (error) {
      sinkFailed(s, error, 0);
    }
  }
  drain(s);
  updateRecording(s);
}

export function getSink(): Sink | null {
  return state.sink;
}
