/**
 * The exact way to see a promise settle: `v8.promiseHooks`, which attaches nothing to the
 * promise, so a rejection is reported by Node exactly when it would have been without spanfn.
 * A registered hook taxes every promise in the process, so it is registered only while a tracked
 * promise is pending. The outcome is read from the settled promise without touching it.
 */
import { promiseHooks } from "node:v8";
import { inspect, types } from "node:util";
import { EventKind } from "../events.js";
import { settled } from "../settle.js";
import { state, type AsyncSpan } from "../state.js";

// A promise passed up through several instrumented functions ends each of their spans.
const tracked = new WeakMap<Promise<unknown>, AsyncSpan | AsyncSpan[]>();
let pending = 0;
let stop: (() => void) | null = null;

const INSPECT = { depth: 0, customInspect: false, maxArrayLength: 0, maxStringLength: 0, breakLength: Infinity } as const;

/** The state marker util.inspect prints inside the braces: `Promise { <rejected> … }` (subclasses too). */
function stateOf(promise: Promise<unknown>): "pending" | "rejected" | "fulfilled" {
  const text = inspect(promise, INSPECT);
  const inside = text.slice(text.indexOf("{") + 1).trimStart();
  return inside.startsWith("<pending>") ? "pending" : inside.startsWith("<rejected>") ? "rejected" : "fulfilled";
}

/** A tracked promise that is collected unsettled no longer holds the hook on. */
const collected = new FinalizationRegistry<null>(() => {
  if (--pending === 0) scheduleStop();
});

function onSettled(promise: Promise<unknown>): void {
  const spans = tracked.get(promise);
  if (spans === undefined) return;
  tracked.delete(promise);
  collected.unregister(promise);
  const outcome = stateOf(promise) === "rejected" ? EventKind.asyncRejected : EventKind.asyncFulfilled;
  if (Array.isArray(spans)) for (const span of spans) settled(span, outcome);
  else settled(spans, outcome);
  if (--pending === 0) scheduleStop();
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

export function observeWithPromiseHooks(promise: Promise<unknown>, span: AsyncSpan): void {
  const already = tracked.get(promise);
  if (already !== undefined) {
    if (Array.isArray(already)) already.push(span);
    else tracked.set(promise, [already, span]);
    return;
  }
  const now = stateOf(promise);
  if (now !== "pending") {
    // Already settled: no hook will fire for it.
    settled(span, now === "rejected" ? EventKind.asyncRejected : EventKind.asyncFulfilled);
    return;
  }
  tracked.set(promise, span);
  collected.register(promise, null, promise);
  pending++;
  if (stop === null) stop = promiseHooks.onSettled(onSettled as (promise: Promise<unknown>) => void) as () => void;
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
