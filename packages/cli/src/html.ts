/**
 * The self-contained HTML report: the trace's spans as flat arrays in the page (no network, no
 * CDN), drawn by assets/viewer.html on a canvas with culling, with the summary table beside it.
 */
import { readFileSync } from "node:fs";
import type { ChromeTraceEvent } from "@spanfn/tracing";
import type { Summary } from "./summary.js";

const TEMPLATE = new URL("../../assets/viewer.html", import.meta.url);
const FIELDS = 10;
const OUTCOMES = ["", "fulfilled", "rejected", "detached", "unfinished"];

interface Track {
  label: string;
  rows: number;
}

/** Calls `progress(done, total)` now and then, for long traces. */
export function renderHtml(events: readonly ChromeTraceEvent[], summary: Summary, progress?: (done: number, total: number) => void): string {
  const names = new Map<string, number>();
  const files = new Map<string, number>();
  const intern = (table: Map<string, number>, value: string) => {
    let id = table.get(value);
    if (id === undefined) table.set(value, (id = table.size));
    return id;
  };
  const threadNames = new Map<string, string>();
  for (const e of events) if (e.ph === "M" && e.name === "thread_name") threadNames.set(`${e.pid}:${e.tid}`, String((e.args as { name?: string }).name));

  const tracks: Track[] = [];
  const trackIds = new Map<string, number>();
  const trackOf = (key: string, label: string) => {
    let id = trackIds.get(key);
    if (id === undefined) {
      trackIds.set(key, (id = tracks.length));
      tracks.push({ label, rows: 0 });
    }
    return id;
  };

  const spans: number[] = [];
  let start = Infinity;
  let end = -Infinity;
  const push = (kind: number, name: string, track: number, row: number, ts: number, dur: number, parent: number, args: Record<string, unknown> | undefined, outcome: number) => {
    spans.push(kind, intern(names, name), track, row, ts, dur, parent, intern(files, String(args?.file ?? "")), Number(args?.line ?? 0), outcome);
    tracks[track].rows = Math.max(tracks[track].rows, row + 1);
    start = Math.min(start, ts);
    end = Math.max(end, ts + dur);
    return spans.length / FIELDS - 1;
  };

  const stacks = new Map<string, Array<{ e: ChromeTraceEvent; index: number }>>();
  const asyncOpen = new Map<string, ChromeTraceEvent>();
  const asyncDone: Array<{ b: ChromeTraceEvent; e: ChromeTraceEvent }> = [];
  events.forEach((e, n) => {
    if (progress && n % 100_000 === 0) progress(n, events.length);
    const thread = `${e.pid}:${e.tid}`;
    if (e.ph === "B") {
      let stack = stacks.get(thread);
      if (!stack) stacks.set(thread, (stack = []));
      stack.push({ e, index: -1 });
    } else if (e.ph === "E") {
      const stack = stacks.get(thread);
      const frame = stack?.pop();
      if (!frame || !stack) return;
      const track = trackOf(`t${thread}`, `${threadNames.get(thread) ?? `thread ${e.tid}`} (pid ${e.pid})`);
      const outcome = (e.args as { unfinished?: boolean } | undefined)?.unfinished ? 4 : 0;
      frame.index = push(0, frame.e.name ?? "?", track, stack.length, frame.e.ts ?? 0, (e.ts ?? 0) - (frame.e.ts ?? 0), -1, frame.e.args, outcome);
    } else if (e.ph === "X") {
      const depth = stacks.get(thread)?.length ?? 0;
      const track = trackOf(`t${thread}`, `${threadNames.get(thread) ?? `thread ${e.tid}`} (pid ${e.pid})`);
      push(0, e.name ?? "?", track, depth, e.ts ?? 0, e.dur ?? 0, -1, e.args, 0);
    } else if (e.ph === "b") {
      asyncOpen.set(`${e.pid}:${e.id}`, e);
    } else if (e.ph === "e") {
      const b = asyncOpen.get(`${e.pid}:${e.id}`);
      if (!b) return;
      asyncOpen.delete(`${e.pid}:${e.id}`);
      asyncDone.push({ b, e });
    }
  });

  // Async spans overlap: each goes into the first lane of its thread's async track that is free.
  asyncDone.sort((x, y) => (x.b.ts ?? 0) - (y.b.ts ?? 0));
  const lanes = new Map<number, number[]>();
  const indexById = new Map<string, number>();
  const parents: Array<[number, string]> = [];
  for (const { b, e } of asyncDone) {
    const thread = `${b.pid}:${b.tid}`;
    const track = trackOf(`a${thread}`, `async spans of ${threadNames.get(thread) ?? `thread ${b.tid}`} (pid ${b.pid})`);
    let ends = lanes.get(track);
    if (!ends) lanes.set(track, (ends = []));
    let lane = ends.findIndex((laneEnd) => laneEnd <= (b.ts ?? 0));
    if (lane < 0) lane = ends.push(0) - 1;
    ends[lane] = e.ts ?? 0;
    const outcome = OUTCOMES.indexOf(String((e.args as { outcome?: string } | undefined)?.outcome ?? ""));
    const index = push(1, b.name ?? "?", track, lane, b.ts ?? 0, (e.ts ?? 0) - (b.ts ?? 0), -1, b.args, Math.max(0, outcome));
    indexById.set(`${b.pid}:${b.id}`, index);
    const parent = (b.args as { parent?: number } | undefined)?.parent;
    if (parent) parents.push([index, `${b.pid}:${parent}`]);
  }
  for (const [index, parentKey] of parents) spans[index * FIELDS + 6] = indexById.get(parentKey) ?? -1;
  progress?.(events.length, events.length);

  const data = {
    names: [...names.keys()],
    files: [...files.keys()],
    tracks,
    spans,
    outcomes: OUTCOMES,
    start: Number.isFinite(start) ? start : 0,
    end: Number.isFinite(end) ? end : 0,
    unfinished: summary.unfinished,
    dropped: summary.droppedSpans,
    summary: summary.spans,
  };
  // `<` escaped, so no string in the data can close the script element.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return readFileSync(TEMPLATE, "utf8").replace("/*SPANFN_DATA*/", () => json);
}
