/**
 * Spans that end when a returned promise settles. The caller always gets the very object that
 * was returned; spanfn never calls `then` on a thenable that is not a native promise (query
 * builders run on `then`): such a span ends at return, marked detached.
 */
import { now } from "./clock.js";
import { EventKind } from "./events.js";
import { beginAsync, recordAsyncEnd, suspend } from "./spans.js";
import { state, type AsyncSpan } from "./state.js";

/** `return value` inside an `async function`. */
export function asyncReturn<T>(span: AsyncSpan, value: T): T {
  if (span.id === 0 || span.ended || !isObject(value)) return value;
  if (value instanceof Promise) {
    // The function's own promise adopts `value`, which attaches a reaction to it in any case:
    // one more changes neither its handled state nor what the caller sees.
    span.settling = true;
    value.then(
      () => settled(span, EventKind.asyncFulfilled),
      () => settled(span, EventKind.asyncRejected),
    );
  } else if (isThenable(value)) {
    span.outcome = EventKind.asyncDetached;
  }
  return value;
}

/** `return value` in a function without `async` that was found to return a promise. */
export function promiseReturn<T>(span: AsyncSpan, value: T): T {
  if (span.id === 0 || span.ended || !isObject(value)) return value;
  if (value instanceof Promise) {
    span.settling = true;
    observe(value, span);
  } else if (isThenable(value)) {
    span.outcome = EventKind.asyncDetached;
  }
  return value;
}

/**
 * `return value` in a function compiled with a thread span: the run-time check. A native promise
 * here means static detection missed it: the thread span covers the synchronous part, and an
 * async span runs from the return until the promise settles. The function is noted once.
 */
export function threadReturn<T>(token: number, value: T): T {
  if (token >= 0 && value instanceof Promise) {
    const s = state;
    if (!s.promiseReturningSync.has(token)) s.promiseReturningSync.add(token);
    const span = beginAsync(token);
    suspend(span, undefined);
    if (span.id !== 0) {
      span.settling = true;
      observe(value, span);
    }
  }
  return value;
}

/** Records the end of a span whose promise settled. */
export function settled(span: AsyncSpan, outcome: number): void {
  if (span.ended) return;
  span.outcome = outcome;
  recordAsyncEnd(state, span, now());
}

function observe(promise: Promise<unknown>, span: AsyncSpan): void {
  const observer = state.observeSettlement;
  if (observer !== null) observer(promise, span);
  else observeByReaction(promise, span);
}

/**
 * Where no exact observer is installed (outside Node): one reaction. Its cost is one promise
 * reaction, and it leaves the promise marked handled, so a rejection nobody else handles is not
 * reported by the platform; Node installs an exact observer instead (node/settlement.ts).
 */
export function observeByReaction(promise: Promise<unknown>, span: AsyncSpan): void {
  promise.then(
    () => settled(span, EventKind.asyncFulfilled),
    () => settled(span, EventKind.asyncRejected),
  );
}

function isObject(value: unknown): value is object {
  return value !== null && (typeof value === "object" || typeof value === "function");
}

function isThenable(value: object): boolean {
  return typeof (value as { then?: unknown }).then === "function";
}
