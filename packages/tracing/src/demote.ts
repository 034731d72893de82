/**
 * Demotion of hot, consistently tiny functions. In all-mode a real program makes millions of
 * calls to functions that run for a few dozen nanoseconds, and a span (two clock reads) costs
 * more than they do. Each sealed block is scanned, off the hot path, pairing thread begins with
 * their ends; a site whose last `after` recorded calls nearly all (all but 1%) took less than
 * `belowNs` stops recording spans and becomes a counter: `begin` finds it past every level
 * (DEMOTED), counts the call and returns a token that encodes the site, so the count stays exact.
 * A site that ever returned a promise (settle.ts) is never demoted. Reports name the demoted
 * sites with their counts.
 *
 * Many sites each a little slower than `belowNs` cost as much together: while a thread's spans
 * cost more than `maxShare` of its time, a bar rises (doubling at each seal) and a site whose
 * calls are mostly under it is demoted as well; the bar falls back once the spans are cheap again.
 *
 * A call is judged by its time without the calls of the same site nested in it (recursion),
 * less an estimate of what recording each of those cost it: a recursive function's calls
 * include their descendants' spans, so its own work would otherwise look long however little it
 * is. Calls of other sites stay in: a function that hands its work to others (a dispatcher, a
 * wrapper) spends that time on its caller's behalf, and its span is cheap beside theirs. A
 * site demoted while it recursed keeps recording its outermost calls (not inside a call of the
 * same site): the recursion shows as one span, its inner calls are counted. If those outermost
 * calls too turn out nearly all tiny, the site counts them as well.
 */
import { EventKind, KIND_BITS } from "./events.js";
// Types only: state.ts creates the demotion state with this module's createDemotion.
import type { RuntimeState } from "./state.js";
import { gatedCalls, refreshGate } from "./gates.js";
import { now } from "./clock.js";

/** The level of a demoted site: above every `maxLevel`, so `begin` refuses it on its usual test. */
export const DEMOTED = 255;

/** `begin`'s token for a call of demoted site `id`: below NOT_RECORDED (-1), and reversible. */
export const demotedToken = (id: number): number => -2 - id;

export const DEFAULT_DEMOTE_AFTER = 200;
export const DEFAULT_DEMOTE_BELOW_NS = 1000;
export const DEFAULT_DEMOTE_MAX_SHARE = 0.05;

export interface DemoteOptions {
  /** Calls judged at a time (the window); a site is demoted after this many recorded calls at least. */
  after?: number;
  /**
   * What counts as tiny: a recorded call shorter than this many nanoseconds, calls of other
   * functions included, nested calls of the same function (recursion) not.
   */
  belowNs?: number;
  /**
   * The most a thread's spans may cost of its time, estimated at two clock reads a span. Past
   * it, the bar rises: a site whose calls are mostly (half of a window) shorter than the bar is
   * demoted too, the bar doubling while the thread's spans still cost more than this.
   */
  maxShare?: number;
}

/** Per-site counters, grown with the metadata table; typed arrays so the scan allocates nothing. */
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
  /** The tick of the last seal, and the spans recorded since: the thread's recent span rate. */
  lastSeal: number;
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
  /** 1: a recorded outermost call of the site is open on this thread (spans.ts). */
  inside: Uint8Array;
  /**
   * In ticks: what recording a nested call adds to its caller outside the nested span's own
   * time, estimated low as the least time one clock read was measured to take; -1 until measured.
   */
  nestedCost: number;
  /** Demoted sites, in the order they were demoted. */
  sites: number[];
  /**
   * Open thread begins carried from one block to the next. Kept whether or not demotion is on:
   * it is the thread's record of its open spans as of the last sealed block.
   */
  stack: ThreadStack;
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

export function copyStack(stack: ThreadStack): ThreadStack {
  return {
    sites: stack.sites.slice(),
    ticks: stack.ticks.slice(),
    nested: stack.nested.slice(),
    enclosing: stack.enclosing.slice(),
    innermost: stack.innermost.slice(),
    depth: stack.depth,
  };
}

/** Empties the stack (its per-site entries too). */
function clearStack(stack: ThreadStack): void {
  for (let i = 0; i < stack.depth; i++) stack.innermost[stack.sites[i]] = -1;
  stack.depth = 0;
}

export function createDemotion(): DemotionState {
  return {
    after: DEFAULT_DEMOTE_AFTER,
    below: DEFAULT_DEMOTE_BELOW_NS / 1e6,
    maxShare: DEFAULT_DEMOTE_MAX_SHARE,
    window: new Uint32Array(256),
    long: new Uint32Array(256),
    short: new Uint32Array(256),
    bar: DEFAULT_DEMOTE_BELOW_NS / 1e6,
    lastSeal: -1,
    counted: new Float64Array(256),
    gatedBefore: new Float64Array(256),
    outermost: new Uint32Array(256),
    recorded: new Float64Array(256),
    keepsOutermost: new Uint8Array(256),
    inside: new Uint8Array(256),
    nestedCost: -1,
    sites: [],
    stack: createStack(),
  };
}

/** Sets the window and threshold; `false` turns demotion off (sites already demoted stay so). */
export function setDemotion(s: RuntimeState, options: DemoteOptions | boolean): void {
  const d = s.demotion;
  if (options === false) {
    d.below = 0;
    d.bar = 0;
    return;
  }
  const { after = DEFAULT_DEMOTE_AFTER, belowNs = DEFAULT_DEMOTE_BELOW_NS, maxShare = DEFAULT_DEMOTE_MAX_SHARE } = options === true ? {} : options;
  d.after = after;
  d.below = belowNs / 1e6;
  d.bar = d.below;
  d.maxShare = maxShare;
}

function grown<T extends Uint8Array | Uint32Array | Float64Array | Int32Array>(array: T, size: number, fill = 0): T {
  if (size <= array.length) return array;
  let length = array.length;
  while (length < size) length *= 2;
  const copy = new (array.constructor as new (n: number) => T)(length);
  if (fill !== 0) copy.fill(fill);
  copy.set(array);
  return copy;
}

/** Whether a demoted site's next call records a span: it keeps its outermost calls and none is open. */
export function recordsOutermost(s: RuntimeState, site: number): boolean {
  const d = s.demotion;
  return d.keepsOutermost[site] === 1 && d.inside[site] === 0 && s.enabled && (s.metadata[site]?.level ?? Infinity) <= s.maxLevel;
}

/**
 * The least time one clock read takes, over a few back to back: a low estimate of what recording
 * a span adds to its caller beyond the span's own time (it adds a read, and bookkeeping).
 */
function clockReadTicks(): number {
  const reads = 8;
  const first = now();
  let last = first;
  for (let i = 0; i < reads; i++) last = now();
  return (last - first) / reads;
}

/**
 * Reads a block about to be sealed: follows the thread's stack of open spans through it (the
 * hot path keeps only the depth; reports name open spans from this stack, open.ts) and, when
 * demotion is on, demotes the sites it finds hot and tiny.
 */
export function scanSealed(s: RuntimeState, data: Float64Array, length: number): void {
  const d = s.demotion;
  // Demoted sites' recorded outermost calls are counted even with demotion off.
  const judging = d.below !== 0 || d.sites.length !== 0;
  // With nothing to judge and no thread span open at the seal, the stack is empty, whatever the
  // block holds (the writers seal before they write, so the depth is that of the block's end).
  if (!judging && s.depth === 0) clearStack(d.stack);
  else {
    if (judging) {
      // Measured again at each seal: the least is the read once compiled, on a quiet moment.
      const read = clockReadTicks();
      if (d.nestedCost < 0 || read < d.nestedCost) d.nestedCost = read;
    }
    followStack(s, d.stack, data, length, judging);
  }
}

/** Replays the thread records of `data[0, length)` onto `stack`, judging each span that ends there when `judging`. */
export function followStack(s: RuntimeState, stack: ThreadStack, data: Float64Array, length: number, judging: boolean): void {
  const d = s.demotion;
  const sites = s.metadata.length;
  if (judging && d.window.length < sites) {
    d.window = grown(d.window, sites);
    d.long = grown(d.long, sites);
    d.short = grown(d.short, sites);
    d.outermost = grown(d.outermost, sites);
    d.counted = grown(d.counted, sites);
    d.gatedBefore = grown(d.gatedBefore, sites);
    d.recorded = grown(d.recorded, sites);
    d.keepsOutermost = grown(d.keepsOutermost, sites);
    d.inside = grown(d.inside, sites);
  }
  if (stack.innermost.length < sites) stack.innermost = grown(stack.innermost, sites, -1);
  // Runs over every record of every block: the arrays are held in locals (a demotion replaces
  // none of them), and each kind's size is spelled out (events.ts RECORD_SLOTS).
  const { window, long, short, outermost, recorded, after, below, bar } = d;
  const nestedCost = d.nestedCost > 0 ? d.nestedCost : 0;
  let judged = 0;
  const innermost = stack.innermost;
  let stackSites = stack.sites;
  let stackTicks = stack.ticks;
  let stackNested = stack.nested;
  let stackEnclosing = stack.enclosing;
  let depth = stack.depth;
  for (let i = 0; i < length; ) {
    // Heads are integers far below 2^31: integer ops, where `%` on a double would call fmod.
    const head = data[i] | 0;
    const kind = head & (KIND_BITS - 1);
    let site = -1;
    let ticks = 0;
    // The ticks of the span's own site nested in it, and the span of the same site around it.
    let nested = 0;
    let enclosing = -1;
    if (kind === EventKind.threadComplete) {
      site = head >>> 3;
      ticks = data[i + 2] - data[i + 1];
      enclosing = innermost[site];
      i += 3;
    } else if (kind === EventKind.threadBegin || kind === EventKind.threadBeginInside) {
      if (depth === stackSites.length) {
        stack.sites = stackSites = grown(stackSites, depth + 1);
        stack.ticks = stackTicks = grown(stackTicks, depth + 1);
        stack.nested = stackNested = grown(stackNested, depth + 1);
        stack.enclosing = stackEnclosing = grown(stackEnclosing, depth + 1);
      }
      const begun = head >>> 3;
      stackSites[depth] = begun;
      stackTicks[depth] = data[i + 1];
      stackNested[depth] = 0;
      stackEnclosing[depth] = innermost[begun];
      innermost[begun] = depth;
      depth++;
      i += kind === EventKind.threadBegin ? 2 : 3;
    } else if (kind === EventKind.threadEnd) {
      if (depth > 0) {
        depth--;
        site = stackSites[depth];
        ticks = data[i + 1] - stackTicks[depth];
        nested = stackNested[depth];
        enclosing = stackEnclosing[depth];
        innermost[site] = enclosing;
      }
      i += 2;
    } else i += kind === EventKind.asyncBegin ? 5 : 3;
    if (site < 0) continue;
    // Recursion: this call's time is its caller's nested time, left out of what judges the caller.
    if (enclosing >= 0) stackNested[enclosing] += ticks + nestedCost;
    if (!judging) continue;
    // One recorded call of `site` that took `ticks`, `nested` of them in calls of itself; at the
    // end of a window, decide.
    recorded[site]++;
    const demoted = s.levels[site] === DEMOTED;
    // A demoted site that keeps its outermost calls has those judged, by all they took: since
    // its demotion a span of it covers its whole recursion. Calls before it (later in the block
    // that demoted it) are judged the same way.
    if (demoted && (d.keepsOutermost[site] !== 1 || enclosing >= 0)) continue;
    const own = demoted ? ticks : ticks - nested;
    if (own >= below) long[site]++;
    if (own < bar) short[site]++;
    if (enclosing < 0) outermost[site]++;
    judged++;
    if (++window[site] >= after) {
      // Nearly every call tiny, or (while the thread's spans cost too much) most calls under the bar.
      const tiny = long[site] * 100 <= window[site] || (bar > below && short[site] * 2 >= window[site]);
      if (tiny && !s.promiseReturningSync.has(site)) {
        // A site whose calls were nearly all inside calls of itself keeps its outermost calls.
        if (!demoted) demote(s, site, outermost[site] * OUTERMOST_SHARE <= window[site]);
        else countOutermost(s, site);
      }
      window[site] = 0;
      long[site] = 0;
      short[site] = 0;
      outermost[site] = 0;
    }
  }
  stack.depth = depth;
  if (judging) moveBar(d, judged);
}

/** What a span costs the program, in clock reads: its two, the least it costs (a low estimate, so the bar rises only when spans are surely too dense). */
const SPAN_COST_READS = 2;
/** The bar rises no higher than this many times `below`. */
const MAX_BAR_RISE = 1024;

/**
 * Doubles the bar while the spans judged since the last seal cost more than `maxShare` of the
 * time since, and halves it back toward `below` once they cost well under it (a busy phase ends).
 */
function moveBar(d: DemotionState, judged: number): void {
  const at = now();
  const since = at - d.lastSeal;
  const first = d.lastSeal < 0;
  d.lastSeal = at;
  if (first || d.maxShare >= 1) return;
  const cost = judged * SPAN_COST_READS * d.nestedCost;
  if (cost > d.maxShare * since) d.bar = Math.min(d.bar * 2, d.below * MAX_BAR_RISE);
  else if (cost * 4 < d.maxShare * since) d.bar = Math.max(d.bar / 2, d.below);
}

/**
 * A recursive site keeps recording its outermost calls only when they are this rare (one in
 * so many of its calls): else recording them would keep much of what demotion is for.
 */
const OUTERMOST_SHARE = 8;

function demote(s: RuntimeState, site: number, keepsOutermost: boolean): void {
  s.levels[site] = DEMOTED;
  s.demotion.gatedBefore[site] = gatedCalls(s, site);
  s.demotion.keepsOutermost[site] = keepsOutermost ? 1 : 0;
  refreshGate(s, site);
  s.demotion.sites.push(site);
}

/** A demoted site whose outermost calls were nearly all tiny too: it counts every call. */
function countOutermost(s: RuntimeState, site: number): void {
  s.demotion.keepsOutermost[site] = 0;
  refreshGate(s, site);
}

/** A recorded outermost call of a demoted site began: calls inside it are counted (spans.ts). */
export function enterOutermost(s: RuntimeState, site: number): void {
  s.demotion.inside[site] = 1;
  refreshGate(s, site);
}

/** That call ended: the site's next call records again. */
export function leaveOutermost(s: RuntimeState, site: number): void {
  s.demotion.inside[site] = 0;
  refreshGate(s, site);
}

/** A demoted site as reports show it. */
export interface DemotedSite {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** Calls counted since demotion (not recorded as spans). */
  readonly calls: number;
  /** Spans recorded: before demotion, and outermost calls since (a recursive site). Calls plus these are every call. */
  readonly recorded: number;
}

export function demotedSites(s: RuntimeState): DemotedSite[] {
  const d = s.demotion;
  return d.sites.map((site) => {
    const meta = s.metadata[site];
    return { name: meta?.name ?? `#${site}`, file: meta?.file ?? "", line: meta?.line ?? 0, calls: (d.counted[site] ?? 0) + gatedCalls(s, site) - (d.gatedBefore[site] ?? 0), recorded: d.recorded[site] ?? 0 };
  });
}
