/**
 * Real bundlers, production builds: test/projects/app built with @spanfn/unplugin by webpack
 * (alone, as an ES module, and with ts-loader), rspack, Rollup and esbuild (test/build-app.mjs),
 * then run. The runtime's Node setup (worker threads joining the trace, exact settlement) must
 * survive tree shaking; the spans must be the source's.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectAppSpans, expectAppWorked, expectAsyncFromCall, lineOf, originalLineOf, type AppResult } from "./app.js";

const BUILD = join(__dirname, "build-app.mjs");
const BUNDLERS = [
  ["webpack", "cjs"],
  ["webpack-esm", "mjs"],
  ["webpack-ts-loader", "cjs"],
  ["rspack", "cjs"],
  ["rollup", "mjs"],
  ["esbuild", "mjs"],
] as const;

function run(file: string, args: string[] = []) {
  return spawnSync(process.execPath, [file, ...args], { encoding: "utf8", cwd: tmpdir(), timeout: 30_000 });
}

/** Builds the app into a fresh directory and runs its main entry: the events it printed. */
function buildAndRun(bundler: string, extension: string, out: string, instrument = "marked"): AppResult {
  const build = spawnSync(process.execPath, [BUILD, bundler, out, instrument], { encoding: "utf8", timeout: 120_000 });
  if (build.status !== 0) throw new Error(`${bundler} build failed:\n${build.stderr}${build.stdout}`);
  const main = run(join(out, `main.${extension}`), [join(out, `worker.${extension}`)]);
  if (main.status !== 0) throw new Error(`${bundler} app failed (${main.status}):\n${main.stderr}`);
  return JSON.parse(main.stdout) as AppResult;
}

describe.each(BUNDLERS)("%s, production build", (bundler, extension) => {
  let out: string;
  const output = (entry: string) => join(out, `${entry}.${extension}`);
  let app: AppResult;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), `spanfn-${bundler}-`));
    app = buildAndRun(bundler, extension, out);
  }, 150_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test("the app runs as written and records the source's spans", () => {
    expectAppWorked(app);
    expectAppSpans(app);
  });

  test("with install(), a worker thread's spans are in the trace", () => {
    expect(app.rendered).toBe("one\ntwo");
    const render = app.events.filter((e) => e.name === "worker::render");
    expect(render.map((e) => e.kind)).toEqual(["thread-begin", "thread-end"]);
    expect(render[0].threadName).not.toBe("main");
    expect(render[0].line).toBe(lineOf("worker.ts", "function render"));
  });

  test("with setSink() alone, a marked function's rejection nobody handles still crashes the program", () => {
    const crash = run(output("crash"));
    expect(crash.stderr).toContain("unhandled job failure");
    expect(crash.status).toBe(1);
  });

  test("source maps chain through the plugin: the bundle maps back to the TypeScript source's lines", () => {
    const position = originalLineOf(output("main"), "empty order");
    expect(position.source).toMatch(/service\.ts$/);
    expect(position.line).toBe(lineOf("service.ts", 'throw new Error("empty order")'));
  });

  test("install({ out, writer: \"inline\" }) writes the trace file", () => {
    const trace = join(out, "inline.json");
    const result = run(output("trace-file"), [trace, "inline"]);
    expect(result.stdout).toBe("42\n");
    expect(result.status).toBe(0);
    const names = (JSON.parse(readFileSync(trace, "utf8")) as { name?: string; ph: string }[]).filter((e) => e.ph === "B" || e.ph === "X").map((e) => e.name);
    expect(names).toContain("trace-file::work");
  });

  // The writer thread's script is not in a bundle (Rollup, esbuild), or is without the modules it
  // imports (webpack and rspack emit it alone as an asset): install() writes on the program's
  // thread instead, rather than starting a thread that cannot run and waiting for it at exit.
  test("install({ out }) writes the trace file, on the program's thread", () => {
    const trace = join(out, "thread.json");
    const result = run(output("trace-file"), [trace, "thread"]);
    expect(result.stdout).toBe("42\n");
    expect(result.status).toBe(0);
    const names = (JSON.parse(readFileSync(trace, "utf8")) as { name?: string; ph: string }[]).filter((e) => e.ph === "B" || e.ph === "X").map((e) => e.name);
    expect(names).toContain("trace-file::work");
  });

  // DiskStore implements an interface of contracts.ts: the plugin follows the import to it.
  test("cross-file contract: a method implementing an interface of another file gets its async span from the call", () => {
    expectAsyncFromCall(app, "service::DiskStore.load", lineOf("service.ts", "load(key) {"));
  });
});

// Every function instrumented: the build must not fail nor the app change, and what the marked
// build records is still there, beside the spans of functions nobody marked.
describe.each([
  ["rollup", "mjs"],
  ["esbuild", "mjs"],
] as const)("%s, production build, instrument: all", (bundler, extension) => {
  const out = mkdtempSync(join(tmpdir(), `spanfn-${bundler}-all-`));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test("the app runs as written and records every function, marked or not", () => {
    const app = buildAndRun(bundler, extension, out, "all");
    expectAppWorked(app);
    expectAppSpans(app);
    expect(app.rendered).toBe("one\ntwo");
    const names = new Set(app.events.map((e) => e.name));
    for (const name of ["backend::later", "main::main", "worker::render"]) expect(names).toContain(name);
  }, 150_000);
});
