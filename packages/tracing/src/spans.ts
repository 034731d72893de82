/**
 * Thread spans, the hot path: what instrumented synchronous functions call. A span writes two
 * slots (or one complete record of three, for a leaf) and allocates nothing. Async spans are in
 * async-spans.ts.
 */
import { now } from "./clock.js";
import { rotate } from "./dispatch.js";
import { currentFloor, currentSpanId } from "./async-spans.js";
import { DEMOTED, demotedToken, enterOutermost, leaveOutermost, recordsOutermost } from "./demote.js";
import { openThreadStack } from "./open.js";
import { EventKind, KIND_BITS } from "./events.js";
import { refreshPlainAsync, state, type RuntimeState } from "./state.js";

/**
 * Returned by `begin` when nothing was recorded; `end` ignores it, as it ignores every negative
 * token (those below it stand for calls of demoted sites).
 */
export const NOT_RECORDED = -1;

/**
 * A recorded span's token is `depth * SITES + site`: its site, and the thread's depth of open
 * spans at its begin. `end` learns from it whether spans begun inside never ended (a throw past
 * the stack limit can keep a `finally` from ending its span) and ends them first, so the trace
 * stays nested, counting them (`lostEnds`). Sites past SITES are not recorded (metadata.ts).
 */
export const SITES = 2 ** 21;

/**
 * Added to the token of a demoted site's recorded outermost call (demote.ts): past 2^31, so its
 * `end` takes the unusual path, which lets the site's next call record again. A multiple of
 * SITES, so `siteOf` reads the site as before.
 */
const OUTERMOST = 2 ** 52;

/** The site a token names (tokens of depth below 1024 are Smis, for bit operations). */
export function siteOf(token: number): number {
  return token < 2147483648 ? token & (SITES - 1) : token % SITES;
}

/** Begins a thread span; pass the result to `end` (in a `finally`). */
export function begin(metadata: number): number {
  // Written so that a site that is no number (NaN: its module has not registered it) is refused.
  if (!(state.levels[metadata] <= state.maxLevel)) return refuse(state, metadata);
  return beginGated(metadata);
}

/**
 * `begin` for generated code, which asked the site's gate first (gates.ts): tracing is enabled,
 * the level passes and the site is not demoted, so only the memory cap is left to check. At the
 * root with no hooks (the common case, one test) the span has no parent to write down; the
 * hot path keeps only the depth, and reports learn which spans are open from the records.
 */
export function beginGated(metadata: number): number {
  const s = state;
  if (s.plainAsync !== true || s.sp !== 0) return beginOutside(s, metadata);
  return writeBegin(s, metadata);
}

/**
 * `begin` for generated code whose gate says the site is demoted but records its outermost
 * call, and none is open (gates.ts): records the span, and the site's calls inside it are
 * counted until it ends.
 */
export function beginOutermost(metadata: number): number {
  const s = state;
  return recordsOutermost(s, metadata) ? beginOutermostCall(s, metadata) : refuse(s, metadata);
}

function beginOutermostCall(s: RuntimeState, metadata: number): number {
  // Over the memory cap the call is counted: the count stays exact, and nothing is dropped.
  if (!s.recording) return countDemoted(s, metadata);
  const token = s.plainAsync !== true || s.sp !== 0 ? beginOutside(s, metadata) : writeBegin(s, metadata);
  enterOutermost(s, metadata);
  return token + OUTERMOST;
}

/*
 * The hot path is written for V8's inliner, which budgets by the bytecode size of whole
 * functions (about 900 bytes per compiled function, of which the two clock reads take half):
 * rare work lives in functions of its own, booleans are compared with `===` (a bare test of a
 * field is a generic ToBoolean), and record heads are literals (`metadata * 8 + kind`, KIND_BITS
 * and EventKind in events.ts) rather than imported constants, each of which costs a load and a
 * check that it is initialized.
 */

/** `[head, tick]`: a thread begin with no parent written down. Returns the span's token. */
function writeBegin(s: RuntimeState, metadata: number): number {
  let p = s.position;
  if (p + 2 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * 8 + 1; // EventKind.threadBegin
  b[p + 1] = now();
  s.position = p + 2;
  s.leafAt = p;
  const d = s.depth;
  s.depth = d + 1;
  return d * SITES + metadata;
}

/**
 * `beginGated` not at the plain root: perhaps over the memory cap, or the outermost span of an
 * async span's activation (or under an outside context), which writes its parent down.
 */
function beginOutside(s: RuntimeState, metadata: number): number {
  if (!s.recording) return refuse(s, metadata);
  const d = s.depth;
  if (d === 0 || d === currentFloor(s)) {
    const parent = outermostParent(s);
    if (parent !== 0) return beginInside(s, metadata, parent);
  }
  return writeBegin(s, metadata);
}

/**
 * The parent an outermost thread span of an async span's activation records: that async span,
 * else an outside context the link hook names, else 0 (none to write down). The trace's order
 * cannot say whether the async span was still running or had suspended; deeper thread spans
 * nest in the thread span around them.
 */
function outermostParent(s: RuntimeState): number {
  const current = currentSpanId();
  return current !== 0 ? current : s.linkRoot === null ? 0 : -s.linkRoot();
}

/** `begin` with the parent written down: `[head, tick, parent]`, never a complete (leaf) record. */
function beginInside(s: RuntimeState, metadata: number, parent: number): number {
  let p = s.position;
  if (p + 3 > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = metadata * KIND_BITS + EventKind.threadBeginInside;
  b[p + 2] = parent;
  b[p + 1] = now();
  s.position = p + 3;
  s.leafAt = -1;
  const d = s.depth;
  s.depth = d + 1;
  return d * SITES + metadata;
}

/**
 * Ends the thread span `begin` returned. The end of a recorded begin is written even past the
 * memory cap, so a trace never holds a begin without its end.
 */
export function end(token: number): void {
  if (token < 0) return;
  const t = now();
  const s = state;
  // Tokens of spans begun below depth 1024 are Smis; deeper ones, and an end that finds spans
  // open inside it, take the slow path.
  const site = token & (SITES - 1);
  const depth = token >>> 21;
  if (token > 0x7fffffff || s.depth !== depth + 1) {
    endUnusual(s, token, t);
    return;
  }
  let p = s.position;
  // The write is done here, not in a function of its own: near the stack limit (a RangeError
  // unwinding deep recursion) one more frame can be one too many, and an end lost.
  if (p === s.leafAt + 2 && p < s.blockSlots) {
    // Nothing was written since this span's begin (ends nest, so that begin is this span's):
    // one complete record, one slot instead of two.
    const b = s.buffer;
    b[p - 2] = site * 8; // EventKind.threadComplete
    b[p] = t;
    s.position = p + 1;
    s.leafAt = -1;
  } else {
    if (p + 2 > s.blockSlots) p = rotate();
    const b = s.buffer;
    b[p] = site * 8 + 2; // EventKind.threadEnd
    b[p + 1] = t;
    s.position = p + 2;
  }
  // After the write: when a block is sealed, the depth is that of the records written so far.
  s.depth = depth;
}

/**
 * `end` of a span begun 1024 or more deep, whose depth is not the thread's (see below), or of a
 * demoted site's outermost call.
 */
function endUnusual(s: RuntimeState, token: number, t: number): void {
  const site = siteOf(token);
  if (token >= OUTERMOST) {
    token -= OUTERMOST;
    leaveOutermost(s, site);
  }
  const depth = (token - site) / SITES;
  if (s.depth !== depth + 1 && !endLostInside(s, depth, t)) return;
  let p = s.position;
  if (p + 2 > s.blockSlots) p = rotate();
  s.buffer[p] = site * KIND_BITS + EventKind.threadEnd;
  s.buffer[p + 1] = t;
  s.position = p + 2;
  s.leafAt = -1;
  s.depth = depth;
}

/**
 * An end of a span begun at `depth` while the thread's depth is not `depth + 1`. Deeper: spans
 * begun inside it lost their ends; they are ended now (at `t`, innermost first) and counted, and
 * the span's own end follows (returns true). Shallower: the span was ended already in this way;
 * nothing more is written (false).
 */
function endLostInside(s: RuntimeState, depth: number, t: number): boolean {
  if (s.depth <= depth) return false;
  const stack = openThreadStack(s);
  for (let d = s.depth - 1; d > depth; d--) {
    let p = s.position;
    if (p + 2 > s.blockSlots) p = rotate();
    const site = stack.sites[d];
    s.buffer[p] = site * KIND_BITS + EventKind.threadEnd;
    s.buffer[p + 1] = t;
    s.position = p + 2;
    s.lostEnds++;
    // A demoted site's outermost call that lost its end: its next call may record again.
    if (s.demotion.inside[site] === 1) leaveOutermost(s, site);
  }
  s.leafAt = -1;
  s.depth = depth + 1;
  return true;
}

/**
 * Generators get a thread span per resumption; after a yield ended it (token < 0), a `catch` or
 * `finally` that a `throw()`/`return()` resumed begins it again.
 */
export function reenter(token: number, metadata: number): number {
  return token !== NOT_RECORDED ? token : begin(metadata);
}

/**
 * A call that ran before its module's body had registered its spans (generated code calls this
 * when the module's gates do not exist yet; other spans reach it with a site that is NaN): an
 * import cycle called a function declaration early. Counted, not recorded.
 */
export function beginEarly(): number {
  state.earlySpans++;
  return NOT_RECORDED;
}

/**
 * Why `begin` records nothing: disabled, filtered by level, over the memory cap (a drop, counted),
 * or a demoted site (demote.ts), whose call is counted and gets a token naming the site.
 */
export function refuse(s: RuntimeState, metadata: number): number {
  const level = s.levels[metadata];
  if (level === undefined) return beginEarly();
  // Counted whether or not tracing is enabled, as generated code counts a gated call (gates.ts).
  if (level === DEMOTED) return recordsOutermost(s, metadata) ? beginOutermostCall(s, metadata) : countDemoted(s, metadata);
  if (!s.enabled) return NOT_RECORDED;
  if (!(level > s.maxLevel)) s.droppedSpans++;
  return NOT_RECORDED;
}

function countDemoted(s: RuntimeState, metadata: number): number {
  s.demotion.counted[metadata]++;
  return demotedToken(metadata);
}

/**
 * Lets an exporter join spanfn's root spans to another tracer's trace: `hook` is asked as each
 * span with no spanfn parent begins, and returns a positive number naming the outside context
 * then current (the exporter keeps the table) or 0 for none. Recorded as a negative parent id.
 */
export function linkRootSpans(hook: (() => number) | null): void {
  state.linkRoot = hook;
  refreshPlainAsync(state);
}
