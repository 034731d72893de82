/**
 * What earlier runs demoted (learned.ts), on files of the test's own: what is written is read
 * back, a changed file is forgotten while the others stay, a file this run demoted nothing in
 * keeps what earlier runs learned, the same site reported by two threads is kept once, and a run
 * that learned nothing new leaves the file alone.
 * `spanfn run` using it end to end is in cli.test.ts.
 */
import { afterAll, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { DemotedSite } from "../../tracing/src/index.js";
import { learnedPath, readLearned, writeLearned } from "../src/learned.js";

const root = mkdtempSync(join(tmpdir(), "spanfn-learned-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const site = (file: string, name: string, line: number, keepsOutermost = false): DemotedSite => ({ name, file, line, calls: 1000, recorded: 200, keepsOutermost });

test("a profile per program; read back until a file changes; files not demoted in keep what was learned", () => {
  writeFileSync(join(root, "a.js"), "function a() {}\n");
  writeFileSync(join(root, "b.js"), "function b() {}\n");
  const dir = mkdtempSync(join(root, "cache-"));
  const path = learnedPath(dir, root, "main.js");
  expect(learnedPath(dir, root, "other.js")).not.toBe(path);

  expect(readLearned(path, root)).toEqual([]);
  writeLearned(path, root, [site("a.js", "a", 1), site("b.js", "b", 1, true), site("a.js", "a", 1), site("gone.js", "g", 3)]);
  expect(readLearned(path, root)).toEqual([
    { name: "a", file: "a.js", line: 1, keepsOutermost: false },
    { name: "b", file: "b.js", line: 1, keepsOutermost: true },
  ]);

  // This run demoted only in a.js: b.js keeps what the last run learned.
  writeLearned(path, root, [site("a.js", "a2", 1)]);
  expect(readLearned(path, root).map((s) => s.name)).toEqual(["a2", "b"]);

  // b.js changes: its sites are forgotten, a.js's stay.
  utimesSync(join(root, "b.js"), new Date(), new Date(Date.now() + 5000));
  expect(readLearned(path, root).map((s) => s.name)).toEqual(["a2"]);

  writeFileSync(path, "{ damaged");
  expect(readLearned(path, root)).toEqual([]);
});

test("a run that learned nothing new leaves the file as it was; a program of any path gets a file name a file system takes", () => {
  writeFileSync(join(root, "c.js"), "function c() {}\nfunction d() {}\n");
  const dir = mkdtempSync(join(root, "cache-"));
  const path = learnedPath(dir, root, "main.js");
  writeLearned(path, root, [site("c.js", "c", 1), site("c.js", "d", 2)]);
  const first = statSync(path);
  // The same sites, reported in another order (threads, demotion order): not rewritten.
  writeLearned(path, root, [site("c.js", "d", 2), site("c.js", "c", 1)]);
  expect(statSync(path).ino).toBe(first.ino);
  writeLearned(path, root, [site("c.js", "c", 1)]);
  expect(statSync(path).ino).not.toBe(first.ino);
  expect(readLearned(path, root).map((s) => s.name)).toEqual(["c"]);

  const deep = learnedPath(dir, root, `${"folder/".repeat(60)}main.js`);
  expect(basename(deep).length).toBeLessThanOrEqual(255);
  expect(deep).not.toBe(learnedPath(dir, root, `${"folder/".repeat(61)}main.js`));
});
