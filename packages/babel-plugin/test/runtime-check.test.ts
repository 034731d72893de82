/**
 * "The generated code never lies": a function the plugin compiled as sync (its promise comes
 * from another module, out of sight of static detection) still gets an async span from its
 * return until the promise settles, is noted once in the trace, and is named once on stderr.
 * Runs a real Node program built by the plugin, against the built runtime.
 */
import { afterAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseChromeTrace } from "../../tracing/src/index.js";
import { asPairs } from "../../tracing/test/chrome-pairs.js";
import { compile } from "./run-output.js";

const dir = mkdtempSync(join(__dirname, ".run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Made by a call, so not even following the import says what fetchLater returns.
const LIBRARY = `
function later(delay) {
  return (value) => new Promise((resolve) => setTimeout(() => {
    (globalThis.settledAt ??= []).push(performance.now());
    resolve(value);
  }, delay));
}
export const fetchLater = later(15);
`;

const PROGRAM = `
import { install } from "@spanfn/tracing/node";
import { writeFileSync } from "node:fs";
import { fetchLater } from "./library.mjs";

install({ out: process.argv[2] });

// Nothing here says "promise": the call goes to another module.
function load(key) {
  return fetchLater(key.toUpperCase());
}

function unrelated() {
  return 1;
}

const values = [];
for (const key of ["a", "b", "c"]) values.push(await load(key));
unrelated();
process.stdout.write(values.join(",") + "\\n");
writeFileSync(process.argv[2] + ".settled", JSON.stringify(globalThis.settledAt));
`;

test("a promise returned where none was expected gets an async span, and is named once", () => {
  writeFileSync(join(dir, "library.mjs"), LIBRARY);
  writeFileSync(join(dir, "main.mjs"), compile(PROGRAM, join(dir, "main.mjs"), { instrument: "all" }, { root: dir }).code!);
  const out = join(dir, "trace.json");
  const result = spawnSync(process.execPath, [join(dir, "main.mjs"), out], { encoding: "utf8", timeout: 15000 });
  expect(result.stdout).toBe("A,B,C\n");
  expect(result.status).toBe(0);
  const named = result.stderr.split("\n").filter((line) => line.includes("returned promises"));
  expect(named).toEqual([
    "spanfn: 1 functions without async returned promises (main::load (main.mjs:9)); their spans began at the return: annotate the return type as Promise<…> to time them from the call",
  ]);

  const events = asPairs(parseChromeTrace(readFileSync(out, "utf8")));
  const load = events.filter((e) => e.name === "main::load");
  // Per call: the synchronous part as a thread span, then an async span until the promise settles.
  expect(load.map((e) => e.ph).join("")).toBe("BEbeBEbeBEbe");
  const begins = load.filter((e) => e.ph === "b");
  const ends = load.filter((e) => e.ph === "e");
  expect(begins).toHaveLength(3);
  // Each span ends once its promise settled (the time the library's timer resolved it, on the same clock).
  const settledAt = JSON.parse(readFileSync(out + ".settled", "utf8")) as number[];
  for (const [i, b] of begins.entries()) {
    expect(ends[i].id).toBe(b.id);
    expect(ends[i].args).toEqual({ outcome: "fulfilled" });
    expect(ends[i].ts!).toBeGreaterThanOrEqual(settledAt[i] * 1000);
    expect(b.ts!).toBeLessThan(settledAt[i] * 1000);
  }
  const report = events.find((e) => e.name === "spanfn_report")!;
  expect((report.args as { promiseReturningSync: string[] }).promiseReturningSync).toEqual(["main::load (main.mjs:9)"]);
  expect(events.filter((e) => e.name === "main::unrelated").map((e) => e.ph)).toEqual(["B", "E"]);
  expect(events.filter((e) => e.ph === "B")).toHaveLength(events.filter((e) => e.ph === "E").length);
});
