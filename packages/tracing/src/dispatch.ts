/**
 * Blocks on their way from the thread's buffer to the sink: sealing full blocks, the bounded
 * queue in front of a slow sink, drop and error accounting, flushing and shutdown.
 */
import { now } from "./clock.js";
import { MAX_RECORD_SLOTS, type EventBlock } from "./events.js";
import { countEvents } from "./decode.js";
import { parseLevel } from "./levels.js";
import { openSpans } from "./open.js";
import { demotedSites, scanSealed, setDemotion, type DemoteOptions } from "./demote.js";
import type { RuntimeReport, Sink } from "./sinks/sink.js";
import { refreshPlainAsync, state, type RuntimeState } from "./state.js";
import { refreshGates } from "./gates.js";

/** Seals the current block, hands it on, and starts a fresh one; returns the new position (0). */
export function rotate(): number {
  seal(state);
  return 0;
}

function seal(s: RuntimeState): void {
  if (s.position === 0) return;
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
  // The sealed buffer now belongs to the block; the writer must not touch it again.
  s.buffer = s.spare.pop() ?? new Float64Array(s.blockSlots);
  s.position = 0;
  s.leafAt = -1;
  submit(block);
}

/** Spare buffers kept at most: enough for a sink that recycles as it goes. */
const MAX_SPARE = 4;

/**
 * A sink that is done with a block (it wrote it out, or drops it) hands its buffer back, so the
 * next block reuses it instead of allocating 128 KiB that the garbage collector must then find:
 * with a sink that keeps up, recording allocates nothing at all. A sink that keeps blocks must
 * not call this. Buffers of another size (changed `blockSlots`) are let go.
 */
export function recycle(block: EventBlock): void {
  recycleBuffer(block.data);
}

/** `recycle` for a buffer that came back on its own (from a writer thread, say). */
export function recycleBuffer(data: Float64Array): void {
  const s = state;
  if (shared.has(data)) return;
  if (data.length !== s.blockSlots || s.spare.length >= MAX_SPARE || data === s.buffer || s.spare.includes(data)) return;
  s.spare.push(data);
}

const shared = new WeakSet<Float64Array>();

/**
 * Marks a block whose buffer more than one sink reads (`TeeSink`): one of them being done with
 * it must not let the next block overwrite what another still holds.
 */
export function share(block: EventBlock): void {
  shared.add(block.data);
}

/** Whether sinks other than the caller may still read this block's buffer (`share`). */
export function isShared(block: EventBlock): boolean {
  return shared.has(block.data);
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

function sinkFailed(s: RuntimeState, error: unknown, events: number): void {
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

function updateRecording(s: RuntimeState): void {
  // Room for one more block beside those queued and those a sink holds; ends of recorded spans
  // are written regardless.
  const held = s.sink?.heldBytes?.() ?? 0;
  s.recording = s.enabled && s.pendingBytes + held + s.blockSlots * 8 <= s.maxBufferedBytes;
  refreshPlainAsync(s);
}

/** Hands everything recorded so far to the sink, synchronously where the sink is. */
export function flush(): void {
  const s = state;
  seal(s);
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

export interface RuntimeOptions {
  /** Master switch; when off, instrumented code costs one branch per call. */
  enabled?: boolean;
  /** Spans above this level (e.g. "debug" when set to "info") are not recorded. */
  maxLevel?: number | string;
  /** Cap on events waiting for a slow sink; beyond it new spans are dropped and counted. */
  maxBufferedBytes?: number;
  /** Events per block, in 8-byte slots. */
  blockSlots?: number;
  sink?: Sink | null;
  /** Where the runtime's own warnings go (default `console.warn`). */
  warn?: (message: string) => void;
  /**
   * Hot, consistently tiny sync functions become call counters (demote.ts): `false` turns it off,
   * `{ after, belowNs, maxShare }` tunes it (default: 99% of 200 calls under 1000 ns, or 200 calls
   * so close together that their spans would take more than 5% of the time).
   */
  demote?: boolean | DemoteOptions;
}

export function configure(options: RuntimeOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`spanfn: configure() takes an options object; got ${String(options)}`);
  }
  const s = state;
  const known = new Set(["enabled", "maxLevel", "maxBufferedBytes", "blockSlots", "sink", "warn", "demote"]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new TypeError(`spanfn: unknown runtime option "${key}"; known: ${[...known].join(", ")}`);
    }
  }
  if (options.enabled !== undefined) {
    if (typeof options.enabled !== "boolean") throw optionError("enabled", "true or false", options.enabled);
    s.enabled = options.enabled;
  }
  if (options.maxLevel !== undefined) s.maxLevel = parseLevel(options.maxLevel, "maxLevel");
  if (options.enabled !== undefined || options.maxLevel !== undefined) refreshGates(s);
  if (options.maxBufferedBytes !== undefined) {
    if (!isPositiveInteger(options.maxBufferedBytes)) {
      throw optionError("maxBufferedBytes", "a positive integer", options.maxBufferedBytes);
    }
    s.maxBufferedBytes = options.maxBufferedBytes;
  }
  if (options.blockSlots !== undefined) {
    if (!isPositiveInteger(options.blockSlots) || options.blockSlots < MAX_RECORD_SLOTS * 4) {
      throw optionError("blockSlots", `an integer >= ${MAX_RECORD_SLOTS * 4}`, options.blockSlots);
    }
    seal(s);
    s.blockSlots = options.blockSlots;
    s.fullBlockSlots = options.blockSlots;
    s.buffer = new Float64Array(s.blockSlots);
    s.spare.length = 0;
  }
  if (options.warn !== undefined) {
    if (typeof options.warn !== "function") throw optionError("warn", "a function", options.warn);
    s.warn = options.warn;
  }
  if (options.demote !== undefined) setDemotion(s, parseDemote(options.demote));
  if (options.sink !== undefined) setSink(options.sink);
  updateRecording(s);
}

function parseDemote(value: unknown): boolean | DemoteOptions {
  if (typeof value === "boolean") return value;
  const expected = "true, false or { after?: a positive integer, belowNs?: a positive number, maxShare?: a number in (0, 1] }";
  if (value === null || typeof value !== "object") throw optionError("demote", expected, value);
  const { after, belowNs, maxShare, ...rest } = value as DemoteOptions;
  if (Object.keys(rest).length > 0) throw optionError("demote", expected, value);
  if (after !== undefined && !isPositiveInteger(after)) throw optionError("demote.after", "a positive integer", after);
  if (belowNs !== undefined && !(typeof belowNs === "number" && belowNs > 0 && Number.isFinite(belowNs))) {
    throw optionError("demote.belowNs", "a positive number of nanoseconds", belowNs);
  }
  if (maxShare !== undefined && !(typeof maxShare === "number" && maxShare > 0 && maxShare <= 1)) {
    throw optionError("demote.maxShare", "a number greater than 0 and at most 1", maxShare);
  }
  return { after, belowNs, maxShare };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

function optionError(name: string, expected: string, got: unknown): TypeError {
  return new TypeError(`spanfn: option "${name}" must be ${expected}; got ${JSON.stringify(got)}`);
}

/** Counters and open spans, as of now (flushes first so the count covers everything). */
export function report(atExit = false): RuntimeReport {
  flush();
  const s = state;
  return {
    droppedSpans: s.droppedSpans,
    lostEvents: s.lostEvents,
    lostEnds: s.lostEnds,
    earlySpans: s.earlySpans,
    sinkErrors: s.sinkErrors,
    unfinished: openSpans(),
    promiseReturningSync: [...s.promiseReturningSync].map((id) => {
      const meta = s.metadata[id];
      return { name: meta?.name ?? `#${id}`, file: meta?.file ?? "", line: meta?.line ?? 0 };
    }),
    atExit,
    demoted: [...demotedSites(s).map((site) => ({ ...site, thread: s.thread })), ...[...s.foreignDemoted.values()].flat()],
    at: now(),
    clock: s.clock,
  };
}

/**
 * Flushes and lets the sink finish (its `shutdown` gets the report). Synchronous sinks finish
 * before this returns, so it is safe in a process `exit` handler (pass `atExit` there, so an
 * asynchronous sink knows to do its last work synchronously). Idempotent per sink.
 */
export function shutdown(atExit = false): RuntimeReport {
  const result = report(atExit);
  const s = state;
  const sink = s.sink;
  if (sink !== null && typeof sink.shutdown === "function") {
    s.sink = null;
    try {
      const done = sink.shutdown(result);
      if (done !== undefined && typeof done.then === "function") {
        done.then(undefined, (error: unknown) => sinkFailed(s, error, 0));
      }
    } catch (error) {
      sinkFailed(s, error, 0);
    }
  }
  return result;
}

let interval: ReturnType<typeof setInterval> | null = null;

/** Flushes every `ms` milliseconds (0 stops); the timer never keeps a Node process alive. */
export function setFlushInterval(ms: number): void {
  if (interval !== null) clearInterval(interval);
  interval = null;
  if (ms === 0) return;
  if (!isPositiveInteger(ms)) throw optionError("flush interval", "a positive integer of milliseconds or 0", ms);
  interval = setInterval(flush, ms);
  const timer = interval as { unref?: () => void };
  if (typeof timer.unref === "function") timer.unref();
}
