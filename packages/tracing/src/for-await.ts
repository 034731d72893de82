/**
 * `for await (x of iterable)` suspends at its head, where generated code cannot put a `suspend`
 * call. The loop iterates a thin wrapper instead, whose `next`/`return`/`throw` call the real
 * iterator (with exactly the arguments they got) and then hand "current" back, right before the
 * loop awaits. It returns the very result objects and promises of the real iterator, so nothing
 * about timing changes; what is not iterable fails with the message the engine would give.
 */
import { resume, suspend } from "./async-spans.js";
import type { AsyncSpan } from "./state.js";

type Method = (...args: unknown[]) => unknown;
type AnyIterator = { next: Method; return?: Method; throw?: Method };
/** An async generator's span changes at each yield: it passes a getter. */
type SpanSource = AsyncSpan | (() => AsyncSpan);

export function forAwait(span: SpanSource, iterable: unknown, name = "(intermediate value)"): unknown {
  if (iterable === null || iterable === undefined) return iterable;
  const source = iterable as Record<symbol, unknown>;
  const asyncFactory = source[Symbol.asyncIterator];
  if (asyncFactory !== undefined && asyncFactory !== null) {
    if (typeof asyncFactory !== "function") throw new TypeError(`${name} is not async iterable`);
    return { [Symbol.asyncIterator]: () => wrap(span, asyncFactory.call(iterable)) };
  }
  const syncFactory = source[Symbol.iterator];
  if (syncFactory === undefined || syncFactory === null || typeof syncFactory !== "function") {
    throw new TypeError(`${name} is not async iterable`);
  }
  return { [Symbol.iterator]: () => wrap(span, syncFactory.call(iterable)) };
}

function current(span: SpanSource): AsyncSpan {
  return typeof span === "function" ? span() : span;
}

/**
 * Each call runs with the span current (the loop may get here by a `continue` from an inner
 * loop that had handed it back), then hands it back right before the loop awaits.
 */
function step(span: SpanSource, iterator: AnyIterator, method: Method, args: unknown[]): unknown {
  const s = current(span);
  resume(s);
  return suspend(s, method.apply(iterator, args));
}

function wrap(span: SpanSource, iterator: AnyIterator): AnyIterator {
  if (iterator === null || typeof iterator !== "object") return iterator;
  const next = iterator.next;
  return {
    next: through(span, iterator, next),
    get return() {
      return through(span, iterator, iterator.return);
    },
    get throw() {
      return through(span, iterator, iterator.throw);
    },
  } as AnyIterator;
}

/**
 * A method that is not a function (absent, or anything else) is handed to the loop as it is:
 * the loop then skips it or throws the engine's own TypeError, from the program's realm, as it
 * would without the wrapper.
 */
function through(span: SpanSource, iterator: AnyIterator, method: unknown): unknown {
  return typeof method === "function" ? (...args: unknown[]) => step(span, iterator, method as Method, args) : method;
}
