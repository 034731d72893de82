/**
 * A function that returns a promise it made, `return p.then(f, g)`, `return p.catch(g)` or
 * `return new Promise(executor)`, has its span ended by what settles that promise: the generated
 * code passes the call through `chainThen`/`chainCatch`/`chainNew`, which make the very same
 * call with wrapped handlers (or resolving functions). Whichever runs settles the returned
 * promise in that same job, so the span ends exactly then, with no promise hook and no reaction
 * of spanfn's: the returned promise is not touched, no other promise is created, and a
 * rejection stays unhandled exactly when it was.
 *
 * What the wrappers change is only what the intrinsic `then` and `Promise` constructor never
 * show: the functions they hold (and the executor's resolving functions, which are not V8's own
 * but call them). Any other `then` (a subclass that overrides it, a thenable) or constructor gets
 * the call as written, arguments and all, and the span waits for the returned value as for any
 * other.
 */
import { now } from "./clock.js";
import { Kind, Row, RowFlag } from "./layout.js";
import { addFlags, flagsOf, isOpen, recordAsyncEnd } from "./rows.js";
import { isObject, isThenable, observe } from "./promises.js";
import { state, type AsyncSpan } from "./state.js";

const NATIVE_PROMISE = Promise;
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

/*
 * The handlers below run once per promise a traced function makes, so the row is read inline
 * (layout.ts numbers, literals in the build): an id returned from a call that is not inlined
 * would be a heap number.
 */

/** Marks the span in row `span` as ended by the promise it makes; returns the span's id. */
function claim(span: AsyncSpan): number {
  const rows = state.asyncRows;
  const at = span * Row.size;
  rows[at + Row.flags] |= RowFlag.chained;
  return rows[at];
}

function watch(span: AsyncSpan, target: unknown, onFulfilled: Handler, onRejected: Handler): unknown {
  // claim(), inline.
  const rows = state.asyncRows;
  const at = span * Row.size;
  rows[at + Row.flags] |= RowFlag.chained;
  const id = rows[at];
  let returned: Promise<unknown>;
  returned = PROMISE_THEN.call(
    target,
    (value: unknown) => settleBy(span, id, onFulfilled, value, false, returned),
    (reason: unknown) => settleBy(span, id, onRejected, reason, true, returned),
  );
  return returned;
}

type Executor = (resolve: (value: unknown) => void, reject: (reason: unknown) => void) => void;

/**
 * `new constructor(executor)` as the function wrote it (`constructor` is what `Promise` named
 * there). The intrinsic constructor runs the executor with resolving functions that note the
 * first settlement, then call V8's own; the executor may call them before the function returns
 * (the span then ends at the return, with that outcome).
 */
export function chainNew(span: AsyncSpan, constructor: unknown, executor: unknown): unknown {
  if (constructor !== NATIVE_PROMISE || span < 0 || typeof executor !== "function") {
    return new (constructor as new (executor: unknown) => unknown)(executor);
  }
  const id = claim(span);
  let promise: Promise<unknown> | null = null;
  // A thenable it was resolved with while being made: followed once it exists.
  let adopting: object | null = null;
  let done = false;
  const rejected = () => {
    if (done) return;
    done = true;
    chainSettled(span, id, Kind.asyncRejected);
  };
  promise = new NATIVE_PROMISE((resolve, reject) => {
    try {
      (executor as Executor)(
        (value: unknown) => {
          if (!done) {
            done = true;
            if (!isObject(value) || !mayAdopt(value)) chainSettled(span, id, Kind.asyncFulfilled);
            else if (promise === null) adopting = value;
            else follow(span, id, value, promise);
          }
          return resolve(value);
        },
        (reason: unknown) => {
          rejected();
          return reject(reason);
        },
      );
    } catch (error) {
      // The constructor rejects with it, unless the promise was resolved already.
      rejected();
      throw error;
    }
  });
  if (adopting !== null) follow(span, id, adopting, promise);
  return promise;
}

/**
 * What the intrinsic `then` would do with `input` (call the handler, or pass a value on, or a
 * reason on by throwing), noting how the returned promise settles. A result that may be a
 * thenable is adopted by the returned promise later: a native promise is watched by a reaction
 * of its own (it is adopted anyway, so it is handled either way, and nothing runs between its
 * settling and the returned promise's but engine jobs); anything else, through the returned
 * promise itself.
 */
function settleBy(span: AsyncSpan, id: number, handler: Handler, input: unknown, rejected: boolean, returned: Promise<unknown>): unknown {
  let result: unknown;
  if (typeof handler === "function") {
    try {
      result = handler(input);
    } catch (error) {
      chainSettled(span, id, Kind.asyncRejected);
      throw error;
    }
  } else if (rejected) {
    chainSettled(span, id, Kind.asyncRejected);
    throw input;
  } else result = input;
  if (isObject(result) && mayAdopt(result)) follow(span, id, result, returned);
  else chainSettled(span, id, Kind.asyncFulfilled);
  return result;
}

function mayAdopt(value: object): boolean {
  const s = state;
  return s.isPromise(value) || s.isProxy(value) || isThenable(s, value);
}

function follow(span: AsyncSpan, id: number, result: object, returned: Promise<unknown>): void {
  const s = state;
  if (!watched(span, id)) return;
  if (s.isPromise(result) && !s.isProxy(result)) {
    PROMISE_THEN.call(
      result,
      () => chainSettled(span, id, Kind.asyncFulfilled),
      () => chainSettled(span, id, Kind.asyncRejected),
    );
  } else {
    addFlags(s, span, RowFlag.observed);
    observe(s, returned, span, id);
  }
}

/** The span in row `span` is still the one the chain was made for, and the chain settles it. */
function watched(span: AsyncSpan, id: number): boolean {
  const flags = flagsOf(state, span);
  return isOpen(state, span, id) && (flags & RowFlag.chained) !== 0 && (flags & (RowFlag.observed | RowFlag.presettled)) === 0;
}

/**
 * The chain settled with `outcome`. After the function returned (it waits: settling), the
 * span ends now; before, the outcome is noted and the span ends at the return (async-spans.ts).
 * `watched` and `setOutcome`, written out.
 */
function chainSettled(span: AsyncSpan, id: number, outcome: number): void {
  const s = state;
  const rows = s.asyncRows;
  const at = span * Row.size;
  if (span < 0 || rows[at] !== id) return;
  const flags = rows[at + Row.flags];
  // Chained, and neither observed nor settled before the return.
  if ((flags & (RowFlag.chained | RowFlag.observed | RowFlag.presettled)) !== RowFlag.chained) return;
  rows[at + Row.outcome] = outcome;
  if ((flags & RowFlag.settling) === 0) {
    rows[at + Row.flags] = flags | RowFlag.presettled;
    return;
  }
  recordAsyncEnd(s, span, now());
}
