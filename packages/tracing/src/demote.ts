/**
 * Demotion of hot, consistently tiny functions. In all-mode a real program makes millions of
 * calls to functions that run for a few dozen nanoseconds, and a span (two clock reads) costs
 * more than they do. The seal scan (thread-stack.ts) hands every thread span that ends in a
 * sealed block to `judgeCall`; a site whose last `after` recorded calls nearly all (all but 1%)
 * took less than `belowNs` stops recording spans and becomes a counter: its level becomes the
 * reserved `demoted` (layout.ts), `begin` counts the call and returns a token that encodes the
 * site, so the count stays exact. A site that ever returned a promise (settle.ts) is never
 * demoted. Reports name the demoted sites with their counts.
 *
 * A call is judged by its time without the calls of the same site nested in it (recursion),
 * less an estimate of what recording each of those cost it: a recursive function's calls
 * include their descendants' spans, so its own work would otherwise look long however little it
 * is. Calls of other sites stay in: a function that hands its work to others (a dispatcher, a
 * wrapper) spends that time on its caller's behalf, and its span is cheap beside theirs. A
 * site demoted while it recursed keeps recording its outermost calls (not inside a call of the
 * same site): the recursion shows as one span, its inner calls are counted. If those outermost
 * calls too turn out nearly all tiny, the site counts them as well.
 *
 * What an earlier run of the same program demoted can be handed to `setDemotion` (`learned`):
 * those sites are demoted as they register, and count from their first call instead of
 * recording spans until a window of them has been judged.
 *
 * Many sites each a little slower than `belowNs` cost as much together: while a thread's spans
 * cost more than `maxShare` of its time, a bar rises (doubling at each seal) and a site whose
 * calls are mostly under it is demoted as well; the bar falls back once the spans are cheap again.
 */
import type { DemotedSite, DemoteOptions } from "./events.js";
import { ReservedLevel } from "./layout.js";
import { gatedCalls, readWordsOfSites, refreshGate, resetWordOf } from "./gates.js";
import { grown } from "./grow.js";
import { now } from "./clock.js";
import { DEFAULT_DEMOTE_AFTER, DEFAULT_DEMOTE_BELOW_NS, DEFAULT_DEMOTE_MAX_SHARE, type DemotionState, type RuntimeState } from "./state.js";

/**
 * Sets the window and threshold, and the sites learned from an earlier run; `false` turns
 * demotion off (sites already demoted stay so).
 */
export function setDemotion(s: RuntimeState, options: DemoteOptions | boolean): void {
  const d = s.demotion;
  d.learned.clear();
  if (options === false) {
    d.below = 0;
    d.bar = 0;
    return;
  }
  const { after = DEFAULT_DEMOTE_AFTER, belowNs = DEFAULT_DEMOTE_BELOW_NS, maxShare = DEFAULT_DEMOTE_MAX_SHARE, learned = [] } = options === true ? {} : options;
  d.after = after;
  d.below = belowNs / 1e6;
  d.bar = d.below;
  d.maxShare = maxShare;
  for (const site of learned) d.learned.set(learnedKey(site.name, site.file, site.line), site.keepsOutermost === true);
}

function learnedKey(name: string, file: string, line: number): string {
  return `${file}:${line}:${name}`;
}

/** Demotes the sites of a registration that an earlier run demoted (metadata.ts), before their first call. */
export function demoteLearned(s: RuntimeState, first: number, count: number): void {
  const d = s.demotion;
  if (d.learned.size === 0) return;
  prepareJudging(s);
  for (let site = first; site < first + count; site++) {
    const meta = s.metadata[site];
    const keepsOutermost = meta === undefined ? undefined : d.learned.get(learnedKey(meta.name, meta.file, meta.line));
    // A site its level filters out records nothing to demote.
    if (keepsOutermost === undefined || !(s.levels[site] <= s.maxLevel)) continue;
    demote(s, site, keepsOutermost, false);
    d.learnedSites.add(site);
  }
}

/**
 * The least time one clock read takes, over a few back to back: a low estimate of what recording
 * a span adds to its caller beyond the span's own time (it adds a read, and bookkeeping).
 * Measured again at each seal: the least is the read once compiled, on a quiet moment. The
 * first time, many batches: this loop, still interpreted, would read several times the true
 * cost, and spans priced that high would raise the bar over medium-grain calls.
 */
export function measureNestedCost(d: DemotionState): void {
  const reads = 8;
  const batches = d.nestedCost < 0 ? FIRST_COST_BATCHES : 1;
  for (let batch = 0; batch < batches; batch++) {
    const first = now();
    let last = first;
    for (let i = 0; i < reads; i++) last = now();
    const read = (last - first) / reads;
    if (d.nestedCost < 0 || read < d.nestedCost) d.nestedCost = read;
  }
}

/** Batches of reads the first estimate takes the least of. */
const FIRST_COST_BATCHES = 64;

/** Grows the per-site counters to the metadata table, before a scan that judges. */
export function prepareJudging(s: RuntimeState): void {
  const d = s.demotion;
  const sites = s.metadata.length;
  if (d.window.length >= sites) return;
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

/**
 * One recorded call of `site` that took `ticks`, `nested` of them in calls of itself, inside a
 * call of the same site when `enclosing` is not -1; at the end of a window, decide.
 */
export function judgeCall(s: RuntimeState, site: number, ticks: number, nested: number, enclosing: number): void {
  const d = s.demotion;
  d.recorded[site]++;
  const demoted = s.levels[site] === ReservedLevel.demoted;
  // A demoted site that keeps its outermost calls has those judged, by all they took: since
  // its demotion a span of it covers its whole recursion. Calls before it (later in the block
  // that demoted it) are judged the same way.
  if (demoted && (d.keepsOutermost[site] !== 1 || enclosing >= 0)) return;
  const window = d.window;
  const own = demoted ? ticks : ticks - nested;
  if (own >= d.below) d.long[site]++;
  if (own < d.bar) d.short[site]++;
  if (enclosing < 0) d.outermost[site]++;
  d.judged++;
  if (++window[site] >= d.after) {
    // Nearly every call tiny, or (while the thread's spans cost too much) most calls under the bar.
    const tiny = d.long[site] * 100 <= window[site] || (d.bar > d.below && d.short[site] * 2 >= window[site]);
    if (tiny && !s.promiseReturningSync.has(site)) {
      // A site whose calls were nearly all inside calls of itself keeps its outermost calls.
      if (!demoted) demote(s, site, d.outermost[site] * OUTERMOST_SHARE <= window[site], true);
      else countOutermost(s, site);
    }
    window[site] = 0;
    d.long[site] = 0;
    d.short[site] = 0;
    d.outermost[site] = 0;
  }
}

/** What a span costs the program, in clock reads: its two, the least it costs (a low estimate, so the bar rises only when spans are surely too dense). */
const SPAN_COST_READS = 2;
/** The bar rises no higher than this many times `below`. */
const MAX_BAR_RISE = 1024;

/**
 * After a scan that judged: doubles the bar while the calls judged since the last seal cost more
 * than `maxShare` of the time since, and halves it back toward `below` once they cost well under
 * it (a busy phase ends).
 */
export function moveBar(d: DemotionState): void {
  const at = now();
  const since = at - d.lastSeal;
  const first = d.lastSeal < 0;
  const cost = d.judged * SPAN_COST_READS * d.nestedCost;
  d.lastSeal = at;
  d.judged = 0;
  if (first || d.maxShare >= 1) return;
  if (cost > d.maxShare * since) d.bar = Math.min(d.bar * 2, d.below * MAX_BAR_RISE);
  else if (cost * 4 < d.maxShare * since) d.bar = Math.max(d.bar / 2, d.below);
}

/**
 * A recursive site keeps recording its outermost calls only when they are this rare (one in
 * so many of its calls): else recording them would keep much of what demotion is for.
 */
const OUTERMOST_SHARE = 8;

/**
 * `called`: the site may have run since its module registered. A site that records nothing
 * (disabled, filtered) may count in its word (gates.ts), so its count is read first: counted
 * calls from before its demotion are not its demoted calls.
 */
function demote(s: RuntimeState, site: number, keepsOutermost: boolean, called: boolean): void {
  if (called && !(s.enabled && s.levels[site] <= s.maxLevel)) readWordsOfSites(s, [site]);
  s.levels[site] = ReservedLevel.demoted;
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

/** A recorded outermost call of a demoted site began: calls inside it are counted (thread-spans.ts). */
export function enterOutermost(s: RuntimeState, site: number): void {
  s.demotion.inside[site] = 1;
  refreshGate(s, site);
}

/** That call ended: the site's next call records again. */
export function leaveOutermost(s: RuntimeState, site: number): void {
  s.demotion.inside[site] = 0;
  refreshGate(s, site);
  resetWordOf(s, site);
}

export function demotedSites(s: RuntimeState): DemotedSite[] {
  const d = s.demotion;
  readWordsOfSites(s, d.sites);
  return d.sites.map((site) => {
    const meta = s.metadata[site];
    return {
      name: meta?.name ?? `#${site}`,
      file: meta?.file ?? "",
      line: meta?.line ?? 0,
      calls: (d.counted[site] ?? 0) + gatedCalls(s, site) - (d.gatedBefore[site] ?? 0),
      recorded: d.recorded[site] ?? 0,
      keepsOutermost: d.keepsOutermost[site] === 1,
      learned: d.learnedSites.has(site),
    };
  });
}
