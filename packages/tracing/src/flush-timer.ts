/** Periodic flushing: one timer per thread, kept in the shared state so any copy of the runtime can stop it. */
import { flush } from "./queue.js";
import { isPositiveInteger, optionError } from "./options.js";
import { state } from "./state.js";

/** Flushes every `ms` milliseconds (0 stops); the timer never keeps a Node process alive. */
export function setFlushInterval(ms: number): void {
  const s = state;
  if (s.flushTimer !== null) clearInterval(s.flushTimer);
  s.flushTimer = null;
  if (ms === 0) return;
  if (!isPositiveInteger(ms)) throw optionError("flush interval", "a positive integer of milliseconds or 0", ms);
  const timer = setInterval(flush, ms);
  s.flushTimer = timer;
  const unref = (timer as { unref?: () => void }).unref;
  if (typeof unref === "function") unref.call(timer);
}
