/**
 * How a span waits for a returned promise. The caller always gets the very object that was
 * returned, and spanfn does nothing with it that a program could observe: no `then` call on it
 * (a subclass's `then` is user code), no property read that could run a getter or a proxy trap.
 * A thenable that is not a native promise is never `then`-ed (query builders run on `then`):
 * its span ends at return, marked detached.
 */
import { Kind } from "./layout.js";
import { markSettling, setOutcome, settled } from "./rows.js";
import { state, type AsyncSpan, type RuntimeState } from "./state.js";

/**
 * Called by `endAsync` with the object the span (row `span`, id `id`) returned: a native promise
 * keeps the span open until it settles; a foreign thenable ends it detached. Returns whether the
 * span now waits.
 */
export function settleReturned(s: RuntimeState, span: AsyncSpan, id: number, value: object): boolean {
  if (s.isPromise(value)) {
    markSettling(s, span);
    observe(s, value as Promise<unknown>, span, id);
    return true;
  }
  if (isThenable(s, value)) setOutcome(s, span, Kind.asyncDetached);
  return false;
}

/** Ends span `id` in row `span` when `promise` settles, through the installed observer. */
export function observe(s: RuntimeState, promise: Promise<unknown>, span: AsyncSpan, id: number): void {
  const observer = s.observeSettlement;
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
    () => settled(state, span, id, Kind.asyncFulfilled),
    () => settled(state, span, id, Kind.asyncRejected),
  );
}

const PROMISE_THEN = Promise.prototype.then;

export function isObject(value: unknown): value is object {
  return value !== null && (typeof value === "object" || typeof value === "function");
}

/** Looks for `then` through descriptors, so no getter runs; proxies are left alone. */
export function isThenable(s: RuntimeState, value: object): boolean {
  if (s.isProxy(value)) return false;
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, "then");
    if (descriptor !== undefined) return typeof descriptor.value === "function" || descriptor.get !== undefined;
  }
  return false;
}
