/**
 * All mutable runtime state of a thread, in one object shared through `globalThis`. The ESM and
 * CommonJS builds (and a second copy of the package) therefore record into the same stream and
 * agree on the current span, instead of splitting a trace in two.
 */
import { clockInfo, type ClockInfo } from "./clock.js";
import { EventKind, type EventBlock, type ThreadInfo } from "./events.js";
import type { SpanMetadata } from "./metadata.js";
import type { Sink } from "./sinks/sink.js";
import type { OpenSpan } from "./open.js";
import { OpenAsyncTable } from "./open-table.js";
import { createDemotion, type DemotedSite, type DemotionState } from "./demote.js";
import type { SiteTable } from "./gates.js";

/**
 * An async span in flight: what generated code holds between begin, awaits and end. Everything
 * the runtime stores about "current" outside it is numbers: storing a young object into the
 * long-lived state (or an array of open spans) costs a write barrier that, measured, was a third
 * of an async span's price.
 */
export class AsyncSpan {
  /** The kind its end event will carry; `fail` turns it to rejected. */
  outcome: number = EventKind.asyncFulfilled;
  ended = false;
  /** Its end waits for a returned promise to settle; the body's `finally` must not end it. */
  settling = false;
  /** What the function returned (settle.ts decides at its end whether that is a promise). */
  returned: unknown = undefined;
  /** Its row in the thread's table of open async spans (open.ts), -1 when it has none. */
  slot = -1;
  /** Thread-span depth when it last became current: a thread span begun there is its child. */
  floor = 0;
  /** What was current when it was last entered (id, depth, floor), restored when it suspends. */
  prevId = 0;
  prevDepth = 0;
  prevFloor = 0;
  /** The same as an object, in the AsyncLocalStorage mode only (the hook holds objects). */
  prev: AsyncSpan | null = null;
  constructor(
    readonly id: number,
    /** Its parent's id; 0 at the root. */
    readonly parent: number,
    readonly depth: number,
    readonly metadata: number,
  ) {}
}

/** Lets a propagation mode (AsyncLocalStorage) see and follow every change of current span. */
export interface ContextHook {
  get(): AsyncSpan | undefined;
  set(span: AsyncSpan): void;
}

/**
 * Ends `span` when a native promise returned to the caller settles, without changing how that
 * promise behaves (see settle.ts). Replaceable: Node installs an exact observer.
 */
export type SettlementObserver = (promise: Promise<unknown>, span: AsyncSpan) => void;

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
  blockSlots: number;
  sequence: number;

  /** The current span (0: the root), its depth, and its floor: numbers (see AsyncSpan). */
  currentId: number;
  currentDepth: number;
  floor: number;
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
  sinkErrors: number;
  firstSinkError: unknown;
  /** Metadata ids of the open thread spans, outermost first; `depth` of them are in use. */
  openThread: Int32Array;
  depth: number;
  /** Open async spans, as rows of numbers (open.ts). */
  openAsync: OpenAsyncTable;
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
 * numbers, open async spans as a table, per-module gates; v2: `plainAsync`).
 */
const KEY = Symbol.for("spanfn.runtime.v2");

export const DEFAULT_BLOCK_SLOTS = 1 << 14;
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/**
 * The root: current when no span is. Its id 0 is what a top-level span records as parent; the
 * same class as real spans keeps every access to the current span monomorphic.
 */
export const ROOT: AsyncSpan = new AsyncSpan(0, 0, 0, -1);

/**
 * Stands for a span that is not recorded (disabled, filtered, over the cap); it changes nothing.
 * It counts as ended, so `endAsync` needs one test for both.
 */
export const UNRECORDED: AsyncSpan = new AsyncSpan(0, 0, 0, -1);
UNRECORDED.ended = true;

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
    buffer: new Float64Array(DEFAULT_BLOCK_SLOTS),
    spare: [],
    position: 0,
    leafAt: -1,
    blockSlots: DEFAULT_BLOCK_SLOTS,
    sequence: 0,
    currentId: 0,
    currentDepth: 0,
    floor: 0,
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
    sinkErrors: 0,
    firstSinkError: undefined,
    openThread: new Int32Array(256),
    depth: 0,
    openAsync: new OpenAsyncTable(),
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
