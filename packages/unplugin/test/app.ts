/**
 * What the bundler tests expect of test/projects/app, built and run: the app's results, and its
 * spans at the lines of the source (found in the source text, so editing the app moves them).
 */
import { expect } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { finishedSpans, type FinishedSpan, type SpanEvent } from "@spanfn/tracing";

export const APP = join(__dirname, "projects/app");

export interface AppResult {
  cached: string;
  stored: string;
  total: number;
  caught: string;
  rendered?: string;
  events: SpanEvent[];
  /** The page's Web Worker: what its own runtime recorded. */
  workerEvents?: SpanEvent[];
}

/** 1-based line of the first line of the app's `file` that contains `text`. */
export function lineOf(file: string, text: string): number {
  const index = readFileSync(join(APP, file), "utf8").split("\n").findIndex((line) => line.includes(text));
  if (index === -1) throw new Error(`${file} has no line with ${JSON.stringify(text)}`);
  return index + 1;
}

function eventsOf(result: AppResult, name: string): SpanEvent[] {
  return result.events.filter((event) => event.name === name);
}

/** The app's own results: what instrumentation must not change. */
export function expectAppWorked(result: AppResult): void {
  expect(result).toMatchObject({ cached: "A", stored: "disk:b", total: 21, caught: "empty order" });
}

/**
 * A promise-returning function without `async`: one async span, from the call until the
 * promise settled (the work takes 20 ms), no thread span.
 */
export function expectAsyncFromCall(result: AppResult, name: string, line: number): void {
  const events = eventsOf(result, name);
  expect(events.map((e) => e.kind)).toEqual(["async-begin", "async-end"]);
  const [begin, end] = events;
  expect(begin.line).toBe(line);
  expect(end.outcome).toBe("fulfilled");
  expect(end.time - begin.time).toBeGreaterThanOrEqual(15);
}

export function expectAppSpans(result: AppResult): void {
  expectAsyncFromCall(result, "service::MemoryCache.get", lineOf("service.ts", "get(key) {"));

  const price = eventsOf(result, "service::price");
  expect(price.map((e) => e.kind)).toEqual(["thread-begin", "thread-end"]);
  expect(price[0].line).toBe(lineOf("service.ts", "export function price"));

  // The caught error: its span ends rejected, and the program went on.
  const validate = eventsOf(result, "service::validate");
  expect(validate.map((e) => e.kind)).toEqual(["async-begin", "async-end"]);
  expect(validate[0].line).toBe(lineOf("service.ts", "export async function validate"));
  expect(validate[1].outcome).toBe("rejected");
}

/**
 * The page's Web Worker (web-worker.ts) recorded its own spans: `handle`, an async function,
 * awaited the promise-returning `Shelf.load` (async from the call until its promise settled) and
 * then ran the sync `sum` (a thread span); each once, nested under `handle`.
 */
export function expectWorkerSpans(result: AppResult): void {
  const spans = finishedSpans(result.workerEvents ?? []);
  const shape = (span: FinishedSpan) => [span.name, span.kind, span.line, span.outcome, span.parent?.name ?? null];
  expect(spans.map(shape)).toEqual([
    ["web-worker::handle", "async", lineOf("web-worker.ts", "async function handle"), "fulfilled", null],
    ["web-worker::Shelf.load", "async", lineOf("web-worker.ts", "load(key) {"), "fulfilled", "web-worker::handle"],
    ["web-worker::sum", "thread", lineOf("web-worker.ts", "function sum"), "ended", "web-worker::handle"],
  ]);
  const [handle, load, sum] = spans;
  // The work behind load's promise takes 20 ms; sum ran after it settled, inside handle.
  expect(load.duration).toBeGreaterThanOrEqual(15);
  expect(sum.start).toBeGreaterThanOrEqual(load.start + load.duration);
  expect(handle.start + handle.duration).toBeGreaterThanOrEqual(sum.start + sum.duration);
}

/**
 * Where the bundle's string literal holding `text` (it survives minifying, though its quotes may
 * change) came from, through the bundle's source map: the chain of maps from the plugin's output
 * to the bundle.
 */
export function originalLineOf(bundle: string, text: string): { source: string | null; line: number | null } {
  const code = readFileSync(bundle, "utf8");
  const offset = code.indexOf(text) - 1;
  if (offset < 0) throw new Error(`${bundle} does not contain ${text}`);
  const before = code.slice(0, offset).split("\n");
  const map = new TraceMap(readFileSync(`${bundle}.map`, "utf8"));
  const position = originalPositionFor(map, { line: before.length, column: before[before.length - 1].length });
  return { source: position.source, line: position.line };
}
