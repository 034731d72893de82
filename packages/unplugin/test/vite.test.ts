/**
 * Vite, in headless Chromium: test/projects/app's page built for production (served by `vite
 * preview`) and served by the dev server, where an edit reloads it (test/vite-app.mjs). The page
 * records into an InMemorySink and hands its events back on `window`.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectAppSpans, expectAppWorked, expectAsyncFromCall, lineOf, originalLineOf, type AppResult } from "./app.js";

const SCRIPT = join(__dirname, "vite-app.mjs");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const made: string[] = [];

function runPage(mode: "build" | "dev", dir: string): { page: AppResult; edited?: AppResult } {
  made.push(dir);
  const run = spawnSync(process.execPath, [SCRIPT, mode, dir], { encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`vite ${mode} failed (${run.status ?? run.signal}):\n${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as { page: AppResult; edited?: AppResult };
}

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

// Without a browser there is nothing to run the page in: say so rather than pass.
const withBrowser = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) console.warn(`vite.test.ts: no Chromium at ${CHROMIUM} (set CHROMIUM): the Vite tests are skipped`);

withBrowser("Vite with @spanfn/unplugin/vite, in Chromium", () => {
  test("production build: the page records the source's spans, and source maps lead back to the TypeScript", () => {
    const out = mkdtempSync(join(tmpdir(), "spanfn-vite-"));
    const { page } = runPage("build", out);
    expectAppWorked(page);
    expectAppSpans(page);
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

  test("dev server: the page records the source's spans, and after an edit (HMR reload) the new lines", () => {
    // Inside the package, where the copy resolves @spanfn/tracing as the app does (git ignores .run-*).
    const copy = join(__dirname, `.run-vite-${process.pid}`);
    const { page, edited } = runPage("dev", copy);
    expectAppWorked(page);
    expectAppSpans(page);
    // The edit put two lines above every function of service.ts.
    expectAppWorked(edited!);
    expectAsyncFromCall(edited!, "service::MemoryCache.get", lineOf("service.ts", "get(key) {") + 2);
    const price = edited!.events.find((e) => e.name === "service::price");
    expect(price?.line).toBe(lineOf("service.ts", "export function price") + 2);
  }, 150_000);
});
