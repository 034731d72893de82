/** What the runtime reports (counters, open and demoted spans), and shutting the sink down with it. */
import { now } from "./clock.js";
import type { RuntimeReport } from "./events.js";
import { demotedSites } from "./demote.js";
import { openSpans } from "./open.js";
import { flush, sinkFailed } from "./queue.js";
import { state } from "./state.js";

/** Counters and open spans, as of now (flushes first so the count covers everything). */
export function report(atExit = false): RuntimeReport {
  flush();
  const s = state;
  return {
    droppedSpans: s.droppedSpans,
    lostEvents: s.lostEvents,
    lostEnds: s.lostEnds,
    earlySpans: s.earlySpans,
    sinkErrors: s.sinkErrors,
    unfinished: openSpans(s),
    promiseReturningSync: [...s.promiseReturningSync].map((site) => {
      const meta = s.metadata[site];
      return { name: meta?.name ?? `#${site}`, file: meta?.file ?? "", line: meta?.line ?? 0 };
    }),
    atExit,
    demoted: [...demotedSites(s).map((site) => ({ ...site, thread: s.thread })), ...[...s.foreignDemoted.values()].flat()],
    at: now(),
    clock: s.clock,
  };
}

/**
 * Flushes and lets the sink finish (its `shutdown` gets the report). Synchronous sinks finish
 * before this returns, so it is safe in a process `exit` handler (pass `atExit` there, so an
 * asynchronous sink knows to do its last work synchronously). Idempotent per sink.
 */
export function shutdown(atExit = false): RuntimeReport {
  const result = report(atExit);
  const s = state;
  const sink = s.sink;
  if (sink !== null && typeof sink.shutdown === "function") {
    s.sink = null;
    try {
      const done = sink.shutdown(result);
      if (done !== undefined && typeof done.then === "function") {
        done.then(undefined, (error: unknown) => sinkFailed(s, error, 0));
      }
    } catch (error) {
      sinkFailed(s, error, 0);
    }
  }
  return result;
}
