/**
 * The thread's open thread spans. The hot path keeps only their count (`state.depth`); which
 * spans they are follows from the records, so the seal scan replays each sealed block onto the
 * stack it keeps (`state.threadStack`), and a report replays the block being written onto a
 * copy. Each thread span that ends in a sealed block is handed to demotion to judge.
 */
import {
  AsyncBeginRecord,
  AsyncEndRecord,
  Head,
  Kind,
  Slot,
  ThreadBeginInsideRecord,
  ThreadBeginRecord,
  ThreadCompleteRecord,
  ThreadEndRecord,
  WorkerStartRecord,
} from "./layout.js";
import { judgeCall, measureNestedCost, moveBar, prepareJudging } from "./demote.js";
import { grown } from "./grow.js";
import type { RuntimeState, ThreadStack } from "./state.js";

function copyStack(stack: ThreadStack): ThreadStack {
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

/**
 * Reads a block about to be sealed: follows the thread's open spans through it and, when
 * demotion is on, judges the spans that end in it.
 */
export function scanSealed(s: RuntimeState, data: Float64Array, length: number): void {
  const d = s.demotion;
  // Demoted sites' recorded outermost calls are counted even with demotion off.
  const judging = d.below !== 0 || d.sites.length !== 0;
  // With nothing to judge and no thread span open at the seal, the stack is empty, whatever the
  // block holds (the writers seal before they write, so the depth is that of the block's end).
  if (!judging && s.depth === 0) clearStack(s.threadStack);
  else {
    if (judging) {
      measureNestedCost(d);
      prepareJudging(s);
    }
    followStack(s, s.threadStack, data, length, judging);
    if (judging) moveBar(d);
  }
}

/**
 * The thread's open spans: the stack as of the last seal, followed through anything written
 * since, on a copy (the seal scan's own must stay as it was, for the next seal to follow the
 * same records again).
 */
export function openThreadStack(s: RuntimeState): ThreadStack {
  const stack = copyStack(s.threadStack);
  followStack(s, stack, s.buffer, s.position, false);
  return stack;
}

/**
 * Replays the thread records of `data[0, length)` onto `stack`, judging each span that ends there
 * when `judging`. It runs over every record of every block, so it reads the records itself, by
 * layout.ts's names, in one tight loop: through records.ts's reader (a cursor object) it took
 * several times as long.
 */
function followStack(s: RuntimeState, stack: ThreadStack, data: Float64Array, length: number, judging: boolean): void {
  const sites = s.metadata.length;
  if (stack.innermost.length < sites) stack.innermost = grown(stack.innermost, sites, -1);
  // The arrays are held in locals (a demotion replaces none of them).
  const innermost = stack.innermost;
  let stackSites = stack.sites;
  let stackTicks = stack.ticks;
  let stackNested = stack.nested;
  let stackEnclosing = stack.enclosing;
  let depth = stack.depth;
  const nestedCost = s.demotion.nestedCost > 0 ? s.demotion.nestedCost : 0;
  for (let i = 0; i < length; ) {
    // Heads are integers far below 2^31: integer ops, where `%` on a double would call fmod.
    const head = data[i] | 0;
    const kind = head & Head.kindMask;
    // A span that ends here: its site and ticks, the ticks of its own site nested in it, and the
    // span of the same site around it.
    let site = -1;
    let ticks = 0;
    let nested = 0;
    let enclosing = -1;
    if (kind === Kind.threadComplete) {
      site = head >>> Head.siteShift;
      ticks = data[i + ThreadCompleteRecord.endTick] - data[i + ThreadCompleteRecord.beginTick];
      enclosing = innermost[site];
      i += ThreadCompleteRecord.size;
    } else if (kind === Kind.threadBegin || kind === Kind.threadBeginInside) {
      if (depth === stackSites.length) {
        stack.sites = stackSites = grown(stackSites, depth + 1);
        stack.ticks = stackTicks = grown(stackTicks, depth + 1);
        stack.nested = stackNested = grown(stackNested, depth + 1);
        stack.enclosing = stackEnclosing = grown(stackEnclosing, depth + 1);
      }
      const begun = head >>> Head.siteShift;
      stackSites[depth] = begun;
      stackTicks[depth] = data[i + Slot.tick];
      stackNested[depth] = 0;
      stackEnclosing[depth] = innermost[begun];
      innermost[begun] = depth;
      depth++;
      i += kind === Kind.threadBegin ? ThreadBeginRecord.size : ThreadBeginInsideRecord.size;
    } else if (kind === Kind.threadEnd) {
      if (depth > 0) {
        depth--;
        site = stackSites[depth];
        ticks = data[i + ThreadEndRecord.tick] - stackTicks[depth];
        nested = stackNested[depth];
        enclosing = stackEnclosing[depth];
        innermost[site] = enclosing;
      }
      i += ThreadEndRecord.size;
    } else i += kind === Kind.asyncBegin ? AsyncBeginRecord.size : kind === Kind.workerStart ? WorkerStartRecord.size : AsyncEndRecord.size;
    if (site < 0) continue;
    // Recursion: this call's time is its caller's nested time, left out of what judges the caller.
    if (enclosing >= 0) stackNested[enclosing] += ticks + nestedCost;
    if (judging) judgeCall(s, site, ticks, nested, enclosing);
  }
  stack.depth = depth;
}
