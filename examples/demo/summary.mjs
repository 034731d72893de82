// Until `spanfn report` exists: per span name, count and durations, read back from the trace.
import { readFileSync } from "node:fs";
import { parseChromeTrace } from "@spanfn/tracing";

export function summarize(file) {
  const events = parseChromeTrace(readFileSync(file, "utf8"));
  const stacks = new Map();
  const open = new Map();
  const rows = new Map();
  const add = (name, kind, us) => {
    const key = `${kind} ${name}`;
    const row = rows.get(key) ?? { name, kind, durations: [] };
    row.durations.push(us);
    rows.set(key, row);
  };
  for (const e of events) {
    if (e.ph === "B") (stacks.get(e.tid) ?? stacks.set(e.tid, []).get(e.tid)).push(e);
    else if (e.ph === "E") {
      const b = stacks.get(e.tid)?.pop();
      if (b) add(b.name, "thread", e.ts - b.ts);
    } else if (e.ph === "b") open.set(e.id, e);
    else if (e.ph === "e" && open.has(e.id) && e.args?.outcome !== "unfinished") add(e.name, "async", e.ts - open.get(e.id).ts);
  }
  const ms = (us) => (us / 1000).toFixed(3).padStart(9);
  const lines = [`${"span".padEnd(44)} kind     count   total ms    mean ms     max ms`];
  for (const row of [...rows.values()].sort((a, b) => sum(b.durations) - sum(a.durations))) {
    const total = sum(row.durations);
    lines.push(
      `${row.name.padEnd(44)} ${row.kind.padEnd(7)} ${String(row.durations.length).padStart(6)} ${ms(total)}  ${ms(total / row.durations.length)}  ${ms(Math.max(...row.durations))}`,
    );
  }
  process.stderr.write(`\n${lines.join("\n")}\n\nspanfn: ${events.length} trace events written to ${file}\n`);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
