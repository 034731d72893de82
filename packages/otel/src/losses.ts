/**
 * What an export, on this thread or on the writer thread, tells the program at exit: its
 * counts, and one line when spans did not reach the collector.
 */
import type { ExportStats } from "./pipeline.js";

/** What `installOtel` returns, wherever the export runs. */
import type { Summary } from "@spanfn/tracing";

export interface OtelExport {
  /** The collector's URL, or the custom exporter's name. */
  readonly destinationName: string;
  /** Counts so far (on the writer thread: as of the last `flush()`, or shutdown). */
  stats(): ExportStats;
  /** Exports everything recorded so far; resolves true when all of it was handed over in time. */
  flush(timeoutMillis?: number): Promise<boolean>;
  /** One line when spans did not reach the collector; "" when all did. */
  describeLosses(): string;
  reportLosses(): void;
  /** The trace file as the writer thread summarised it (`summary: true`), after shutdown. */
  summary?(): Summary | undefined;
}

export function describeExportLosses(stats: ExportStats, destination: string, maxQueueSize: number): string {
  const lost = stats.droppedQueueFull + stats.failed + stats.pending;
  if (lost === 0) return "";
  const parts: string[] = [];
  if (stats.failed > 0) parts.push(`${stats.failed} in failed exports`);
  if (stats.droppedQueueFull > 0) parts.push(`${stats.droppedQueueFull} dropped with the export queue full (maxQueueSize ${maxQueueSize})`);
  if (stats.pending > 0) parts.push(`${stats.pending} still in flight at exit`);
  const cause = stats.lastError === undefined ? "" : `; last error: ${stats.lastError}`;
  return `spanfn: ${lost} of ${lost + stats.exported} spans were not exported to ${destination} (${parts.join(", ")})${cause}`;
}
