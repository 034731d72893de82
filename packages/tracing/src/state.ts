/**
 * All mutable runtime state of a thread, in one object shared through `globalThis`. The ESM and
 * CommonJS builds (and a second copy of the package) therefore record into the same stream, agree
 * on the current span, and share their timers, hooks and tables, instead of splitting a trace in
 * two. No module of the runtime keeps state of its own.
 */
import { clockInfo, type ClockInfo } from "./clock.js";
import type { DemotedSite, EventBlock, OpenSpan, RuntimeReport, Sink, SpanMetadata, ThreadInfo } from "./events.js";
import { Handle, Row } from "./layout.js";

/**
 * An async span in flight, as generated code holds it between begin, awaits and end: a number.
 * At least 0, it is the span's row among the open async spans; "not recorded" (layout.ts
 * `Handle`) for a span that is not recorded; below that, a stand-in for another span (`adopt`).
 * No object is allocated for a span: allocating one (and the stores into it) was most of what an
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
 * promise behaves (settled.ts). Replaceable: Node installs an exact observer.
 */
export type SettlementObserver = (promise: Promise<unknown>, span: AsyncSpan, id: number) => void;

/**
 * What a module's generated code hands `registerSpans`: returns the word of its site `index`
 * (layout.ts `Word`, a module-level variable per site; undefined for a site that has none), and
 * with `reset`, sets it back to `Word.ask`.
 */
export type SiteWords = (index: number, reset: boolean) => number | undefined;

/** A module's registration: how its generated code decides, inline, whether to record (gates.ts). */
export interface SiteTable {
  /** Metadata id of the module's first site. */
  readonly first: number;
  /**
   * Site `first + i`: open records, count counts its calls instead, shut does neither,
   * outermost calls `beginOutermost` (gates.ts `Gate`).
   */
  readonly gates: Uint8Array;
  /**
   * Counted calls of site `first + i`: while its gate counts, or what its word counted until it
   * was set back to asking.
   */
  readonly calls: Float64Array;
  /**
   * Its generated code knows the outermost gate (it said so when it asked for the gates); code
   * from an older plugin would take it for shut and lose the call, so it gets the counting gate.
   */
  outermostGate: boolean;
  /**
   * The module's words, where its code keeps them (code from older plugins reads the gates and
   * counters above instead), and what they held when last read: `Word.ask` or a count.
   */
  readonly words: SiteWords | null;
  readonly wordValues: Float64Array;
}

/** Open thread spans, outermost first: their sites and begin ticks; `depth` of them in use. */
export interface ThreadStack {
  sites: Int32Array;
  ticks: Float64Array;
  /** Per span: ticks of the calls of its own site nested in it (and their recording), to leave out. */
  nested: Float64Array;
  /** Per span: the index of the innermost span of the same site around it, or -1. */
  enclosing: Int32Array;
  /** Per site: the index of its innermost open span, or -1. */
  innermost: Int32Array;
  depth: number;
}

/** Per-site counters of demotion (demote.ts), grown with the metadata table; typed arrays so the scan allocates nothing. */
export interface DemotionState {
  after: number;
  /** In ticks (milliseconds). 0: demotion is off. */
  below: number;
  maxShare: number;
  /** Recorded calls in the current window, and how many of them were not tiny. */
  window: Uint32Array;
  long: Uint32Array;
  /** Recorded calls in the current window shorter than `bar`. */
  short: Uint32Array;
  /** In ticks: at least `below`, raised while the thread's spans cost more than `maxShare` of its time. */
  bar: number;
  /** The tick of the last seal, and the calls judged since: the thread's recent span rate. */
  lastSeal: number;
  judged: number;
  /** Calls of a demoted site since its demotion; exact. */
  counted: Float64Array;
  /** Its gated calls (gates.ts) when it was demoted: those counted since are the rest. */
  gatedBefore: Float64Array;
  /** Recorded calls in the current window that were not inside a call of the same site. */
  outermost: Uint32Array;
  /** Spans a site recorded (those the scan saw): before it was demoted, and its outermost calls since. */
  recorded: Float64Array;
  /** 1: the site was demoted while it recursed, and its outermost calls still record spans. */
  keepsOutermost: Uint8Array;
  /** 1: a recorded outermost call of the site is open on this thread (thread-spans.ts). */
  inside: Uint8Array;
  /**
   * In ticks: what recording a nested call adds to its caller outside the nested span's own
   * time, estimated low as the least time one clock read was measured to take; -1 until measured.
   */
  nestedCost: number;
  /** Demoted sites, in the order they were demoted. */
  sites: number[];
  /** Sites an earlier run demoted, by `learnedKey`: demoted as they register; the value is `keepsOutermost`. */
  learned: Map<string, boolean>;
  /** The sites demoted as they registered, from `learned`. */
  learnedSites: Set<number>;
}

export type PromiseState = "pending" | "rejected" | "fulfilled";

/** Exact settlement under Node (node/settlement.ts): promises tracked until they settle. */
export interface SettlementTracking {
  /**
   * A promise passed up through several instrumented functions ends each of their spans: pairs
   * of a span's handle and id, so a span that ended meanwhile is left alone.
   */
  readonly tracked: WeakMap<Promise<unknown>, number[]>;
  /** Tracked promises not yet settled nor collected: the hook stays while there are any. */
  pending: number;
  /** Removes the promise hook; null while none is registered. */
  stop: (() => void) | null;
  /** Reads a promise's state; chosen once (`readerChosen`). */
  stateOf: (promise: Promise<unknown>) => PromiseState;
  readerChosen: boolean;
  /** A tracked promise collected unsettled no longer holds the hook on. */
  readonly collected: FinalizationRegistry<null>;
  /** Promises the hook saw settle, and when: their outcomes are read at the next check. */
  settling: Promise<unknown>[];
  settlingTicks: number[];
  /** Promises tracked since the last check, and the ticks they were returned at. */
  fresh: Promise<unknown>[];
  freshTicks: number[];
  checkQueued: boolean;
  idleTimer: ReturnType<typeof setTimeout> | null;
  /** The promise hook, and the check it queues. */
  readonly onSettled: (promise: Promise<unknown>) => void;
  readonly check: () => void;
}

export interface ExitHooks {
  installed: boolean;
  done: boolean;
  onReport: ((report: RuntimeReport) => void) | null;
  readonly finish: () => void;
  readonly onSignal: (signal: NodeJS.Signals) => void;
}

/** What the Node entry (node/) set up in this thread, once however many copies load. */
export interface NodeSetup {
  /** The thread's id and name are known (node/thread.ts). */
  identified: boolean;
  /** The AsyncLocalStorage of the propagation mode (node/async-context.ts), or null. */
  asyncStorage: { disable(): void } | null;
  /** Exit hooks (node/exit.ts): the listeners themselves, so any copy can remove them. */
  exitHooks: ExitHooks | null;
  /** The channel the main thread takes workers' blocks from (node/worker.ts), or null. */
  receiver: { close(): void } | null;
  /** Whether a worker's block reached the receiver (so the workers' functions were instrumented). */
  workerBlocks: boolean;
  settlement: SettlementTracking | null;
  /** Whether this thread records the workers it creates (node/worker-links.ts). */
  workerLinks: boolean;
  /** Set while spanfn starts a thread of its own (the trace writer): no program's worker to record. */
  startingOwnThread: boolean;
}

export interface RuntimeState {
  readonly version: string;
  /** Records begin events: enabled and under the memory cap. Read on every call. */
  recording: boolean;
  enabled: boolean;
  maxLevel: number;
  /** Per site: its level, or a reserved level (layout.ts `ReservedLevel`). */
  levels: Uint8Array;
  metadata: SpanMetadata[];
  siteTables: SiteTable[];

  buffer: Float64Array;
  /** Buffers of blocks sinks are done with (`recycle`), reused by the next seal. */
  spare: Float64Array[];
  /** Buffers more than one sink reads (`share`): never recycled. */
  shared: WeakSet<Float64Array>;
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
  flushTimer: ReturnType<typeof setInterval> | null;

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
  /** Open async spans: rows laid out as layout.ts `Row` says, a span's handle its row. */
  asyncRows: Float64Array;
  /** Rows ever used (the high-water mark); rows below it with id 0 are free. */
  asyncUsed: number;
  asyncFree: Int32Array;
  asyncFreeCount: number;
  nextSpanId: number;
  /** The thread's first span id (layout.ts `SpanIds`): stand-ins encode ids relative to it. */
  spanIdBase: number;
  contextHook: ContextHook | null;
  /** In the AsyncLocalStorage mode: what was current when each span (by handle) was last entered, restored when it leaves. */
  hookedPrevious: Map<AsyncSpan, CurrentContext>;
  /**
   * Async spans take their plain path: recording, no context hook, no root link. One test
   * instead of three keeps `beginAsync` small enough to inline; `refreshPlainAsync` keeps it
   * true to the three.
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
  /** Sites of functions compiled as sync that returned a promise, noted once each. */
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
  /** Thread span ends a throw past the stack limit kept from being written (thread-spans.ts `end`). */
  lostEnds: number;
  /** Calls of instrumented functions that ran before their module had registered its spans. */
  earlySpans: number;
  sinkErrors: number;
  firstSinkError: unknown;
  /** Open thread spans (which ones: `threadStack`). */
  depth: number;
  /**
   * The thread's open thread spans as of the last sealed block (thread-stack.ts): the hot path
   * keeps only the depth, and the seal scan follows the records.
   */
  threadStack: ThreadStack;
  /** Spans other threads left open when they exited, by thread id. */
  foreignOpen: Map<number, OpenSpan[]>;
  /** Hot, tiny sites that count calls instead of recording spans (demote.ts). */
  demotion: DemotionState;
  /** What other threads demoted, reported when they exited, by thread id. */
  foreignDemoted: Map<number, readonly (DemotedSite & { readonly thread: ThreadInfo })[]>;
  node: NodeSetup;
  warn: (message: string) => void;
}

export const VERSION = "0.1.0";
/**
 * Copies of the runtime share state under this key only if they agree on its shape: the key
 * names the shape, and changes whenever a field changes meaning (v1: the current span as
 * numbers, open async spans as a table, per-module gates; v2: async spans as rows and the
 * current span as a stack, `plainAsync`, and open thread spans known from the seal scan; v3:
 * demotion that judges calls without their recursion and keeps recursive sites' outermost calls;
 * v4: a thread's first blocks small, `fullBlockSlots` the size they grow to; v5: every piece of
 * state in the object, the thread stack beside demotion, stand-ins relative to `spanIdBase`; v6:
 * heads with four bits of kind, for worker-start records; v7: `node.workerBlocks`; v8: demotions
 * learned from an earlier run; v9: site words; v10: `node.startingOwnThread`).
 */
const KEY = Symbol.for("spanfn.runtime.v10");

export const DEFAULT_BLOCK_SLOTS = 1 << 14;
export const FIRST_BLOCK_SLOTS = 1 << 10;
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_DEMOTE_AFTER = 200;
export const DEFAULT_DEMOTE_BELOW_NS = 1000;
export const DEFAULT_DEMOTE_MAX_SHARE = 0.05;

/** The root, as the AsyncLocalStorage mode sees it when nothing is current. */
export const ROOT_CONTEXT: CurrentContext = { handle: Handle.notRecorded, id: 0, depth: 0, floor: 0 };

/** After `recording`, `contextHook` or `linkRoot` changed. */
export function refreshPlainAsync(s: RuntimeState): void {
  s.plainAsync = s.recording && s.contextHook === null && s.linkRoot === null;
}

export function createStack(): ThreadStack {
  return {
    sites: new Int32Array(256),
    ticks: new Float64Array(256),
    nested: new Float64Array(256),
    enclosing: new Int32Array(256),
    innermost: new Int32Array(256).fill(-1),
    depth: 0,
  };
}

function createDemotion(): DemotionState {
  return {
    after: DEFAULT_DEMOTE_AFTER,
    below: DEFAULT_DEMOTE_BELOW_NS / 1e6,
    maxShare: DEFAULT_DEMOTE_MAX_SHARE,
    window: new Uint32Array(256),
    long: new Uint32Array(256),
    short: new Uint32Array(256),
    bar: DEFAULT_DEMOTE_BELOW_NS / 1e6,
    lastSeal: -1,
    judged: 0,
    counted: new Float64Array(256),
    gatedBefore: new Float64Array(256),
    outermost: new Uint32Array(256),
    recorded: new Float64Array(256),
    keepsOutermost: new Uint8Array(256),
    inside: new Uint8Array(256),
    nestedCost: -1,
    sites: [],
    learned: new Map(),
    learnedSites: new Set(),
  };
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
    shared: new WeakSet(),
    position: 0,
    leafAt: -1,
    blockSlots: FIRST_BLOCK_SLOTS,
    fullBlockSlots: DEFAULT_BLOCK_SLOTS,
    sequence: 0,
    flushTimer: null,
    stackHandles: new Float64Array(64),
    stackFloors: new Int32Array(64),
    sp: 0,
    asyncRows: new Float64Array(64 * Row.size),
    asyncUsed: 0,
    asyncFree: new Int32Array(64),
    asyncFreeCount: 0,
    nextSpanId: 1,
    spanIdBase: 0,
    contextHook: null,
    hookedPrevious: new Map(),
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
    threadStack: createStack(),
    foreignOpen: new Map(),
    demotion: createDemotion(),
    foreignDemoted: new Map(),
    node: { identified: false, asyncStorage: null, exitHooks: null, receiver: null, workerBlocks: false, settlement: null, workerLinks: false, startingOwnThread: false },
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
