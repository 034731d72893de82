/**
 * Spans that end when a returned promise settles. The caller always gets the very object that
 * was returned, and spanfn does nothing with it that a program could observe: no `then` call on
 * it (a subclass's `then` is user code), no property read that could run a getter or a proxy
 * trap. A thenable that is not a native promise is never `then`-ed (query builders run on
 * `then`): its span ends at return, marked detached.
 */
import { now } from "./clock.js";
import { EventKind } from "./events.js";
import { end, siteOf } from "./spans.js";
import { beginAsync, isOpen, markSettling, recordAsyncEnd, setOutcome, suspend } from "./async-spans.js";
import { ASYNC_ROW, state, type AsyncSpan } from "./state.js";

/**
 * Called by `endAsync` with the object the span (row `span`, id `id`) returned: a native promise
 * keeps the span open until it settles; a foreign thenable ends it detached. Returns whether the
 * span now waits.
 */
export function settleReturned(span: AsyncSpan, id: number, value: object): boolean {
  const s = state;
  if (s.isPromise(value)) {
    markSettling(s, span);
    observe(value as Promise<unknown>, span, id);
    return true;
  }
  if (isThenable(value)) setOutcome(s, span, EventKind.asyncDetached);
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
  // The rest is apart: V8 inlines by the size of the whole function, not of its common path.
  if (isObject(value)) endReturnedObject(siteOf(token), value);
}

function endReturnedObject(site: number, value: object): void {
  if (!state.isPromise(value)) return;
  const s = state;
  if (!s.promiseReturningSync.has(site)) s.promiseReturningSync.add(site);
  const span = beginAsync(site);
  suspend(span, undefined);
  if (span >= 0) {
    markSettling(s, span);
    observe(value as Promise<unknown>, span, s.asyncRows[span * ASYNC_ROW]);
  }
}

/**
 * Records the end of the span in row `span` whose promise settled (at tick `t`, by default now),
 * unless that row no longer holds span `id`: it ended already.
 */
export function settled(span: AsyncSpan, id: number, outcome: number, t: number = now()): void {
  const s = state;
  if (!isOpen(s, span, id)) return;
  setOutcome(s, span, outcome);
  recordAsyncEnd(s, span, t);
}

export function observe(promise: Promise<unknown>, span: AsyncSpan, id: number): void {
  const observer = state.observeSettlement;
  if (observer !== null) observer(promise, span, id);
  else observeByReaction(promise, span, id);
}

/**
 * Where no exact observer is installed (outside Node): one reaction, through the intrinsic
 * `then`. It leaves the promise marked handled, so a rejection nobody else handles goes
 * unreported by the platform; Node installs an exact observer instead (node/settlement.ts).
 */
export function observeByReaction(promise: Promise<unknown>, span: AsyncSpan, id: number): void {
  PROMISE_THEN.call(
    promise,
    () => settled(span, id, EventKind.asyncFulfilled),
    () => settled(span, id, EventKind.asyncRejected),
  );
}

const PROMISE_THEN = Promise.prototype.then;

export function isObject(value: unknown): value is object {
  return value !== null && (typeof value === "object" || typeof value === "function");
}

/** Looks for `then` through descriptors, so no getter runs; proxies are left alone. */
export function isThenable(value: object): boolean {
  if (state.isProxy(value)) return false;
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, "then");
    if (descriptor !== undefined) return typeof descriptor.value === "function" || descriptor.get !== undefined;
  }
  return false;
}
