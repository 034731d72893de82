/** `spanfn report`: the summary of an existing trace, for people or (`--json`) for machines. */
import { readFileSync } from "node:fs";
import { parseChromeTrace } from "@spanfn/tracing";
import { UsageError, type ReportOptions } from "./args.js";
import { formatSummary, summarize, type Summary } from "./summary.js";
import { renderHtml } from "./html.js";
import type { ChromeTraceEvent } from "@spanfn/tracing";
import { writeFileSync } from "node:fs";

/** Writes the HTML report, with progress on a terminal (and nothing when piped). */
export function writeHtml(file: string, events: readonly ChromeTraceEvent[], summary: Summary): void {
  const tty = process.stderr.isTTY === true && events.length >= 200_000;
  const html = renderHtml(events, summary, tty ? (done, total) => process.stderr.write(`\rspanfn: report ${Math.round((100 * done) / total)}%`) : undefined);
  if (tty) process.stderr.write("\n");
  writeFileSync(file, html);
}

export function report(options: ReportOptions): string {
  let text: string;
  try {
    text = readFileSync(options.file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let events;
  try {
    events = parseChromeTrace(text);
  } catch {
    throw new UsageError(`${options.file} is not a Chrome trace (expected a JSON array of events or an object with traceEvents)`);
  }
  const summary = summarize(events);
  if (options.html !== undefined) writeHtml(options.html, events, summary);
  if (options.json) {
    const spans = [...summary.spans].sort((a, b) => b[options.sort ?? "total"] - a[options.sort ?? "total"]).slice(0, options.top);
    return `${JSON.stringify({ ...summary, spans }, null, 2)}\n`;
  }
  return formatSummary(summary, { top: options.top, sort: options.sort });
}
