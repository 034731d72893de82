/**
 * Watch builds (test/watch-contract.mjs): a method's span comes from an interface in another file,
 * and an edit to that file alone rebuilds the method's file with the new contract.
 */
import { afterAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";

const SCRIPT = join(__dirname, "watch-contract.mjs");
// Inside the package, where the project resolves @spanfn/tracing (git ignores .run-*).
const RUNS = join(__dirname, `.run-watch-${process.pid}`);

afterAll(() => rmSync(RUNS, { recursive: true, force: true }));

test.each(["rollup", "webpack"])("%s --watch rebuilds a file when the contract it implements changes", (bundler) => {
  const run = spawnSync(process.execPath, [SCRIPT, bundler, join(RUNS, bundler)], { encoding: "utf8", timeout: 90_000 });
  if (run.status !== 0) throw new Error(`${bundler} watch failed (${run.status ?? run.signal}):\n${run.stderr}${run.stdout}`);
  const { before, after } = JSON.parse(run.stdout) as { before: string[]; after: string[] | null };
  // No promise in the contract: a thread span, then an async span from the promise it returned.
  expect(before).toEqual(["thread-begin", "thread-end", "async-begin", "async-end"]);
  // `getUser(id): Promise<User>` in types.ts: an async span from the call.
  expect(after).toEqual(["async-begin", "async-end"]);
});
