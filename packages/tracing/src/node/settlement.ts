/**
 * The exact way to see a promise settle: `v8.promiseHooks`, which attaches nothing to the
 * promise, so a rejection is reported by Node exactly when it would have been without spanfn.
 * A registered hook taxes every promise in the process, so it is registered only while a tracked
 * promise is pending. The outcome is read from the settled promise without touching it; that read
 * (util.inspect) is the expensive part, so it is done once per promise where it can be: whether a
 * promise was already settled when it was returned is asked only in a microtask after, of those
 * the hook has not seen settle by then. Where V8 offers its own reading, it is used instead.
 */
import { inspect, types } from "node:util";
import { now } from "../clock.js";
import { Kind } from "../layout.js";
import { settled } from "../rows.js";
import { state, type AsyncSpan, type PromiseState, type SettlementTracking } from "../state.js";
import { lazyBuiltin } from "./builtin.js";

/** The thread's tracking, made at first use (its tables live in the state, shared by every copy). */
function tracking(): SettlementTracking {
  const existing = state.node.settlement;
  if (existing !== null) return existing;
  const created: SettlementTracking = {
    tracked: new WeakMap(),
    pending: 0,
    stop: null,
    stateOf: inspectedState,
    readerChosen: false,
    collected: new FinalizationRegistry<null>(() => {
      if (--created.pending === 0) scheduleStop(created);
    }),
    settling: [],
    settlingTicks: [],
    fresh: [],
    freshTicks: [],
    checkQueued: false,
    idleTimer: null,
    // Bound to this tracking, so the hook and the check reach nothing else once registered.
    onSettled: (promise) => onSettled(created, promise),
    check: () => checkSafely(created),
  };
  state.node.settlement = created;
  return created;
}

// Only programs that return promises from traced functions need it.
const v8 = lazyBuiltin<typeof import("node:v8")>("node:v8");

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
 * far cheaper than util.inspect. It is reached by compiling one function while V8's
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
  tracking().stateOf = inspectedState;
  return inspectedState(promise);
}

function withNativesSyntax<T>(run: () => T): T {
  v8().setFlagsFromString("--allow-natives-syntax");
  try {
    return run();
  } finally {
    v8().setFlagsFromString("--no-allow-natives-syntax");
  }
}

function chooseStateReader(t: SettlementTracking): void {
  if (t.readerChosen) return;
  t.readerChosen = true;
  t.stateOf = intrinsicStateReader() ?? inspectedState;
}

/**
 * V8 calls the hook before it records the outcome (the promise still reads as pending), so the
 * outcome is read in a microtask; the span ends at the tick the hook ran.
 */
function onSettled(t: SettlementTracking, promise: Promise<unknown>): void {
  if (!t.tracked.has(promise)) return;
  t.settling.push(promise);
  t.settlingTicks.push(now());
  queueCheck(t);
}

/** Ends the spans waiting for `promise`, which settled at tick `t`, and stops tracking it. */
function finish(t: SettlementTracking, promise: Promise<unknown>, read: PromiseState, at: number): void {
  const spans = t.tracked.get(promise)!;
  t.tracked.delete(promise);
  t.collected.unregister(promise);
  const outcome = read === "rejected" ? Kind.asyncRejected : Kind.asyncFulfilled;
  for (let i = 0; i < spans.length; i += 2) settled(state, spans[i], spans[i + 1], outcome, at);
  if (--t.pending === 0) scheduleStop(t);
}

/*
 * Promises tracked since the last check (`fresh`), and the ticks they were returned at. Most
 * settle within a few microtasks, and the hook sees it (`settling`): the check reads the state
 * only of those it has not seen settle, to find the ones that were settled before they were
 * tracked (no hook fires for them; their spans end at the return).
 */
function queueCheck(t: SettlementTracking): void {
  if (t.checkQueued) return;
  t.checkQueued = true;
  // A reaction on a settled promise of our own rather than queueMicrotask, which creates an
  // AsyncResource per call.
  PROMISE_THEN.call(SETTLED, t.check);
}

const PROMISE_THEN = Promise.prototype.then;
const SETTLED = Promise.resolve();

/**
 * A reaction of spanfn's that threw would reject a promise nobody handles. Each promise is taken
 * on its own: a throw for one (reading its state, or the sink taking its span's end) is reported
 * as a warning, and every other promise of the check is still seen to.
 */
function checkSafely(t: SettlementTracking): void {
  t.checkQueued = false;
  const done = t.settling;
  const doneTicks = t.settlingTicks;
  t.settling = [];
  t.settlingTicks = [];
  for (let i = 0; i < done.length; i++) if (t.tracked.has(done[i])) checkOne(t, done[i], doneTicks[i], true);
  const promises = t.fresh;
  const ticks = t.freshTicks;
  t.fresh = [];
  t.freshTicks = [];
  for (let i = 0; i < promises.length; i++) if (t.tracked.has(promises[i])) checkOne(t, promises[i], ticks[i], false);
}

/**
 * `promise` was seen to settle at tick `t` (`hookRan`), or was returned then: if it is settled,
 * its spans end at `t`. Still pending, it may be dropped unsettled, which must not hold the hook
 * on for ever.
 */
function checkOne(t: SettlementTracking, promise: Promise<unknown>, at: number, hookRan: boolean): void {
  try {
    const read = t.stateOf(promise);
    if (hookRan || read !== "pending") finish(t, promise, read, at);
    // Collected unsettled, it no longer holds the hook on. Only promises still pending now are
    // registered: most settle before, and registering costs more than a promise does.
    else t.collected.register(promise, null, promise);
  } catch (error) {
    state.warn(`spanfn: settlement tracking failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Registering a hook and removing it costs more than a promise does, so the hook stays while
 * tracked promises keep coming, and goes after a quiet moment with none pending.
 */
const IDLE_MS = 250;

function scheduleStop(t: SettlementTracking): void {
  if (t.idleTimer !== null) return;
  t.idleTimer = setTimeout(() => {
    t.idleTimer = null;
    if (t.pending === 0 && t.stop !== null) {
      t.stop();
      t.stop = null;
    }
  }, IDLE_MS);
  t.idleTimer.unref();
}

export function observeWithPromiseHooks(promise: Promise<unknown>, span: AsyncSpan, id: number): void {
  const t = tracking();
  const already = t.tracked.get(promise);
  if (already !== undefined) {
    already.push(span, id);
    return;
  }
  t.tracked.set(promise, [span, id]);
  t.pending++;
  if (t.stop === null) {
    chooseStateReader(t);
    t.stop = v8().promiseHooks.onSettled(t.onSettled as (promise: Promise<unknown>) => void) as () => void;
  }
  t.fresh.push(promise);
  t.freshTicks.push(now());
  queueCheck(t);
}

/**
 * Makes settlement exact in this thread (the default under Node), and promise and proxy tests
 * that trigger no proxy trap.
 */
export function useExactSettlement(exact = true): void {
  state.observeSettlement = exact ? observeWithPromiseHooks : null;
  state.isPromise = types.isPromise as (value: object) => boolean;
  state.isProxy = types.isProxy as (value: object) => boolean;
}
