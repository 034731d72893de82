import type { RuntimeReport } from "./sink.js";

/**
 * The runtime's report as a trace carries it (Chrome's `spanfn_report` metadata event, and what
 * trace readers hand to `SummaryBuilder.report`): counters, and names where the report has spans.
 */
export function reportArgs(report: RuntimeReport): Record<string, unknown> {
  return {
    droppedSpans: report.droppedSpans,
    lostEvents: report.lostEvents,
    lostEnds: report.lostEnds ?? 0,
    earlySpans: report.earlySpans ?? 0,
    sinkErrors: report.sinkErrors,
    unfinished: report.unfinished.map((s) => s.name),
    // A site defined at run time (the decorator without the plugin) has no place to show.
    promiseReturningSync: report.promiseReturningSync.map((f) => (f.file === "" ? f.name : `${f.name} (${f.file}:${f.line})`)),
    // Call counts of functions demoted to counters (their spans stopped; these calls are not in the trace).
    demoted: (report.demoted ?? []).map((d) => ({ name: d.name, file: d.file, line: d.line, tid: d.thread.id, calls: d.calls, recorded: d.recorded })),
  };
}
