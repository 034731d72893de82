/** `spanfn report --diff BEFORE AFTER` end to end: two trace files in, spans matched by name. */
import { afterAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChromeTraceEvent } from "../../tracing/src/index.js";

const BIN = join(__dirname, "../bin/spanfn.js");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-diff-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A trace of `calls` sync calls of `name` (each `us` long, one nested `leaf` call of `leafUs`), one after another. */
function calls(name: string, count: number, us: number, leafUs: number, at = 0): ChromeTraceEvent[] {
  const events: ChromeTraceEvent[] = [];
  for (let i = 0; i < count; i++) {
    const t = at + i * (us + 10);
    events.push({ ph: "B", pid: 1, tid: 0, ts: t, name });
    events.push({ ph: "B", pid: 1, tid: 0, ts: t + 1, name: "leaf" }, { ph: "E", pid: 1, tid: 0, ts: t + 1 + leafUs });
    events.push({ ph: "E", pid: 1, tid: 0, ts: t + us });
  }
  return events;
}

function file(name: string, events: ChromeTraceEvent[]): string {
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(events));
  return path;
}

const before = file("before.json", [
  ...calls("parse", 2, 10_000, 1_000),
  { ph: "b", pid: 1, tid: 0, ts: 30_000, id: "1", name: "fetch", args: { parent: 0 } },
  { ph: "e", pid: 1, tid: 0, ts: 35_000, id: "1", name: "fetch", args: { outcome: "fulfilled" } },
]);
const after = file("after.json", [...calls("parse", 3, 20_000, 1_000), ...calls("render", 1, 4_000, 500, 100_000)]);

function spanfn(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
}

interface Row {
  name: string;
  kind: string;
  before: { count: number; total: number; self: number; p50: number } | null;
  after: { count: number; total: number; self: number; p50: number } | null;
}

describe("spanfn report --diff", () => {
  test("--json: every span of either trace, matched by name, before and after, largest change in total first", () => {
    const result = spanfn(["report", "--diff", before, after, "--json"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const { spans } = JSON.parse(result.stdout) as { spans: Row[] };
    const brief = spans.map((r) => [r.name, r.kind, r.before && [r.before.count, r.before.total, r.before.self], r.after && [r.after.count, r.after.total, r.after.self]]);
    expect(brief).toEqual([
      ["parse", "thread", [2, 20_000, 18_000], [3, 60_000, 57_000]],
      ["fetch", "async", [1, 5_000, 5_000], null],
      ["render", "thread", null, [1, 4_000, 3_500]],
      ["leaf", "thread", [2, 2_000, 2_000], [4, 3_500, 3_500]],
    ]);
  });

  test("the table: before, after and the change of count, total, self, p50 and p99", () => {
    const result = spanfn(["report", "--diff", before, after]);
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`before: ${before}`);
    expect(lines[1]).toBe(`after:  ${after}`);
    expect(lines[2]).toBe("4 of 4 spans, by the change in total time; times in ms");
    expect(lines[5]).toMatch(/^span +kind +before +after +change +before +after +change/);
    const cells = (name: string) => lines.find((l) => l.startsWith(`${name} `))!.trim().split(/\s+/);
    // count 2 → 3; total 20 → 60 ms; self 18 → 57; p50 10 → 20; p99 10 → 20
    expect(cells("parse")).toEqual(["parse", "thread", "2", "3", "+1", "20.000", "60.000", "+200%", "18.000", "57.000", "+217%", "10.000", "20.000", "+100%", "10.000", "20.000", "+100%"]);
    expect(cells("fetch").slice(0, 5)).toEqual(["fetch", "async", "1", "-", "gone"]);
    expect(cells("render").slice(0, 5)).toEqual(["render", "thread", "-", "1", "new"]);
    expect(cells("leaf").slice(5, 8)).toEqual(["2.000", "3.500", "+75%"]);
  });

  test("--sort count --top 1: the largest change in count only", () => {
    const result = spanfn(["report", "--diff", "--sort=count", "--top=1", before, after]);
    expect(result.stdout.split("\n")[2]).toBe("1 of 4 spans, by the change in count; times in ms");
    expect(result.stdout).toMatch(/\nleaf +thread +2 +4 +\+2 /);
  });

  test("a missing file is named", () => {
    const result = spanfn(["report", "--diff", before, join(scratch, "nope.json")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`spanfn: cannot read ${join(scratch, "nope.json")}: ENOENT\n`);
  });
});
