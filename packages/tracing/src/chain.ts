/**
 * A function that returns a promise chain it made, `return p.then(f, g)` or `return p.catch(g)`,
 * has its span ended by that chain's own handlers: the generated code passes the call through
 * `chainThen`/`chainCatch`, which hand the very same `then` call wrapped handlers. Whichever
 * runs settles the returned promise in that same job, so the span ends exactly then, with no
 * promise hook and no reaction of spanfn's: the returned promise is not touched, no promise is
 * created, and a rejection stays unhandled exactly when it was.
 *
 * What the wrappers change is only what a native promise's intrinsic `then` never shows: the
 * functions it holds. Any other `then` (a subclass that overrides it, a thenable) gets the call
 * as written, arguments and all, and the span waits for the returned value as for any other.
 */
import { now } from "./clock.js";
import { EventKind } from "./events.js";
import { isOpen, recordAsyncEnd, setOutcome } from "./async-spans.js";
import { isObject, isThenable, observe } from "./settle.js";
import { ASYNC_ROW, ROW_FLAGS, ROW_ID, ROW_CHAINED, ROW_SETTLING, state, type AsyncSpan } from "./state.js";

const PROMISE_THEN = Promise.prototype.then;
const PROMISE_CATCH = Promise.prototype.catch;

type Handler = ((value: unknown) => unknown) | null | undefined;

/**
 * `target.then(onFulfilled, onRejected)` as the function wrote it: `method` is `target.then`,
 * read where the source read it; `arity` is how many arguments the source passed; `name` is
 * the callee as the engine would name it in a TypeError.
 */
export function chainThen(span: AsyncSpan, target: unknown, method: unknown, name: string, arity: number, onFulfilled?: Handler, onRejected?: Handler): unknown {
  if (typeof method !== "function") throw new TypeError(`${name} is not a function`);
  if (method !== PROMISE_THEN || span < 0) {
    return arity === 1 ? method.call(target, onFulfilled) : method.call(target, onFulfilled, onRejected);
  }
  return watch(span, target, onFulfilled, onRejected);
}

/** `target.catch(onRejected)` as the function wrote it; the intrinsic `catch` is `then(undefined, onRejected)`. */
export function chainCatch(span: AsyncSpan, target: unknown, method: unknown, name: string, onRejected?: Handler): unknown {
  if (typeof method !== "function") throw new TypeError(`${name} is not a function`);
  if (method !== PROMISE_CATCH || span < 0) return method.call(target, onRejected);
  // What the intrinsic catch does: look `then` up once and call it.
  const then = (target as { then?: unknown }).then;
  if (then !== PROMISE_THEN) {
    if (typeof then !== "function") throw new TypeError(`${String(then)} is not a function`);
    return then.call(target, undefined, onRejected);
  }
  return watch(span, target, undefined, onRejected);
}

function watch(span: AsyncSpan, target: unknown, onFulfilled: Handler, onRejected: Handler): unknown {
  const s = state;
  const id = s.asyncRows[span * ASYNC_ROW + ROW_ID];
  let returned: unknown;
  returned = PROMISE_THEN.call(
    target,
    (value: unknown) => settleBy(span, id, onFulfilled, value, false, returned),
    (reason: unknown) => settleBy(span, id, onRejected, reason, true, returned),
  );
  s.asyncRows[span * ASYNC_ROW + ROW_FLAGS] |= ROW_CHAINED;
  return returned;
}

/**
 * What the intrinsic `then` would do with `input` (call the handler, or pass a value on, or a
 * reason on by throwing), noting how the returned promise settles. A result that may be a
 * thenable is adopted by the returned promise later: a native promise is watched by a reaction
 * of its own (it is adopted anyway, so it is handled either way, and nothing runs between its
 * settling and the returned promise's but engine jobs); anything else, through the returned
 * promise itself.
 */
function settleBy(span: AsyncSpan, id: number, handler: Handler, input: unknown, rejected: boolean, returned: unknown): unknown {
  let result: unknown;
  if (typeof handler === "function") {
    try {
      result = handler(input);
    } catch (error) {
      chainSettled(span, id, EventKind.asyncRejected);
      throw error;
    }
  } else if (rejected) {
    chainSettled(span, id, EventKind.asyncRejected);
    throw input;
  } else result = input;
  if (isObject(result) && mayAdopt(result)) follow(span, id, result, returned);
  else chainSettled(span, id, EventKind.asyncFulfilled);
  return result;
}

function mayAdopt(value: object): boolean {
  const s = state;
  return s.isPromise(value) || s.isProxy(value) || isThenable(value);
}

function follow(span: AsyncSpan, id: number, result: object, returned: unknown): void {
  const s = state;
  if (!waiting(span, id)) return;
  if (s.isPromise(result) && !s.isProxy(result)) {
    PROMISE_THEN.call(
      result,
      () => chainSettled(span, id, EventKind.asyncFulfilled),
      () => chainSettled(span, id, EventKind.asyncRejected),
    );
  } else {
    s.asyncRows[span * ASYNC_ROW + ROW_FLAGS] &= ~ROW_CHAINED;
    observe(returned as Promise<unknown>, span, id);
  }
}

/** The span in row `span` still waits, and for its chain (the function returned it). */
function waiting(span: AsyncSpan, id: number): boolean {
  const flags = state.asyncRows[span * ASYNC_ROW + ROW_FLAGS];
  return isOpen(state, span, id) && (flags & ROW_SETTLING) !== 0 && (flags & ROW_CHAINED) !== 0;
}

function chainSettled(span: AsyncSpan, id: number, outcome: number): void {
  if (!waiting(span, id)) return;
  const s = state;
  setOutcome(s, span, outcome);
  recordAsyncEnd(s, span, now());
}
