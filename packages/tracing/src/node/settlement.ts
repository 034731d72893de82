/**
 * The exact way to see a promise settle: `v8.promiseHooks`, which attaches nothing to the
 * promise, so a rejection is reported by Node exactly when it would have been without spanfn.
 * A registered hook taxes every promise in the process, so it is registered only while a tracked
 * promise is pending. The outcome is read from the settled promise without touching it; that read
 * (util.inspect) is the expensive part, so it is done once per promise where it can be: whether a
 * promise was already settled when it was returned is asked only in a microtask after, of those
 * the hook has not seen settle by then. Where V8 offers its own reading, it is used instead.
 */
import { promiseHooks, setFlagsFromString } from "node:v8";
import { inspect, types } from "node:util";
import { now } from "../clock.js";
import { EventKind } from "../events.js";
import { settled } from "../settle.js";
import { state, type AsyncSpan } from "../state.js";

// A promise passed up through several instrumented functions ends each of their spans: pairs of
// a span's handle and id, so a span that ended meanwhile is left alone.
const tracked = new WeakMap<Promise<unknown>, number[]>();
let pending = 0;
let stop: (() => void) | null = null;

type PromiseState = "pending" | "rejected" | "fulfilled";

const INSPECT = { depth: 0, customInspect: false, maxArrayLength: 0, maxStringLength: 0, breakLength: Infinity } as const;

/** The state marker util.inspect prints inside the braces: `Promise { <rejected> … }` (subclasses too). */
function inspectedState(promise: Promise<unknown>): PromiseState {
  const text = inspect(promise, INSPECT);
  const inside = text.slice(text.indexOf("{") + 1).trimStart();
  return inside.startsWith("<pending>") ? "pending" : inside.startsWith("<rejected>") ? "rejected" : "fulfilled";
}

const STATES: readonly PromiseState[] = ["pending", "fulfilled", "rejected"];

/**
 * V8's own reading of a promise's state, `%PromiseStatus` (0 pending, 1 fulfilled, 2 rejected):
 * about 8 ns where util.inspect takes 1.3 µs. It is reached by compiling one function while V8's
 * natives syntax is allowed, and disallowed again at once (unless the program allowed it itself);
 * the only other code that could compile in that moment is code that would otherwise not parse.
 * Engines without it (Node 24's) fail to compile it, and a reader that misreads three promises of
 * known state is not used: util.inspect then serves.
 *
 * V8 drops the bytecode of a function that went unused through a few collections
 * (`--bytecode-old-age`) and compiles it again at its next call, when natives syntax is
 * disallowed: the call then throws a SyntaxError. Its body is then compiled again the way it
 * was at first; if even that fails, util.inspect serves from then on.
 */
function intrinsicStateReader(): ((promise: Promise<unknown>) => PromiseState) | null {
  const compile = () => new Function("promise", "return %PromiseStatus(promise)") as (promise: Promise<unknown>) => number;
  let status: ((promise: Promise<unknown>) => number) | null = null;
  let programAllows = true;
  try {
    status = compile();
  } catch {
    programAllows = false;
    try {
      status = withNativesSyntax(compile);
    } catch {
      status = null;
    }
  }
  if (status === null) return null;
  const rejected = Promise.reject(new Error("spanfn: probe"));
  rejected.catch(() => {});
  try {
    if (status(new Promise(() => {})) !== 0 || status(Promise.resolve()) !== 1 || status(rejected) !== 2) return null;
  } catch {
    return null;
  }
  const read = status;
  return (promise) => {
    let code: number;
    try {
      code = read(promise);
    } catch {
      // Where the program allowed natives syntax itself, a read that threw would throw again.
      if (programAllows) return inspectedFromNow(promise);
      try {
        code = withNativesSyntax(() => read(promise));
      } catch {
        return inspectedFromNow(promise);
      }
    }
    return STATES[code] ?? inspectedState(promise);
  };
}

function inspectedFromNow(promise: Promise<unknown>): PromiseState {
  stateOf = inspectedState;
  return inspectedState(promise);
}

function withNativesSyntax<T>(run: () => T): T {
  setFlagsFromString("--allow-natives-syntax");
  try {
    return run();
  } finally {
    setFlagsFromString("--no-allow-natives-syntax");
  }
}

let stateOf: (promise: Promise<unknown>) => PromiseState = inspectedState;
let readerChosen = false;

function chooseStateReader(): void {
  if (readerChosen) return;
  readerChosen = true;
  stateOf = intrinsicStateReader() ?? inspectedState;
}

/**
 * A tracked promise that is collected unsettled no longer holds the hook on. Only promises still
 * pending at the check after their return are registered: most settle before, and registering
 * costs more than a promise does.
 */
const collected = new FinalizationRegistry<null>(() => {
  if (--pending === 0) scheduleStop();
});

/**
 * V8 calls the hook before it records the outcome (the promise still reads as pending), so the
 * outcome is read in a microtask; the span ends at the tick the hook ran.
 */
function onSettled(promise: Promise<unknown>): void {
  if (!tracked.has(promise)) return;
  settling.push(promise);
  settlingTicks.push(now());
  queueCheck();
}

/** Ends the spans waiting for `promise`, which settled at tick `t`, and stops tracking it. */
function finish(promise: Promise<unknown>, state: PromiseState, t: number): void {
  const spans = tracked.get(promise)!;
  tracked.delete(promise);
  collected.unregister(promise);
  const outcome = state === "rejected" ? EventKind.asyncRejected : EventKind.asyncFulfilled;
  for (let i = 0; i < spans.length; i += 2) settled(spans[i], spans[i + 1], outcome, t);
  if (--pending === 0) scheduleStop();
}

/** Promises the hook saw settle, and when: their outcomes are read at the next check. */
let settling: Promise<unknown>[] = [];
let settlingTicks: number[] = [];
/**
 * Promises tracked since the last check, and the ticks they were returned at. Most settle within
 * a few microtasks, and the hook sees it: the check reads the state only of those it has not
 * seen settle, to find the ones that were settled before they were tracked (no hook fires for
 * them; their spans end at the return).
 */
let fresh: Promise<unknown>[] = [];
let freshTicks: number[] = [];
let checkQueued = false;

function queueCheck(): void {
  if (checkQueued) return;
  checkQueued = true;
  // A reaction on a settled promise of our own rather than queueMicrotask, which creates an
  // AsyncResource per call: a fifth of this module's cost, measured.
  PROMISE_THEN.call(SETTLED, checkSafely);
}

const PROMISE_THEN = Promise.prototype.then;
const SETTLED = Promise.resolve();

/**
 * A reaction of spanfn's that threw would reject a promise nobody handles. Each promise is taken
 * on its own: a throw for one (reading its state, or the sink taking its span's end) is reported
 * as a warning, and every other promise of the check is still seen to.
 */
function checkSafely(): void {
  checkQueued = false;
  const done = settling;
  const doneTicks = settlingTicks;
  settling = [];
  settlingTicks = [];
  for (let i = 0; i < done.length; i++) if (tracked.has(done[i])) checkOne(done[i], doneTicks[i], true);
  const promises = fresh;
  const ticks = freshTicks;
  fresh = [];
  freshTicks = [];
  for (let i = 0; i < promises.length; i++) if (tracked.has(promises[i])) checkOne(promises[i], ticks[i], false);
}

/**
 * `promise` was seen to settle at tick `t` (`hookRan`), or was returned then: if it is settled,
 * its spans end at `t`. Still pending, it may be dropped unsettled, which must not hold the hook
 * on for ever.
 */
function checkOne(promise: Promise<unknown>, t: number, hookRan: boolean): void {
  try {
    const read = stateOf(promise);
    if (hookRan || read !== "pending") finish(promise, read, t);
    else collected.register(promise, null, promise);
  } catch (error) {
    state.warn(`spanfn: settlement tracking failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Registering a hook and removing it costs more than a promise does, so the hook stays while
 * tracked promises keep coming, and goes after a quiet moment with none pending.
 */
const IDLE_MS = 250;
let idleTimer: ReturnType<typeof setTimeout> | null = null;

function scheduleStop(): void {
  if (idleTimer !== null) return;
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (pending === 0 && stop !== null) {
      stop();
      stop = null;
    }
  }, IDLE_MS);
  idleTimer.unref();
}

export function observeWithPromiseHooks(promise: Promise<unknown>, span: AsyncSpan, id: number): void {
  const already = tracked.get(promise);
  if (already !== undefined) {
    already.push(span, id);
    return;
  }
  tracked.set(promise, [span, id]);
  pending++;
  if (stop === null) stop = promiseHooks.onSettled(onSettled as (promise: Promise<unknown>) => void) as () => void;
  fresh.push(promise);
  freshTicks.push(now());
  queueCheck();
}

/**
 * Makes settlement exact in this thread (the default under Node), and promise and proxy tests
 * that trigger no proxy trap.
 */
export function useExactSettlement(exact = true): void {
  if (exact) chooseStateReader();
  state.observeSettlement = exact ? observeWithPromiseHooks : null;
  state.isPromise = types.isPromise as (value: object) => boolean;
  state.isProxy = types.isProxy as (value: object) => boolean;
}
