/** `spanfn report`: the summary of an existing trace, for people or (`--json`) for machines. */
import { readFileSync } from "node:fs";
import { parseChromeTrace } from "@spanfn/tracing";
import { UsageError, type ReportOptions } from "./args.js";
import { formatSummary, summarize } from "./summary.js";

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
  if (options.json) {
    const spans = [...summary.spans].sort((a, b) => b[options.sort ?? "total"] - a[options.sort ?? "total"]).slice(0, options.top);
    return `${JSON.stringify({ ...summary, spans }, null, 2)}\n`;
  }
  return formatSummary(summary, { top: options.top, sort: options.sort });
}
