/**
 * Thread spans, the hot path: what instrumented synchronous functions call. A span writes two
 * slots (or one complete record of three, for a leaf) and allocates nothing. Async spans are in
 * async-spans.ts; both take their numbers from layout.ts.
 */
import { now } from "./clock.js";
import { rotate } from "./queue.js";
import { currentFloor, currentSpanId } from "./current.js";
import { enterOutermost, leaveOutermost } from "./demote.js";
import { recordsOutermost } from "./gates.js";
import { openThreadStack } from "./thread-stack.js";
import {
  Handle,
  Head,
  Kind,
  ReservedLevel,
  ThreadBeginInsideRecord,
  ThreadBeginRecord,
  ThreadCompleteRecord,
  ThreadEndRecord,
  Token,
  Word,
  demotedToken,
  siteOf,
} from "./layout.js";
import { refreshPlainAsync, state, type RuntimeState } from "./state.js";

/*
 * The hot path is written for V8's inliner, which budgets by the bytecode size of whole
 * functions (of which the two clock reads take half): rare work lives in functions of its own,
 * and booleans are compared with `===` (a bare test of a field is a generic ToBoolean). Layout
 * numbers are const enums, which the build writes as literals.
 */

/** Begins a thread span; pass the result to `end` (in a `finally`). */
export function begin(site: number): number {
  // Written so that a site that is no number (NaN: its module has not registered it) is refused.
  if (!(state.levels[site] <= state.maxLevel)) return refuse(state, site);
  return beginGated(site);
}

/**
 * `begin` for generated code, which asked the site's gate first (gates.ts): tracing is enabled,
 * the level passes and the site is not demoted, so only the memory cap is left to check. At the
 * root with no hooks (the common case, one test) the span has no parent to write down; the
 * hot path keeps only the depth, and reports learn which spans are open from the records.
 */
export function beginGated(site: number): number {
  const s = state;
  if (s.plainAsync !== true || s.sp !== 0) return beginOutside(s, site);
  return writeBegin(s, site);
}

/**
 * `begin` for generated code whose gate says the site is demoted but records its outermost
 * call, and none is open (gates.ts): records the span, and the site's calls inside it are
 * counted until it ends.
 */
export function beginOutermost(site: number): number {
  const s = state;
  return recordsOutermost(s, site) ? beginOutermostCall(s, site) : refuse(s, site);
}

/**
 * `begin` for generated code that keeps a word per site (layout.ts `Word`), while the word asks.
 * Records the span and returns its token; or returns `Word.countFromNow` for a site that records
 * nothing for now (demoted: this call is counted here; disabled or filtered by level: counted by
 * nobody; a recursive demoted site inside its recorded outermost call), and the code counts its
 * further calls in the word; or "not recorded", and the next call asks again: a recursive demoted
 * site's call counted while it records no outermost call (tracing disabled, say), a span over the
 * memory cap (a drop), a module that has not registered yet (`site` NaN).
 */
export function beginWord(site: number): number {
  const s = state;
  if (s.levels[site] <= s.maxLevel && s.enabled) return beginGated(site);
  return refuseWord(s, site);
}

function refuseWord(s: RuntimeState, site: number): number {
  const level = s.levels[site];
  if (level === undefined) return beginEarly();
  if (level !== ReservedLevel.demoted) return Word.countFromNow;
  // Inside a recursive site's recorded outermost call too: its word asks again when that call
  // ends (demote.ts `leaveOutermost`).
  if (s.demotion.keepsOutermost[site] !== 1 || s.demotion.inside[site] === 1) {
    countDemoted(s, site);
    return Word.countFromNow;
  }
  if (!recordsOutermost(s, site)) {
    countDemoted(s, site);
    return Handle.notRecorded;
  }
  const token = beginOutermostCall(s, site);
  // Over the memory cap it was counted, and its token says so: for this code, not recorded.
  return token < Handle.notRecorded ? Handle.notRecorded : token;
}

function beginOutermostCall(s: RuntimeState, site: number): number {
  // Over the memory cap the call is counted: the count stays exact, and nothing is dropped.
  if (!s.recording) return countDemoted(s, site);
  const token = s.plainAsync !== true || s.sp !== 0 ? beginOutside(s, site) : writeBegin(s, site);
  enterOutermost(s, site);
  return token + Token.outermost;
}

/** A thread begin with no parent written down. Returns the span's token. */
function writeBegin(s: RuntimeState, site: number): number {
  let p = s.position;
  if (p + ThreadBeginRecord.size > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = site * Head.sites + Kind.threadBegin;
  b[p + ThreadBeginRecord.tick] = now();
  s.position = p + ThreadBeginRecord.size;
  s.leafAt = p;
  const d = s.depth;
  s.depth = d + 1;
  return d * Token.sites + site;
}

/**
 * `beginGated` not at the plain root: perhaps over the memory cap, or the outermost span of an
 * async span's activation (or under an outside context), which writes its parent down.
 */
function beginOutside(s: RuntimeState, site: number): number {
  if (!s.recording) return refuse(s, site);
  const d = s.depth;
  if (d === 0 || d === currentFloor(s)) {
    const parent = outermostParent(s);
    if (parent !== 0) return beginInside(s, site, parent);
  }
  return writeBegin(s, site);
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

/** `begin` with the parent written down, never a complete (leaf) record. */
function beginInside(s: RuntimeState, site: number, parent: number): number {
  let p = s.position;
  if (p + ThreadBeginInsideRecord.size > s.blockSlots) p = rotate();
  const b = s.buffer;
  b[p] = site * Head.sites + Kind.threadBeginInside;
  b[p + ThreadBeginInsideRecord.parent] = parent;
  b[p + ThreadBeginInsideRecord.tick] = now();
  s.position = p + ThreadBeginInsideRecord.size;
  s.leafAt = -1;
  const d = s.depth;
  s.depth = d + 1;
  return d * Token.sites + site;
}

/**
 * Ends the thread span `begin` returned. The end of a recorded begin is written even past the
 * memory cap, so a trace never holds a begin without its end.
 */
export function end(token: number): void {
  if (token < 0) return;
  const t = now();
  const s = state;
  // Tokens of spans begun at small depths are Smis; deeper ones, and an end that finds spans
  // open inside it, take the slow path.
  const site = token & Token.siteMask;
  const depth = token >>> Token.depthShift;
  if (token > Token.common || s.depth !== depth + 1) {
    endUnusual(s, token, t);
    return;
  }
  let p = s.position;
  // The write is done here, not in a function of its own: near the stack limit (a RangeError
  // unwinding deep recursion) one more frame can be one too many, and an end lost.
  if (p === s.leafAt + ThreadBeginRecord.size && p < s.blockSlots) {
    // Nothing was written since this span's begin (ends nest, so that begin is this span's):
    // its begin becomes one complete record, one slot instead of two more.
    // `p` is where the begin record ended: the complete record's end tick (layout.ts). The
    // difference of sizes is in parentheses, which V8's parser folds to one literal.
    const b = s.buffer;
    b[p - ThreadBeginRecord.size] = site * Head.sites + Kind.threadComplete;
    b[p] = t;
    s.position = p + (ThreadCompleteRecord.size - ThreadBeginRecord.size);
    s.leafAt = -1;
  } else {
    if (p + ThreadEndRecord.size > s.blockSlots) p = rotate();
    const b = s.buffer;
    b[p] = site * Head.sites + Kind.threadEnd;
    b[p + ThreadEndRecord.tick] = t;
    s.position = p + ThreadEndRecord.size;
  }
  // After the write: when a block is sealed, the depth is that of the records written so far.
  s.depth = depth;
}

/**
 * `end` of a span begun deep enough that its token is no Smi, whose depth is not the thread's
 * (see below), or of a demoted site's outermost call.
 */
function endUnusual(s: RuntimeState, token: number, t: number): void {
  const site = siteOf(token);
  if (token >= Token.outermost) {
    token -= Token.outermost;
    leaveOutermost(s, site);
  }
  const depth = (token - site) / Token.sites;
  if (s.depth !== depth + 1 && !endLostInside(s, depth, t)) return;
  writeEnd(s, site, t);
  s.leafAt = -1;
  s.depth = depth;
}

function writeEnd(s: RuntimeState, site: number, t: number): void {
  let p = s.position;
  if (p + ThreadEndRecord.size > s.blockSlots) p = rotate();
  s.buffer[p] = site * Head.sites + Kind.threadEnd;
  s.buffer[p + ThreadEndRecord.tick] = t;
  s.position = p + ThreadEndRecord.size;
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
    const site = stack.sites[d];
    writeEnd(s, site, t);
    s.lostEnds++;
    // A demoted site's outermost call that lost its end: its next call may record again.
    if (s.demotion.inside[site] === 1) leaveOutermost(s, site);
  }
  s.leafAt = -1;
  s.depth = depth + 1;
  return true;
}

/**
 * Generators get a thread span per resumption; after a yield ended it (the holder then holds
 * "not recorded"), a `catch` or `finally` that a `throw()`/`return()` resumed begins it again.
 */
export function reenter(token: number, site: number): number {
  return token !== Handle.notRecorded ? token : begin(site);
}

/**
 * A call that ran before its module's body had registered its spans (generated code calls this
 * when the module's gates do not exist yet; other spans reach it with a site that is NaN): an
 * import cycle called a function declaration early. Counted, not recorded.
 */
export function beginEarly(): number {
  state.earlySpans++;
  return Handle.notRecorded;
}

/**
 * Why `begin` records nothing: disabled, filtered by level, over the memory cap (a drop, counted),
 * or a demoted site (demote.ts), whose call is counted and gets a token naming the site.
 */
export function refuse(s: RuntimeState, site: number): number {
  const level = s.levels[site];
  if (level === undefined) return beginEarly();
  // Counted whether or not tracing is enabled, as generated code counts a gated call (gates.ts).
  if (level === ReservedLevel.demoted) return recordsOutermost(s, site) ? beginOutermostCall(s, site) : countDemoted(s, site);
  if (!s.enabled) return Handle.notRecorded;
  if (!(level > s.maxLevel)) s.droppedSpans++;
  return Handle.notRecorded;
}

function countDemoted(s: RuntimeState, site: number): number {
  s.demotion.counted[site]++;
  return demotedToken(site);
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
