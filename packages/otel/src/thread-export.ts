/**
 * The program's side of OpenTelemetry export on spanfn's writer thread (writer-output.ts does
 * the work there): what it resolved before starting, the counts the writer thread reports back,
 * and the line that says what did not reach the collector.
 */
import { flush as flushRuntime, type Summary } from "@spanfn/tracing";
import type { TraceWriterSink } from "@spanfn/tracing/node";
import { describeExportLosses, type OtelExport } from "./losses.js";
import type { ExportStats } from "./pipeline.js";
import type { ResolvedSettings } from "./settings.js";

const NOTHING_YET: ExportStats = { exported: 0, droppedQueueFull: 0, failed: 0, pending: 0, batches: 0, retries: 0, lastError: undefined };

export class ThreadExport implements OtelExport {
  private last: ExportStats = NOTHING_YET;

  constructor(
    private readonly writer: TraceWriterSink,
    /** The output's module, as given to the writer: its report is the one whose module is this. */
    private readonly module: string,
    readonly destinationName: string,
    private readonly settings: ResolvedSettings,
    private readonly warn: (message: string) => void,
  ) {}

  summary(): Summary | undefined {
    return this.writer.summary();
  }

  stats(): ExportStats {
    const final = this.writer.results()?.find((report) => report.module === this.module);
    if (final?.result !== undefined) this.last = final.result as ExportStats;
    return { ...this.last };
  }

  async flush(timeoutMillis = this.settings.shutdownTimeoutMillis): Promise<boolean> {
    flushRuntime();
    const reply = await this.writer.flushOutputs(timeoutMillis);
    const report = reply.outputs.find((output) => output.module === this.module);
    if (report?.result !== undefined) this.last = report.result as ExportStats;
    return reply.done && report?.error === undefined;
  }

  describeLosses(): string {
    return describeExportLosses(this.stats(), this.destinationName, this.settings.maxQueueSize);
  }

  reportLosses(): void {
    const line = this.describeLosses();
    if (line !== "") this.warn(line);
  }
}
