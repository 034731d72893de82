/**
 * Spans that end when a returned promise settles. The caller always gets the very object that
 * was returned, and spanfn does nothing with it that a program could observe: no `then` call on
 * it (a subclass's `then` is user code), no property read that could run a getter or a proxy
 * trap. A thenable that is not a native promise is never `then`-ed (query builders run on
 * `then`): its span ends at return, marked detached.
 */
import { now } from "./clock.js";
import { EventKind } from "./events.js";
import { beginAsync, end, recordAsyncEnd, suspend } from "./spans.js";
import { state, type AsyncSpan } from "./state.js";

/**
 * `return value` in a function with an async span: an object is remembered, for `endAsync` to
 * decide whether it is a promise to wait for; anything else is not, so `endAsync` has nothing to
 * look at (and a `finally` that overrides the return with `ret(span, undefined)` clears it).
 */
export function ret<T>(span: AsyncSpan, value: T): T {
  if (span.id !== 0) span.returned = isObject(value) ? value : undefined;
  return value;
}

/**
 * Called by `endAsync` with what the function returned: a native promise keeps the span open
 * until it settles; a foreign thenable ends it detached. Returns whether the span now waits.
 */
export function settleReturned(span: AsyncSpan, value: unknown): boolean {
  if (!isObject(value)) return false;
  if (state.isPromise(value)) {
    span.settling = true;
    observe(value as Promise<unknown>, span);
    return true;
  }
  if (isThenable(value)) span.outcome = EventKind.asyncDetached;
  return false;
}

/**
 * Ends the thread span of a function that returned `value`. A native promise here means static
 * detection missed it: the thread span covers the synchronous part, and an async span runs from
 * the return until the promise settles. The function is noted once, for the summary.
 */
export function endReturn(token: number, value: unknown): void {
  // A demoted site (token below NOT_RECORDED) returned no promise in the calls that demoted it
  // (one that does is never demoted): its calls skip the check, which costs more than they do.
  if (token < 0) return;
  end(token);
  if (!isObject(value) || !state.isPromise(value)) return;
  const s = state;
  if (!s.promiseReturningSync.has(token)) s.promiseReturningSync.add(token);
  const span = beginAsync(token);
  suspend(span, undefined);
  if (span.id !== 0) {
    span.settling = true;
    observe(value as Promise<unknown>, span);
  }
}

/** Records the end of a span whose promise settled (at tick `t`, by default now). */
export function settled(span: AsyncSpan, outcome: number, t: number = now()): void {
  if (span.ended) return;
  span.outcome = outcome;
  recordAsyncEnd(state, span, t);
}

function observe(promise: Promise<unknown>, span: AsyncSpan): void {
  const observer = state.observeSettlement;
  if (observer !== null) observer(promise, span);
  else observeByReaction(promise, span);
}

/**
 * Where no exact observer is installed (outside Node): one reaction, through the intrinsic
 * `then`. It leaves the promise marked handled, so a rejection nobody else handles goes
 * unreported by the platform; Node installs an exact observer instead (node/settlement.ts).
 */
export function observeByReaction(promise: Promise<unknown>, span: AsyncSpan): void {
  PROMISE_THEN.call(
    promise,
    () => settled(span, EventKind.asyncFulfilled),
    () => settled(span, EventKind.asyncRejected),
  );
}

const PROMISE_THEN = Promise.prototype.then;

function isObject(value: unknown): value is object {
  return value !== null && (typeof value === "object" || typeof value === "function");
}

/** Looks for `then` through descriptors, so no getter runs; proxies are left alone. */
function isThenable(value: object): boolean {
  if (state.isProxy(value)) return false;
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, "then");
    if (descriptor !== undefined) return typeof descriptor.value === "function" || descriptor.get !== undefined;
  }
  return false;
}
