/** `spanfn report`: the summary of an existing trace, for people or (`--json`) for machines. */
import { writeFileSync } from "node:fs";
import { SpanPairer, SummaryBuilder, type ChromeTraceEvent, type Summary } from "@spanfn/tracing";
import { UsageError, type ReportOptions } from "./args.js";
import { formatSummary, spanEvents } from "./summary.js";
import { renderHtml } from "./html.js";
import { readChromeTrace } from "./read/chrome.js";
import { readPerfetto } from "./read/perfetto.js";
import { traceFormat } from "./read/format.js";

/** The HTML report holds every event in memory and every span in the page: past this, it is refused. */
export const HTML_EVENT_LIMIT = 4_000_000;

/** Writes the HTML report, with progress on a terminal (and nothing when piped). */
export function writeHtml(file: string, events: readonly ChromeTraceEvent[], summary: Summary): void {
  const tty = process.stderr.isTTY === true && events.length >= 200_000;
  const html = renderHtml(events, summary, tty ? (done, total) => process.stderr.write(`\rspanfn: report ${Math.round((100 * done) / total)}%`) : undefined);
  if (tty) process.stderr.write("\n");
  writeFileSync(file, html);
}

/**
 * The summary of a trace file, read as a stream: memory grows with the spans open at once and the
 * distinct names, not the file. `onEvent` sees each event of a JSON trace (Perfetto: none).
 */
export async function summarizeFile(file: string, onEvent?: (event: ChromeTraceEvent) => void, perfettoRefusal?: string): Promise<Summary> {
  const builder = new SummaryBuilder();
  const pairer = new SpanPairer(
    (span) => builder.add(span),
    (args) => builder.report(args),
  );
  if ((await traceFormat(file)) === "perfetto") {
    if (perfettoRefusal !== undefined) throw new UsageError(`${perfettoRefusal}; ${file} is not JSON`);
    builder.event((await readPerfetto(file, pairer)).events);
  } else {
    const { cutShort } = await readChromeTrace(file, pairer, (event) => {
      builder.event(spanEvents(event));
      onEvent?.(event);
    });
    if (cutShort === "inside an event") {
      process.stderr.write(`spanfn: ${file} ends inside an event (a run cut short?): the events before it are summarised\n`);
    }
  }
  return builder.finish(pairer.finish());
}

/** `spanfn report FILE`: the summary as text or JSON, and the HTML report when asked. */
export async function report(options: ReportOptions): Promise<string> {
  const kept: ChromeTraceEvent[] | undefined = options.html === undefined ? undefined : [];
  const keep =
    kept === undefined
      ? undefined
      : (event: ChromeTraceEvent) => {
          if (kept.length === HTML_EVENT_LIMIT) {
            throw new UsageError(
              `${options.file} has over ${HTML_EVENT_LIMIT.toLocaleString("en-US")} events: too many for the HTML report, which holds them all; ` +
                `spanfn report without --html summarises a trace of any size`,
            );
          }
          kept.push(event);
        };
  const summary = await summarizeFile(options.file, keep, options.html === undefined ? undefined : "--html reads Chrome JSON traces only");
  if (kept !== undefined) writeHtml(options.html!, kept, summary);
  if (options.json) {
    const spans = [...summary.spans].sort((a, b) => b[options.sort ?? "total"] - a[options.sort ?? "total"]).slice(0, options.top);
    return `${JSON.stringify({ ...summary, spans }, null, 2)}\n`;
  }
  return formatSummary(summary, { top: options.top, sort: options.sort });
}
