/**
 * All mutable runtime state of a thread, in one object shared through `globalThis`. The ESM and
 * CommonJS builds (and a second copy of the package) therefore record into the same stream and
 * agree on the current span, instead of splitting a trace in two.
 */
import { clockInfo, type ClockInfo } from "./clock.js";
import type { EventBlock, ThreadInfo } from "./events.js";
import type { SpanMetadata } from "./metadata.js";
import type { Sink } from "./sinks/sink.js";
import type { OpenSpan } from "./open.js";
import { createDemotion, type DemotedSite, type DemotionState } from "./demote.js";
import type { SiteTable } from "./gates.js";

/**
 * An async span in flight, as generated code holds it between begin, awaits and end: a number.
 * At least 0, it is the span's row among the open async spans (async-spans.ts); -1 stands for a
 * span that is not recorded; below -1, a stand-in for another span (`adopt`). No object is
 * allocated for a span: measured, allocating one (and the stores into it) was most of what an
 * async span cost beyond its two clock reads.
 */
export type AsyncSpan = number;

/** What the AsyncLocalStorage mode keeps as "current": a copy, valid after the span ended. */
export interface CurrentContext {
  readonly handle: AsyncSpan;
  readonly id: number;
  readonly depth: number;
  /** Thread-span depth when it became current: a thread span begun there is its child. */
  readonly floor: number;
}

/** Lets a propagation mode (AsyncLocalStorage) see and follow every change of current span. */
export interface ContextHook {
  get(): CurrentContext | undefined;
  set(context: CurrentContext): void;
}

/**
 * Ends `span` when a native promise returned to the caller settles, without changing how that
 * promise behaves (see settle.ts). Replaceable: Node installs an exact observer.
 */
export type SettlementObserver = (promise: Promise<unknown>, span: AsyncSpan, id: number) => void;

export interface RuntimeState {
  readonly version: string;
  /** Records begin events: enabled and under the memory cap. Read on every call. */
  recording: boolean;
  enabled: boolean;
  maxLevel: number;
  levels: Uint8Array;
  metadata: SpanMetadata[];
  /** Per-module gates and call counters that generated code reads inline (gates.ts). */
  siteTables: SiteTable[];

  buffer: Float64Array;
  /** Buffers of blocks sinks are done with (`recycle`), reused by the next seal. */
  spare: Float64Array[];
  position: number;
  /**
   * Where the last thread begin was written in `buffer`, or -1: if the next record is that span's
   * end, the two become one complete record. Reset whenever the buffer changes.
   */
  leafAt: number;
  /** Slots of the block being written; the hot path seals it when the next record would not fit. */
  blockSlots: number;
  /**
   * The block size asked for (`configure`). A thread's first blocks are smaller and double up to
   * it, so the first seal comes soon: demotion judges only sealed blocks, and until it does, a
   * hot tiny function records every call, with code not yet optimized.
   */
  fullBlockSlots: number;
  sequence: number;

  /**
   * The current span, as a stack: a span is pushed when it begins or resumes and popped when it
   * suspends or ends, which nests within every synchronous stretch of code, so each job starts
   * and ends at the root (empty). Per entry: the handle (the span's id and depth are in its row,
   * or in a stand-in's handle) and its floor (the thread-span depth when it became current).
   * Unused in the AsyncLocalStorage mode.
   */
  stackHandles: Float64Array;
  stackFloors: Int32Array;
  sp: number;
  /** Open async spans: rows of ASYNC_ROW numbers, a span's handle its row (async-spans.ts). */
  asyncRows: Float64Array;
  /** Rows ever used (the high-water mark); rows below it with id 0 are free. */
  asyncUsed: number;
  asyncFree: Int32Array;
  asyncFreeCount: number;
  nextSpanId: number;
  contextHook: ContextHook | null;
  /**
   * Async spans take their plain path: recording, no context hook, no root link. One test
   * instead of three keeps `beginAsync` small enough to inline (spans.ts); `refreshPlainAsync`
   * keeps it true to the three.
   */
  plainAsync: boolean;
  /**
   * Asked when a span begins with no spanfn parent: a positive number naming an outside context
   * (recorded negated as the parent id) or 0. Set by an exporter that joins another tracer's trace.
   */
  linkRoot: (() => number) | null;
  observeSettlement: SettlementObserver | null;
  /** Native promise (or subclass) test; Node's needs no prototype walk a proxy could trap. */
  isPromise: (value: object) => boolean;
  isProxy: (value: object) => boolean;
  /** Metadata ids of functions compiled as sync that returned a promise, noted once each. */
  promiseReturningSync: Set<number>;

  thread: ThreadInfo;
  clock: ClockInfo;
  processId: number;

  sink: Sink | null;
  sinkBusy: boolean;
  pending: EventBlock[];
  pendingBytes: number;
  maxBufferedBytes: number;

  /** Spans not recorded because the buffers were full. */
  droppedSpans: number;
  /** Events lost with blocks a sink failed to take. */
  lostEvents: number;
  /** Thread span ends a throw past the stack limit kept from being written (spans.ts `end`). */
  lostEnds: number;
  /** Calls of instrumented functions that ran before their module had registered its spans. */
  earlySpans: number;
  sinkErrors: number;
  firstSinkError: unknown;
  /** Open thread spans (which ones: the seal scan's stack, demote.ts). */
  depth: number;
  /** Spans other threads left open when they exited, by thread id. */
  foreignOpen: Map<number, OpenSpan[]>;
  /** Hot, tiny sites that count calls instead of recording spans (demote.ts). */
  demotion: DemotionState;
  /** What other threads demoted, reported when they exited, by thread id. */
  foreignDemoted: Map<number, readonly (DemotedSite & { readonly thread: ThreadInfo })[]>;
  warn: (message: string) => void;
}

export const VERSION = "0.1.0";
/**
 * Copies of the runtime share state under this key only if they agree on its shape: the key
 * names the shape, and changes whenever a field changes meaning (v1: the current span as
 * numbers, open async spans as a table, per-module gates; v2: async spans as rows and the
 * current span as a stack, `plainAsync`, and open thread spans known from the seal scan; v3:
 * demotion that judges calls without their recursion and keeps recursive sites' outermost calls;
 * v4: a thread's first blocks small, `fullBlockSlots` the size they grow to).
 */
const KEY = Symbol.for("spanfn.runtime.v4");

export const DEFAULT_BLOCK_SLOTS = 1 << 14;
export const FIRST_BLOCK_SLOTS = 1 << 10;
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Stands for a span that is not recorded (disabled, filtered, over the cap); it changes nothing. */
export const UNRECORDED: AsyncSpan = -1;

/**
 * A row of `asyncRows`: the span's id (0: the row is free), metadata id, parent id, depth, the
 * kind its end event will carry (fulfilled unless `fail` or a detached return changed it), and
 * flags (ROW_SETTLING: its end waits for a returned promise; ROW_CHAINED: the function made that
 * promise with a `then`/`catch` or the Promise constructor, whose handlers or resolving
 * functions will end it, chain.ts).
 */
export const ASYNC_ROW = 6;
export const ROW_ID = 0;
export const ROW_METADATA = 1;
export const ROW_PARENT = 2;
export const ROW_DEPTH = 3;
export const ROW_OUTCOME = 4;
export const ROW_FLAGS = 5;
export const ROW_SETTLING = 1;
export const ROW_CHAINED = 2;
/** The promise the function made settled before it returned: the span ends at the return. */
export const ROW_PRESETTLED = 4;
/** The promise the function made follows a foreign thenable: the settlement observer ends it. */
export const ROW_OBSERVED = 8;

/** The root, as the AsyncLocalStorage mode sees it when nothing is current. */
export const ROOT_CONTEXT: CurrentContext = { handle: UNRECORDED, id: 0, depth: 0, floor: 0 };

/** After `recording`, `contextHook` or `linkRoot` changed. */
export function refreshPlainAsync(s: RuntimeState): void {
  s.plainAsync = s.recording && s.contextHook === null && s.linkRoot === null;
}

function createState(): RuntimeState {
  return {
    version: VERSION,
    recording: true,
    enabled: true,
    maxLevel: 5,
    levels: new Uint8Array(256),
    metadata: [],
    siteTables: [],
    buffer: new Float64Array(FIRST_BLOCK_SLOTS),
    spare: [],
    position: 0,
    leafAt: -1,
    blockSlots: FIRST_BLOCK_SLOTS,
    fullBlockSlots: DEFAULT_BLOCK_SLOTS,
    sequence: 0,
    stackHandles: new Float64Array(64),
    stackFloors: new Int32Array(64),
    sp: 0,
    asyncRows: new Float64Array(64 * ASYNC_ROW),
    asyncUsed: 0,
    asyncFree: new Int32Array(64),
    asyncFreeCount: 0,
    nextSpanId: 1,
    contextHook: null,
    plainAsync: true,
    linkRoot: null,
    observeSettlement: null,
    isPromise: (value) => value instanceof Promise,
    isProxy: () => false,
    promiseReturningSync: new Set(),
    thread: { id: 0, name: "main" },
    clock: clockInfo(),
    processId: 0,
    sink: null,
    sinkBusy: false,
    pending: [],
    pendingBytes: 0,
    maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
    droppedSpans: 0,
    lostEvents: 0,
    lostEnds: 0,
    earlySpans: 0,
    sinkErrors: 0,
    firstSinkError: undefined,
    depth: 0,
    foreignOpen: new Map(),
    demotion: createDemotion(),
    foreignDemoted: new Map(),
    warn: (message) => console.warn(message),
  };
}

function attach(): RuntimeState {
  const holder = globalThis as unknown as Record<symbol, RuntimeState | undefined>;
  const existing = holder[KEY];
  if (existing !== undefined) {
    if (existing.version !== VERSION) {
      existing.warn(
        `spanfn: @spanfn/tracing ${VERSION} loaded beside ${existing.version}; both record through ${existing.version}. Deduplicate the package to silence this.`,
      );
    }
    return existing;
  }
  const created = createState();
  Object.defineProperty(holder, KEY, { value: created, enumerable: false });
  return created;
}

export const state: RuntimeState = attach();
