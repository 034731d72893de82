/**
 * Full propagation: the current span also lives in an AsyncLocalStorage, so a span begun in a
 * `.then` callback, a timer or an event handler that un-instrumented code scheduled finds its
 * true parent. Costs an `enterWith` per span switch, and Node's async-context tax on every
 * promise in the process (the README's cost table, bench/RESULTS.md).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { currentContext } from "../current.js";
import { refreshPlainAsync, state, type CurrentContext } from "../state.js";

export function enableAsyncContext(): void {
  const s = state;
  if (s.node.asyncStorage !== null) return;
  const als = new AsyncLocalStorage<CurrentContext>();
  s.node.asyncStorage = als;
  // A span current now is carried over into the storage, as a context of its own.
  const current = currentContext(s);
  if (current !== null) als.enterWith(current);
  s.sp = 0;
  s.contextHook = {
    get: () => als.getStore(),
    set: (context) => als.enterWith(context),
  };
  refreshPlainAsync(s);
}

export function disableAsyncContext(): void {
  const storage = state.node.asyncStorage;
  if (storage === null) return;
  storage.disable();
  state.node.asyncStorage = null;
  state.contextHook = null;
  state.sp = 0;
  refreshPlainAsync(state);
}

export function asyncContextEnabled(): boolean {
  return state.node.asyncStorage !== null;
}
