/**
 * `for await (x of iterable)` suspends at its head, where generated code cannot put a `suspend`
 * call. The loop iterates a thin wrapper instead, whose `next`/`return`/`throw` call the real
 * iterator and then hand "current" back, right before the loop awaits. It returns the very
 * result objects and promises of the real iterator, so nothing about timing changes.
 */
import { suspend } from "./spans.js";
import type { AsyncSpan } from "./state.js";

type Method = (value?: unknown) => unknown;
type AnyIterator = { next: Method; return?: Method; throw?: Method };

export function forAwait(span: AsyncSpan, iterable: unknown): unknown {
  if (span.id === 0 || iterable === null || iterable === undefined) return iterable;
  const source = iterable as Record<symbol, unknown>;
  const asyncFactory = source[Symbol.asyncIterator];
  if (asyncFactory !== undefined && asyncFactory !== null) {
    return { [Symbol.asyncIterator]: () => wrap(span, (asyncFactory as () => AnyIterator).call(iterable)) };
  }
  const syncFactory = source[Symbol.iterator];
  if (syncFactory !== undefined && syncFactory !== null) {
    return { [Symbol.iterator]: () => wrap(span, (syncFactory as () => AnyIterator).call(iterable)) };
  }
  return iterable;
}

function wrap(span: AsyncSpan, iterator: AnyIterator): AnyIterator {
  if (iterator === null || typeof iterator !== "object") return iterator;
  const next = iterator.next;
  return {
    next: (value?: unknown) => suspend(span, next.call(iterator, value)),
    get return() {
      const method = iterator.return;
      return method === undefined || method === null ? method : (value?: unknown) => suspend(span, method.call(iterator, value));
    },
    get throw() {
      const method = iterator.throw;
      return method === undefined || method === null ? method : (value?: unknown) => suspend(span, method.call(iterator, value));
    },
  } as AnyIterator;
}
