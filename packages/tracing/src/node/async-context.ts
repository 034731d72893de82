/**
 * Full propagation: the current span also lives in an AsyncLocalStorage, so a span begun in a
 * `.then` callback, a timer or an event handler that un-instrumented code scheduled finds its
 * true parent. Costs an `enterWith` per span switch, and Node's async-context tax on every
 * promise in the process; see the README's measurements.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { AsyncSpan, refreshPlainAsync, state } from "../state.js";

let storage: AsyncLocalStorage<AsyncSpan> | null = null;

export function enableAsyncContext(): void {
  if (storage !== null) return;
  const als = new AsyncLocalStorage<AsyncSpan>();
  storage = als;
  state.contextHook = {
    get: () => als.getStore(),
    set: (span) => als.enterWith(span),
  };
  refreshPlainAsync(state);
  // A span current now is carried over as an object with its id, depth and floor.
  if (state.currentId !== 0) {
    const current = new AsyncSpan(state.currentId, 0, state.currentDepth, -1);
    current.floor = state.floor;
    current.ended = true;
    als.enterWith(current);
  }
}

export function disableAsyncContext(): void {
  if (storage === null) return;
  storage.disable();
  storage = null;
  state.contextHook = null;
  refreshPlainAsync(state);
  state.currentId = 0;
  state.currentDepth = 0;
  state.floor = 0;
}

export function asyncContextEnabled(): boolean {
  return storage !== null;
}
