/**
 * `spanfn report --diff BEFORE AFTER`: two traces of one program side by side, span name by span
 * name, each read as a stream into its summary (report.ts), then joined.
 */
import type { DiffOptions, SortKey } from "./args.js";
import { summarizeFile } from "./report.js";
import type { SpanStats, Summary } from "./summary.js";

/** The numbers compared, in the order the table shows them. */
const METRICS = ["count", "total", "self", "p50", "p99"] as const;
type Metric = (typeof METRICS)[number];

export interface SpanDiff {
  name: string;
  kind: "thread" | "async";
  /** null: no such span in that trace. */
  before: SpanStats | null;
  after: SpanStats | null;
}

/** The spans of both summaries, matched by name and kind, ordered by the change in `key` (largest first, either way). */
export function diffSummaries(before: Summary, after: Summary, key: SortKey = "total"): SpanDiff[] {
  const rows = new Map<string, SpanDiff>();
  const row = (s: SpanStats) => {
    const id = `${s.kind}\u0000${s.name}`;
    let r = rows.get(id);
    if (r === undefined) rows.set(id, (r = { name: s.name, kind: s.kind, before: null, after: null }));
    return r;
  };
  for (const s of before.spans) row(s).before = s;
  for (const s of after.spans) row(s).after = s;
  const change = (r: SpanDiff) => Math.abs((r.after?.[key] ?? 0) - (r.before?.[key] ?? 0));
  return [...rows.values()].sort((a, b) => change(b) - change(a) || a.name.localeCompare(b.name));
}

function value(metric: Metric, n: number): string {
  return metric === "count" ? String(n) : (n / 1000).toFixed(3);
}

/** "+12.5%", "-3", "new", "gone", "=" */
function changeText(metric: Metric, before: SpanStats | null, after: SpanStats | null): string {
  if (before === null) return "new";
  if (after === null) return "gone";
  const a = before[metric];
  const b = after[metric];
  if (a === b) return "=";
  if (metric === "count") return `${b > a ? "+" : ""}${b - a}`;
  if (a === 0) return "new";
  const percent = ((b - a) / a) * 100;
  return `${percent > 0 ? "+" : ""}${percent.toFixed(Math.abs(percent) < 10 ? 1 : 0)}%`;
}

export function formatDiff(beforeName: string, afterName: string, rows: readonly SpanDiff[], options: { top: number; sort: SortKey }): string {
  const shown = rows.slice(0, options.top);
  const nameWidth = Math.min(60, Math.max(4, ...shown.map((r) => r.name.length)));
  const width = 10;
  const out: string[] = [
    `before: ${beforeName}`,
    `after:  ${afterName}`,
    `${shown.length} of ${rows.length} spans, by the change in ${options.sort}${options.sort === "count" ? "" : " time"}; times in ms`,
    "",
  ];
  const groups = METRICS.map((m) => `${m}${m === "count" ? "" : " ms"}`.padStart(width) + "".padStart(2 * width));
  out.push(`${"".padEnd(nameWidth)}  ${"".padEnd(6)} ${groups.join(" ")}`);
  const subheads = METRICS.map(() => `${"before".padStart(width)}${"after".padStart(width)}${"change".padStart(width)}`);
  out.push(`${"span".padEnd(nameWidth)}  ${"kind".padEnd(6)} ${subheads.join(" ")}`);
  for (const r of shown) {
    const name = r.name.length > nameWidth ? `…${r.name.slice(r.name.length - nameWidth + 1)}` : r.name;
    const cells = METRICS.map(
      (m) =>
        `${(r.before === null ? "-" : value(m, r.before[m])).padStart(width)}${(r.after === null ? "-" : value(m, r.after[m])).padStart(width)}` +
        changeText(m, r.before, r.after).padStart(width),
    );
    out.push(`${name.padEnd(nameWidth)}  ${r.kind.padEnd(6)} ${cells.join(" ")}`);
  }
  return out.join("\n") + "\n";
}

export async function diff(options: DiffOptions): Promise<string> {
  const before = await summarizeFile(options.before);
  const after = await summarizeFile(options.after);
  const sort = options.sort ?? "total";
  const rows = diffSummaries(before, after, sort);
  if (options.json) {
    return `${JSON.stringify({ before: options.before, after: options.after, sort, spans: rows.slice(0, options.top) }, null, 2)}\n`;
  }
  return formatDiff(options.before, options.after, rows, { top: options.top, sort });
}
