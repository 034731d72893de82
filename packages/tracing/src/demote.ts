/**
 * Demotion of hot, consistently tiny functions. In all-mode a real program makes millions of
 * calls to functions that run for a few dozen nanoseconds, and a span (two clock reads) costs
 * more than they do. Each sealed block is scanned, off the hot path, pairing thread begins with
 * their ends; a site whose last `after` recorded calls nearly all (all but 1%) took less than
 * `belowNs` stops recording spans and becomes a counter: `begin` finds it past every level
 * (DEMOTED), counts the call and returns a token that encodes the site, so the count stays exact.
 * A site that ever returned a promise (settle.ts) is never demoted. Reports name the demoted
 * sites with their counts.
 */
import { EventKind, KIND_BITS } from "./events.js";
// Types only: state.ts creates the demotion state with this module's createDemotion.
import type { RuntimeState } from "./state.js";
import { gatedCalls, refreshGate } from "./gates.js";

/** The level of a demoted site: above every `maxLevel`, so `begin` refuses it on its usual test. */
export const DEMOTED = 255;

/** `begin`'s token for a call of demoted site `id`: below NOT_RECORDED (-1), and reversible. */
export const demotedToken = (id: number): number => -2 - id;

export const DEFAULT_DEMOTE_AFTER = 200;
export const DEFAULT_DEMOTE_BELOW_NS = 1000;

export interface DemoteOptions {
  /** Calls judged at a time (the window); a site is demoted after this many recorded calls at least. */
  after?: number;
  /** What counts as tiny: a recorded call shorter than this many nanoseconds, children included. */
  belowNs?: number;
}

/** Per-site counters, grown with the metadata table; typed arrays so the scan allocates nothing. */
export interface DemotionState {
  after: number;
  /** In ticks (milliseconds). 0: demotion is off. */
  below: number;
  /** Recorded calls in the current window, and how many of them were not tiny. */
  window: Uint32Array;
  long: Uint32Array;
  /** Calls of a demoted site since its demotion; exact. */
  counted: Float64Array;
  /** Its gated calls (gates.ts) when it was demoted: those counted since are the rest. */
  gatedBefore: Float64Array;
  /** Spans a site recorded before it was demoted (those the scan saw). */
  recorded: Float64Array;
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
  depth: number;
}

export function copyStack(stack: ThreadStack): ThreadStack {
  return { sites: stack.sites.slice(), ticks: stack.ticks.slice(), depth: stack.depth };
}

export function createDemotion(): DemotionState {
  return {
    after: DEFAULT_DEMOTE_AFTER,
    below: DEFAULT_DEMOTE_BELOW_NS / 1e6,
    window: new Uint32Array(256),
    long: new Uint32Array(256),
    counted: new Float64Array(256),
    gatedBefore: new Float64Array(256),
    recorded: new Float64Array(256),
    sites: [],
    stack: { sites: new Int32Array(256), ticks: new Float64Array(256), depth: 0 },
  };
}

/** Sets the window and threshold; `false` turns demotion off (sites already demoted stay so). */
export function setDemotion(s: RuntimeState, options: DemoteOptions | boolean): void {
  const d = s.demotion;
  if (options === false) {
    d.below = 0;
    return;
  }
  const { after = DEFAULT_DEMOTE_AFTER, belowNs = DEFAULT_DEMOTE_BELOW_NS } = options === true ? {} : options;
  d.after = after;
  d.below = belowNs / 1e6;
}

function grown<T extends Uint32Array | Float64Array | Int32Array>(array: T, size: number): T {
  if (size <= array.length) return array;
  let length = array.length;
  while (length < size) length *= 2;
  const copy = new (array.constructor as new (n: number) => T)(length);
  copy.set(array);
  return copy;
}

/**
 * Reads a block about to be sealed: follows the thread's stack of open spans through it (the
 * hot path keeps only the depth; reports name open spans from this stack, open.ts) and, when
 * demotion is on, demotes the sites it finds hot and tiny.
 */
export function scanSealed(s: RuntimeState, data: Float64Array, length: number): void {
  const d = s.demotion;
  // With nothing to judge and no thread span open at the seal, the stack is empty, whatever the
  // block holds (the writers seal before they write, so the depth is that of the block's end).
  if (d.below === 0 && s.depth === 0) d.stack.depth = 0;
  else followStack(s, d.stack, data, length, d.below !== 0);
}

/** Replays the thread records of `data[0, length)` onto `stack`, judging each span that ends there when `judging`. */
export function followStack(s: RuntimeState, stack: ThreadStack, data: Float64Array, length: number, judging: boolean): void {
  const d = s.demotion;
  const sites = s.metadata.length;
  if (judging && d.window.length < sites) {
    d.window = grown(d.window, sites);
    d.long = grown(d.long, sites);
    d.counted = grown(d.counted, sites);
    d.gatedBefore = grown(d.gatedBefore, sites);
    d.recorded = grown(d.recorded, sites);
  }
  // Runs over every record of every block: the arrays are held in locals (a demotion replaces
  // none of them), and each kind's size is spelled out (events.ts RECORD_SLOTS).
  const { window, long, recorded, after, below } = d;
  let stackSites = stack.sites;
  let stackTicks = stack.ticks;
  let depth = stack.depth;
  for (let i = 0; i < length; ) {
    // Heads are integers far below 2^31: integer ops, where `%` on a double would call fmod.
    const head = data[i] | 0;
    const kind = head & (KIND_BITS - 1);
    let site = -1;
    let ticks = 0;
    if (kind === EventKind.threadComplete) {
      site = head >>> 3;
      ticks = data[i + 2] - data[i + 1];
      i += 3;
    } else if (kind === EventKind.threadBegin || kind === EventKind.threadBeginInside) {
      if (depth === stackSites.length) {
        stack.sites = stackSites = grown(stackSites, depth + 1);
        stack.ticks = stackTicks = grown(stackTicks, depth + 1);
      }
      stackSites[depth] = head >>> 3;
      stackTicks[depth] = data[i + 1];
      depth++;
      i += kind === EventKind.threadBegin ? 2 : 3;
    } else if (kind === EventKind.threadEnd) {
      if (depth > 0) {
        depth--;
        site = stackSites[depth];
        ticks = data[i + 1] - stackTicks[depth];
      }
      i += 2;
    } else i += kind === EventKind.asyncBegin ? 5 : 3;
    if (judging && site >= 0) {
      // One recorded call of `site` that took `ticks`; at the end of a window, decide.
      recorded[site]++;
      if (ticks >= below) long[site]++;
      if (++window[site] >= after) {
        if (long[site] * 100 <= window[site] && s.levels[site] !== DEMOTED && !s.promiseReturningSync.has(site)) demote(s, site);
        window[site] = 0;
        long[site] = 0;
      }
    }
  }
  stack.depth = depth;
}

function demote(s: RuntimeState, site: number): void {
  s.levels[site] = DEMOTED;
  s.demotion.gatedBefore[site] = gatedCalls(s, site);
  refreshGate(s, site);
  s.demotion.sites.push(site);
}

/** A demoted site as reports show it. */
export interface DemotedSite {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** Calls counted since demotion (not recorded as spans). */
  readonly calls: number;
  /** Spans recorded before demotion. */
  readonly recorded: number;
}

export function demotedSites(s: RuntimeState): DemotedSite[] {
  const d = s.demotion;
  return d.sites.map((site) => {
    const meta = s.metadata[site];
    return { name: meta?.name ?? `#${site}`, file: meta?.file ?? "", line: meta?.line ?? 0, calls: (d.counted[site] ?? 0) + gatedCalls(s, site) - (d.gatedBefore[site] ?? 0), recorded: d.recorded[site] ?? 0 };
  });
}
