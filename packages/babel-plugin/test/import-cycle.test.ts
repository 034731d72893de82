/**
 * An ES module's function declarations can run before its body: in an import cycle, a module
 * that imports this one may call them while this one is still waiting for its imports. The
 * generated code must not make that a crash (the gates its body declares do not exist yet):
 * such calls run unrecorded and are counted, later calls are recorded. Runs real Node programs
 * built by the plugin (sync, async and generator functions), against the built runtime.
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

// b.mjs is evaluated first (a.mjs waits for it) and calls a.mjs's functions at its top level.
const A = `
import { early } from "./b.mjs";
export function twice(x) {
  return [1, 2].map((n) => n * x);
}
export async function later(x) {
  await null;
  return x + 1;
}
export function* count(n) {
  for (let i = 0; i < n; i++) yield i;
}
export const result = early;
`;

const B = `
import { twice, later, count } from "./a.mjs";
export const early = { twice: twice(3), later: later(4), count: [...count(2)] };
`;

const MAIN = `
import { install } from "@spanfn/tracing/node";
install({ out: process.argv[2] });
const { result, twice, later } = await import("./a.mjs");
const values = [result.twice.join(","), await result.later, result.count.join(","), twice(5).join(","), await later(6)];
process.stdout.write(values.join(" ") + "\\n");
`;

test("functions called through an import cycle before their module's body run, unrecorded and counted", () => {
  const plain = join(dir, "plain");
  const built = join(dir, "built");
  for (const d of [plain, built]) {
    rmSync(d, { recursive: true, force: true });
    require("node:fs").mkdirSync(d);
  }
  for (const [name, source] of [["a.mjs", A], ["b.mjs", B]] as const) {
    writeFileSync(join(plain, name), source);
    writeFileSync(join(built, name), compile(source, join(built, name), { instrument: "all" }, { root: built }).code!);
  }
  writeFileSync(join(plain, "main.mjs"), MAIN.replace(/^import \{ install \}.*\ninstall.*\n/m, ""));
  writeFileSync(join(built, "main.mjs"), MAIN);
  const expected = spawnSync(process.execPath, [join(plain, "main.mjs")], { encoding: "utf8", timeout: 15000 });
  expect(expected.stdout).toBe("3,6 5 0,1 5,10 7\n");

  const out = join(built, "trace.json");
  const result = spawnSync(process.execPath, [join(built, "main.mjs"), out], { encoding: "utf8", timeout: 15000 });
  expect(result.stderr).toContain("calls not recorded: they ran before their module's body (an import cycle)");
  expect(result.stdout).toBe(expected.stdout);
  expect(result.status).toBe(0);

  const events = asPairs(parseChromeTrace(readFileSync(out, "utf8")));
  const report = events.find((e) => e.name === "spanfn_report")!;
  // twice, its two arrow calls (created by the early call: they run before the body too), later,
  // and count's three stretches (a generator's span begins again after each yield): 7.
  expect((report.args as { earlySpans: number }).earlySpans).toBe(7);
  const begun = (name: string, ph: string) => events.filter((e) => e.name === name && e.ph === ph).length;
  // The calls after the body ran are recorded: twice(5) and its two arrows, later(6).
  expect(begun("a::twice", "B")).toBe(1);
  expect(begun("a::<anonymous>:4", "B")).toBe(2);
  expect(begun("a::later", "b")).toBe(1);
  expect(begun("a::count", "B")).toBe(0);
});
