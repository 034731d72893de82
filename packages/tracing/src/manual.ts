/** Spans for code the plugin does not touch: a callback scope and a promise wrapper. */
import { begin, end } from "./thread-spans.js";
import { beginAsync, endAsync, detachAsync, fail, suspend } from "./async-spans.js";

/** Runs `fn` inside a thread span of the given span site; returns what it returns. */
export function threadSpan<R>(site: number, fn: () => R): R {
  const token = begin(site);
  try {
    return fn();
  } finally {
    end(token);
  }
}

/**
 * The `InstrumentedFuture` of JavaScript: an async span from now (parent: the current span) until
 * `promise` settles. Returns a new promise that settles the same way; the span's end is recorded
 * before anything awaiting the result runs. A rejection stays unhandled exactly when the returned
 * promise is left unhandled. A thenable that is not a native promise is never `then`-ed (query
 * builders run on `then`): its span ends now, marked detached, and it is returned as it is.
 */
export function instrumentPromise<T>(promise: Promise<T>, site: number): Promise<T>;
export function instrumentPromise<T>(promise: PromiseLike<T>, site: number): PromiseLike<T>;
export function instrumentPromise<T>(promise: PromiseLike<T>, site: number): PromiseLike<T> {
  const span = beginAsync(site);
  suspend(span, undefined);
  if (!(promise instanceof Promise)) {
    detachAsync(span);
    return promise;
  }
  return promise.then(
    (value) => {
      endAsync(span);
      return value;
    },
    (error: unknown) => {
      fail(span);
      endAsync(span);
      throw error;
    },
  );
}
