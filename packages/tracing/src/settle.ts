/**
 * A function compiled with a thread span (static detection saw no promise) that returned a
 * native promise anyway: the thread span covers the synchronous part, and an async span runs
 * from the return until the promise settles. The function is noted once, for the summary.
 */
import { end } from "./thread-spans.js";
import { beginAsync, suspend } from "./async-spans.js";
import { markSettling, spanIdOf } from "./rows.js";
import { isObject, observe } from "./promises.js";
import { siteOf } from "./layout.js";
import { state } from "./state.js";

/** Ends the thread span of a function that returned `value`. */
export function endReturn(token: number, value: unknown): void {
  // A demoted site (a token below "not recorded") returned no promise in the calls that demoted
  // it (one that does is never demoted): its calls skip the check, which costs more than they do.
  if (token < 0) return;
  end(token);
  // The rest is apart: V8 inlines by the size of the whole function, not of its common path.
  if (isObject(value)) endReturnedObject(siteOf(token), value);
}

function endReturnedObject(site: number, value: object): void {
  const s = state;
  if (!s.isPromise(value)) return;
  if (!s.promiseReturningSync.has(site)) s.promiseReturningSync.add(site);
  const span = beginAsync(site);
  suspend(span, undefined);
  if (span >= 0) {
    markSettling(s, span);
    observe(s, value as Promise<unknown>, span, spanIdOf(s, span));
  }
}
