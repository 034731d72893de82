/**
 * The HTML report in headless Chromium, on the trace of a real run (programs/report): what the
 * page shows and what it does when used (zoom to a selection, search, click a span, the call
 * tree, the flame graphs, the resizable side panel). Screenshots of each step are kept under
 * test/.artifacts/report-html/ (ignored by git) for a person to look at.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { parseChromeTrace, type ChromeTraceEvent } from "../../tracing/src/index.js";
import { asPairs } from "../../tracing/test/chrome-pairs.js";

const BIN = join(__dirname, "../bin/spanfn.js");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, ".artifacts", "report-html");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-html-"));

let browser: Browser;
let page: Page;
/** The trace's events, each X as its B and E. */
let events: ChromeTraceEvent[];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  const out = join(scratch, "trace.json");
  const html = join(scratch, "report.html");
  const run = spawnSync(process.execPath, [BIN, "run", "--all", "--quiet", "--out", out, "--html", html, "main.mjs"], {
    cwd: join(__dirname, "programs", "report"),
    encoding: "utf8",
    env: { ...process.env, SPANFN_CACHE: "0" },
  });
  expect(run.stderr).toBe("");
  expect(run.stdout).toBe("25\n");
  events = asPairs(parseChromeTrace(readFileSync(out, "utf8")));
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  // No network: any request but the file itself fails the test.
  await page.route(/^(?!file:)/, (route) => {
    pageErrors.push(`request to ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(html).href);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
const view = () => page.evaluate(() => (window as unknown as { spanfnReport: { view(): { start: number; end: number } } }).spanfnReport.view());
const ticks = () => page.locator("#axis .tick").allTextContents();

/** Durations (µs) of the thread spans named `name`, from the trace's B/E events (X events read as pairs). */
function threadDurations(name: string): number[] {
  const stacks = new Map<number, ChromeTraceEvent[]>();
  const out: number[] = [];
  for (const e of events) {
    if (e.ph !== "B" && e.ph !== "E") continue;
    let stack = stacks.get(e.tid);
    if (!stack) stacks.set(e.tid, (stack = []));
    if (e.ph === "B") stack.push(e);
    else {
      const begin = stack.pop()!;
      if (begin.name === name) out.push(e.ts! - begin.ts!);
    }
  }
  return out;
}

/** Microseconds in a label like "13.911 ms", "206.8 µs" or "1.5 s". */
function micros(label: string): number {
  const [, value, unit] = /([\d.]+) (µs|ms|s)\b/.exec(label)!;
  return Number(value) * (unit === "s" ? 1e6 : unit === "ms" ? 1000 : 1);
}

describe("the HTML report in Chromium", () => {
  test("loads with no error and no request, and says what the trace holds", async () => {
    await shot("1-loaded");
    expect(pageErrors).toEqual([]);
    const spans = events.filter((e) => e.ph === "B" || e.ph === "b").length;
    expect(await page.locator("#meta").textContent()).toMatch(new RegExp(`^${spans} spans on 2 tracks, `));
    // Full names in the summary, one row per name.
    const names = await page.locator("#table tbody tr td:first-child").allTextContents();
    expect(names).toContain("main::parseRecord");
    expect(new Set(names).size).toBe(names.length);
  });

  test("the time axis has readable ticks: steps of 1, 2 or 5 times a power of ten, in one unit, rising", async () => {
    const labels = await ticks();
    expect(labels.length).toBeGreaterThanOrEqual(4);
    const values = labels.map(micros);
    const steps = values.slice(1).map((v, i) => v - values[i]);
    for (const step of steps) expect(step).toBeCloseTo(steps[0], 6);
    const mantissa = steps[0] / Math.pow(10, Math.floor(Math.log10(steps[0])));
    expect([1, 2, 5]).toContain(Math.round(mantissa));
    expect(new Set(labels.map((l) => l.split(" ")[1])).size).toBe(1);
  });

  test("dragging across the axis zooms to the selection; Reset zoom goes back", async () => {
    const before = await view();
    const axis = (await page.locator("#axis").boundingBox())!;
    await page.mouse.move(axis.x + axis.width * 0.25, axis.y + 10);
    await page.mouse.down();
    await page.mouse.move(axis.x + axis.width * 0.4, axis.y + 10, { steps: 5 });
    await shot("2-selecting");
    await page.mouse.up();
    const after = await view();
    const width = before.end - before.start;
    // Within half a percent: the pointer moves in whole pixels.
    expect(Math.abs(after.start - (before.start + width * 0.25))).toBeLessThan(width * 0.005);
    expect(Math.abs(after.end - (before.start + width * 0.4))).toBeLessThan(width * 0.005);
    // Finer ticks for the narrower view, and the range shown in the header.
    const labels = await ticks();
    expect(micros(labels[1]) - micros(labels[0])).toBeLessThan(width / 10);
    expect(await page.locator("#range").textContent()).toMatch(/^showing /);
    await shot("3-zoomed");
    await page.click("#reset");
    expect(await view()).toEqual(before);
  });

  test("search highlights the matching spans and summary rows, and counts them", async () => {
    const parseRecords = events.filter((e) => e.ph === "B" && e.name === "main::parseRecord").length;
    expect(parseRecords).toBe(25);
    await page.fill("#search", "parserecord");
    expect(await page.locator("#search-count").textContent()).toBe(`${parseRecords} spans match (1 names)`);
    expect(await page.locator("#table tbody tr.match td:first-child").allTextContents()).toEqual(["main::parseRecord"]);
    await shot("4-search");
    await page.fill("#search", "");
    expect(await page.locator("#search-count").textContent()).toBe("");
    expect(await page.locator("#table tbody tr.match").count()).toBe(0);
  });

  test("clicking a span shows its details, its children and its path from the root", async () => {
    const point = await page.evaluate(() => (window as unknown as { spanfnReport: { locate(name: string): { x: number; y: number } } }).spanfnReport.locate("main::validate"));
    const canvas = (await page.locator("#canvas").boundingBox())!;
    await page.mouse.click(canvas.x + point.x, canvas.y + point.y);
    await shot("5-clicked");
    expect(await page.locator("#details-name").textContent()).toBe("main::validate");
    // The first validate ran in parseAll, called in the first fetchPage that fetchAll started in main.
    const path = await page.locator("#details-path li a").allTextContents();
    expect(path).toEqual(["main::main", "main::fetchAll", "main::fetchPage", "main::parseAll", "main::validate"]);
    expect(await page.locator("#details-children li a").allTextContents()).toEqual(["main::spin"]);
    const shown = micros((await page.locator("#details-duration").textContent())!);
    expect(shown).toBeCloseTo(threadDurations("main::validate")[0], 0);
    // A step up the path selects that span.
    await page.locator("#details-path li a", { hasText: "main::fetchAll" }).click();
    expect(await page.locator("#details-name").textContent()).toBe("main::fetchAll");
    expect(await page.locator("#details-children li a").allTextContents()).toEqual(["main::fetchPage", "main::fetchPage", "main::fetchPage"]);
  });

  test("the call tree nests async spans under their parents and thread spans under the async span they ran in; nodes collapse", async () => {
    await page.click("text=Call tree");
    // fetchAll is selected: the tree is open down to it.
    expect(await page.locator("#tree .node.selected .name").textContent()).toBe("main::fetchAll");
    const top = page.locator("#tree > ul > li");
    expect(await top.first().locator(":scope > .node .name").textContent()).toBe("main::main");
    const underMain = await top.first().locator(":scope > ul > li > .node .name").allTextContents();
    expect(underMain).toEqual(expect.arrayContaining(["main::fetchAll", "main::spin", "main::mayFail", "main::parseAll"]));
    const fetchAll = top.first().locator(":scope > ul > li").first();
    await fetchAll.locator(":scope > .node .name").click();
    expect(await fetchAll.locator(":scope > ul > li > .node .name").allTextContents()).toEqual(["main::fetchPage", "main::fetchPage", "main::fetchPage"]);
    const fetchPage = fetchAll.locator(":scope > ul > li").first();
    await fetchPage.locator(":scope > .node .name").click();
    expect(await page.locator("#details-name").textContent()).toBe("main::fetchPage");
    const underPage = await fetchPage.locator(":scope > ul > li > .node .name").allTextContents();
    expect(underPage).toEqual(["main::sleep", "main::parseAll"]);
    await shot("6-tree");
    await top.first().locator(":scope > .node .toggle").click();
    expect(await top.first().locator(":scope > ul").count()).toBe(0);
  });

  test("the flame graphs sum time by call path, thread and async apart; a click zooms into a frame", async () => {
    await page.click("text=Flame graph");
    await shot("7-flame");
    const frame = await page.evaluate(() =>
      (window as unknown as { spanfnReport: { locateFrame(which: string, name: string): { x: number; y: number } | null } }).spanfnReport.locateFrame("thread", "main::parseAll"),
    );
    expect(frame).not.toBeNull();
    const box = (await page.locator("#flame-thread").boundingBox())!;
    await page.mouse.click(box.x + frame!.x, box.y + frame!.y);
    const info = (await page.locator("#flame-thread-info").textContent())!;
    // parseAll is an outermost thread span every time (in fetchPage and in main): one path, all four calls.
    const durations = threadDurations("main::parseAll");
    expect(durations).toHaveLength(4);
    expect(info).toMatch(/^main::parseAll: total [\d.]+ ms, self [\d.]+ (ms|µs), 4 calls$/);
    expect(micros(info.split("total ")[1])).toBeCloseTo(durations.reduce((a, b) => a + b, 0), -1);
    await shot("8-flame-zoomed");
    const asyncFrame = await page.evaluate(() =>
      (window as unknown as { spanfnReport: { locateFrame(which: string, name: string): { x: number; y: number } | null } }).spanfnReport.locateFrame("async", "main::fetchPage"),
    );
    const asyncBox = (await page.locator("#flame-async").boundingBox())!;
    await page.mouse.move(asyncBox.x + asyncFrame!.x, asyncBox.y + asyncFrame!.y);
    expect(await page.locator("#flame-async-info").textContent()).toMatch(/^main::main › main::fetchAll › main::fetchPage: total [\d.]+ ms, self [\d.]+ (ms|µs), 3 calls$/);
  });

  test("the side panel resizes by its splitter", async () => {
    await page.click("text=Timeline");
    const before = (await page.locator("#side").boundingBox())!;
    const splitter = (await page.locator("#splitter").boundingBox())!;
    await page.mouse.move(splitter.x + 3, splitter.y + 100);
    await page.mouse.down();
    await page.mouse.move(splitter.x - 197, splitter.y + 100, { steps: 4 });
    await page.mouse.up();
    const after = (await page.locator("#side").boundingBox())!;
    expect(after.width - before.width).toBeCloseTo(200, -1);
    await shot("9-resized");
    expect(pageErrors).toEqual([]);
  });
});

describe("worker threads in the trace and the HTML report", () => {
  let workerEvents: ChromeTraceEvent[];
  let workerPage: Page;

  beforeAll(async () => {
    const out = join(scratch, "workers.json");
    const html = join(scratch, "workers.html");
    const run = spawnSync(process.execPath, [BIN, "run", "--all", "--quiet", "--out", out, "--html", html, "main.mjs"], {
      cwd: join(__dirname, "programs", "workers"),
      encoding: "utf8",
      env: { ...process.env, SPANFN_CACHE: "0" },
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("5 14\n");
    workerEvents = asPairs(parseChromeTrace(readFileSync(out, "utf8")));
    workerPage = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    workerPage.on("pageerror", (error) => pageErrors.push(String(error)));
    await workerPage.goto(pathToFileURL(html).href);
  }, 60_000);

  test("the trace links each worker's root span to the span that created the worker", () => {
    const counts = workerEvents.filter((e) => e.ph === "B" && e.name === "worker::count");
    expect(counts).toHaveLength(2);
    expect(new Set(counts.map((e) => e.tid)).size).toBe(2);
    const askWorker = workerEvents.find((e) => e.ph === "b" && e.name === "main::askWorker")!;
    // The async span that created a worker is its root span's parent, by id.
    const byAsync = counts.find((e) => e.args?.parent !== undefined)!;
    expect(byAsync.args!.parent).toBe(Number(askWorker.id));
    // The thread span that created the other: a flow starts inside it and ends at the worker's root span.
    const bySync = counts.find((e) => e !== byAsync)!;
    const start = workerEvents.find((e) => e.ph === "s" && e.id === String(bySync.tid))!;
    const startCounter = workerEvents.find((e) => e.ph === "B" && e.name === "main::startCounter")!;
    const startCounterEnd = workerEvents.find((e) => e.ph === "E" && e.name === "main::startCounter")!;
    expect(start.tid).toBe(startCounter.tid);
    expect(start.ts!).toBeGreaterThanOrEqual(startCounter.ts!);
    expect(start.ts!).toBeLessThanOrEqual(startCounterEnd.ts!);
    expect(workerEvents.find((e) => e.ph === "f" && e.id === String(bySync.tid))).toMatchObject({ tid: bySync.tid, ts: bySync.ts, bp: "e" });
  });

  test("a worker's root span has the span that created the worker on its path, and is among that span's children", async () => {
    const select = async (nth: number) => {
      const point = await workerPage.evaluate(
        (n) => (window as unknown as { spanfnReport: { locate(name: string, nth: number): { x: number; y: number } } }).spanfnReport.locate("worker::count", n),
        nth,
      );
      const canvas = (await workerPage.locator("#canvas").boundingBox())!;
      await workerPage.mouse.click(canvas.x + point.x, canvas.y + point.y);
      expect(await workerPage.locator("#details-name").textContent()).toBe("worker::count");
      return workerPage.locator("#details-path li a").allTextContents();
    };
    const paths = [await select(0), await select(1)];
    await workerPage.screenshot({ path: join(ARTIFACTS, "10-worker.png") });
    expect([...paths].sort()).toEqual([
      ["main::main", "main::askWorker", "worker::count"],
      ["main::main", "main::startCounter", "worker::count"],
    ]);
    // A step up the path: the creating span lists the worker's span among its children, a click away.
    await select(paths.findIndex((path) => path.includes("main::askWorker")));
    await workerPage.locator("#details-path li a", { hasText: "main::askWorker" }).click();
    expect(await workerPage.locator("#details-name").textContent()).toBe("main::askWorker");
    await workerPage.locator("#details-children li a", { hasText: "worker::count" }).click();
    expect(await workerPage.locator("#details-name").textContent()).toBe("worker::count");
    expect(pageErrors).toEqual([]);
  });
});
