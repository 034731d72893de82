/**
 * Vite, in headless Chromium: test/projects/app's page built for production (served by `vite
 * preview`) and served by the dev server, where an edit reloads it (test/vite-app.mjs). The page
 * records into an InMemorySink and hands its events back on `window`, with those of its Web Worker,
 * which records in a runtime of its own.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import protobuf from "protobufjs";
import { expectAppSpans, expectAppWorked, expectAsyncFromCall, expectWorkerSpans, lineOf, originalLineOf, type AppResult } from "./app.js";

const SCRIPT = join(__dirname, "vite-app.mjs");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const made: string[] = [];

function runPage(mode: "build" | "workers" | "dev" | "babel", dir: string): { page: AppResult; edited?: AppResult } {
  made.push(dir);
  const run = spawnSync(process.execPath, [SCRIPT, mode, dir], { encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`vite ${mode} failed (${run.status ?? run.signal}):\n${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as { page: AppResult; edited?: AppResult };
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("Vite with @spanfn/unplugin/vite, in Chromium", () => {
  // Without a browser there is nothing to run the page in: fail, naming what is missing, rather
  // than skip (the README's test command runs these; .ci/run installs Chromium).
  beforeAll(() => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM, or install Debian's chromium)`);
  });

  test("production build: the page and its Web Worker record the source's spans, and source maps lead back to the TypeScript", () => {
    const out = mkdtempSync(join(tmpdir(), "spanfn-vite-"));
    const { page } = runPage("build", out);
    expectAppWorked(page);
    expectAppSpans(page);
    // Vite builds a worker with `worker.plugins` only: spanfn() in `plugins` added itself there.
    expect(page.rendered).toBe("shelf:w=6");
    expectWorkerSpans(page);
    // The plugin ran before Vite stripped the types: the same file's interface made this
    // method's span async from the call (after the strip it would be a thread span, then an
    // async span from the return).
    expect(page.events.filter((e) => e.name === "service::MemoryCache.get").every((e) => e.kind.startsWith("async"))).toBe(true);

    const assets = join(out, "assets");
    const script = readdirSync(assets).find((name) => name.endsWith(".js"));
    const position = originalLineOf(join(assets, script!), "empty order");
    expect(position.source).toMatch(/service\.ts$/);
    expect(position.line).toBe(lineOf("service.ts", 'throw new Error("empty order")'));
  }, 150_000);

  test("production build where the user's worker plugins list spanfn() too: their own plugin still runs, each worker span is recorded once", () => {
    const { page } = runPage("workers", mkdtempSync(join(tmpdir(), "spanfn-vite-workers-")));
    expectAppWorked(page);
    expect(page.rendered).toBe("shelf (user):w=6");
    expectWorkerSpans(page);
  }, 150_000);

  // Without the unplugin: the main README's config for @rollup/plugin-babel in Vite. Listed as
  // Vite lists plugins, Babel would run after Vite stripped the types: lines of the stripped code,
  // and the interface of the same file lost (a thread span, then an async span from the return).
  test("the README's @rollup/plugin-babel config (enforce: \"pre\"): the source's lines and contracts", () => {
    const { page } = runPage("babel", mkdtempSync(join(tmpdir(), "spanfn-vite-babel-")));
    expectAppWorked(page);
    expectAppSpans(page);
    expectAsyncFromCall(page, "service::DiskStore.load", lineOf("service.ts", "load(key) {"));
  }, 150_000);

  test("BrowserTraceSink: a Web Worker encodes the trace (JSON, Perfetto); where the page's CSP forbids workers, the page's thread does", () => {
    const out = mkdtempSync(join(tmpdir(), "spanfn-vite-trace-"));
    made.push(out);
    const run = spawnSync(process.execPath, [SCRIPT, "trace", out], { encoding: "utf8", timeout: 120_000 });
    if (run.status !== 0) throw new Error(`vite trace pages failed (${run.status ?? run.signal}):\n${run.stderr}${run.stdout}`);
    type TracePage = { mode: string; format: string; soFar: number; trace: number[]; lostEvents: number };
    const pages = JSON.parse(run.stdout) as Record<"json" | "perfetto" | "csp", TracePage>;
    expect([pages.json.mode, pages.perfetto.mode, pages.csp.mode]).toEqual(["worker", "worker", "inline"]);
    for (const page of [pages.json, pages.csp]) {
      const events = JSON.parse(Buffer.from(page.trace).toString("utf8")) as { ph: string; name?: string; args?: Record<string, unknown> }[];
      const names = new Set(events.map((e) => e.name));
      for (const name of ["service::MemoryCache.get", "service::DiskStore.load", "service::price", "service::validate"]) expect([name, names.has(name)]).toEqual([name, true]);
      expect(events.find((e) => e.name === "service::validate" && e.ph === "e")?.args?.outcome).toBe("rejected");
      expect(events.at(-1)?.name).toBe("spanfn_report");
      expect(events.find((e) => e.name === "process_name")?.args?.name).toBe("trace page");
      expect(page.soFar).toBeGreaterThan(0);
      expect(page.lostEvents).toBe(0);
    }
    // Perfetto's own schema reads the worker's bytes: the process's and the spans' names are there.
    const root = protobuf.loadSync(join(__dirname, "../../tracing/test/fixtures/perfetto/perfetto_trace.proto"));
    const trace = root.lookupType("perfetto.protos.Trace").decode(Uint8Array.from(pages.perfetto.trace));
    const text = JSON.stringify(trace.toJSON());
    for (const name of ["trace page", "service::price", "service::validate"]) expect(text).toContain(JSON.stringify(name));
  }, 150_000);

  test("dev server: the page and its Web Worker record the source's spans, and after an edit (HMR reload) the new lines", () => {
    // Inside the package, where the copy resolves @spanfn/tracing as the app does (git ignores .run-*).
    const copy = join(__dirname, `.run-vite-${process.pid}`);
    const { page, edited } = runPage("dev", copy);
    expectAppWorked(page);
    expectAppSpans(page);
    expectWorkerSpans(page);
    // The edit put two lines above every function of service.ts.
    expectAppWorked(edited!);
    expectAsyncFromCall(edited!, "service::MemoryCache.get", lineOf("service.ts", "get(key) {") + 2);
    const price = edited!.events.find((e) => e.name === "service::price");
    expect(price?.line).toBe(lineOf("service.ts", "export function price") + 2);
  }, 150_000);
});
