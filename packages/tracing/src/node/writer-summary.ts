/**
 * The summary `spanfn run` prints at exit, aggregated by the writer thread from the blocks as
 * they pass, as `spanfn report` would aggregate it from the trace file.
 */
import type { EventBlock } from "../events.js";
import { visitBlock, visitUnfinished, type TraceFrame } from "../read/blocks.js";
import { SpanPairer } from "../read/spans.js";
import { SummaryBuilder, type Summary } from "../read/summary.js";
import { reportArgs } from "../sinks/report-args.js";
import type { ProcessInfo, RuntimeReport } from "../sinks/sink.js";

export class WriterSummary {
  private readonly frame: TraceFrame;
  private readonly summary = new SummaryBuilder();
  private readonly pairer = new SpanPairer((span) => this.summary.add(span));

  constructor(process: ProcessInfo) {
    this.frame = { pid: process.pid, originMs: process.clock.timeOrigin };
  }

  /** Takes in the spans of `block`; returns how many events it held. */
  block(block: EventBlock): number {
    const events = visitBlock(this.frame, block, this.pairer);
    this.summary.event(events);
    return events;
  }

  /** The summary, with the spans still open at the end (the report's unfinished) and its counts. */
  finish(report: RuntimeReport): Summary {
    const { frame, pairer, summary } = this;
    visitUnfinished(frame, report.unfinished, (report.clock.timeOrigin - frame.originMs + report.at) * 1000, pairer);
    summary.report(reportArgs(report));
    return summary.finish(pairer.openCount());
  }
}
