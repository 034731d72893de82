/** What each Chrome trace event means to a trace visitor. */
import type { ChromeTraceEvent, TraceEventVisitor } from "@spanfn/tracing";

/** Hands one Chrome event to the visitor: `X` as a begin and its end, `M` only for thread names and spanfn's counters. */
export function visitChromeEvent(e: ChromeTraceEvent, on: TraceEventVisitor): void {
  switch (e.ph) {
    case "B":
      on.threadBegin(`${e.pid}:${e.tid}`, e.ts ?? 0, e.name ?? "?", e.args);
      break;
    case "E":
      on.threadEnd(`${e.pid}:${e.tid}`, e.ts ?? 0, (e.args as { unfinished?: unknown } | undefined)?.unfinished === true);
      break;
    case "X": {
      const thread = `${e.pid}:${e.tid}`;
      // spanfn writes an X only for a span with nothing inside it; another tool's X comes before
      // the spans inside it, which the pairer nests in it.
      if (on.threadComplete !== undefined) on.threadComplete(thread, e.ts ?? 0, e.dur ?? 0, e.name ?? "?", e.args);
      else {
        on.threadBegin(thread, e.ts ?? 0, e.name ?? "?", e.args);
        on.threadEnd(thread, (e.ts ?? 0) + (e.dur ?? 0), false);
      }
      break;
    }
    case "b": {
      const parent = (e.args as { parent?: unknown } | undefined)?.parent;
      on.asyncBegin(asyncKey(e), `${e.pid}:${e.tid}`, e.ts ?? 0, e.name ?? "?", parent ? `${e.pid}:${parent}` : null, e.args);
      break;
    }
    case "e":
      on.asyncEnd(asyncKey(e), e.ts ?? 0, String((e.args as { outcome?: unknown } | undefined)?.outcome ?? ""));
      break;
    case "M":
      if (e.name === "thread_name") on.threadName?.(`${e.pid}:${e.tid}`, String((e.args as { name?: unknown } | undefined)?.name ?? ""));
      else if (e.name === "spanfn_report") on.report?.(e.args ?? {});
      break;
  }
}

/** An async event's span key: its process and id (`id`, or another tool's `id2`). */
function asyncKey(e: ChromeTraceEvent): string {
  return `${e.pid}:${e.id ?? e.id2?.local ?? e.id2?.global}`;
}
