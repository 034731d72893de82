/**
 * The self-contained HTML report: the trace's spans as flat arrays in the page (no network, no
 * CDN), drawn by assets/viewer.html on a canvas with culling, with the summary table beside it.
 */
import { readFileSync } from "node:fs";
import type { ChromeTraceEvent } from "@spanfn/tracing";
import { pairSpans, type CompletedSpan } from "./spans.js";
import type { Summary } from "./summary.js";

const TEMPLATE = new URL("../../assets/viewer.html", import.meta.url);
const FIELDS = 10;
const OUTCOMES = ["", "fulfilled", "rejected", "detached", "unfinished"];

interface Track {
  label: string;
  rows: number;
}

/** "main (pid 12)" for thread key "12:0" named main; "thread 0 (pid 12)" unnamed. */
function threadLabel(thread: string, names: ReadonlyMap<string, string>): string {
  const colon = thread.indexOf(":");
  const pid = thread.slice(0, colon);
  return `${names.get(thread) ?? `thread ${thread.slice(colon + 1)}`} (pid ${pid})`;
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

  const asyncDone: CompletedSpan[] = [];
  pairSpans(
    events,
    (span) => {
      if (span.kind === "async") {
        asyncDone.push(span);
        return;
      }
      const track = trackOf(`t${span.thread}`, threadLabel(span.thread, threadNames));
      push(0, span.name, track, span.depth, span.start, span.duration, -1, span.args, span.outcome === "unfinished" ? 4 : 0);
    },
    progress,
  );

  // Async spans overlap: each goes into the first lane of its thread's async track that is free.
  asyncDone.sort((x, y) => x.start - y.start);
  const lanes = new Map<number, number[]>();
  const indexById = new Map<string, number>();
  const parents: Array<[number, string]> = [];
  for (const span of asyncDone) {
    const track = trackOf(`a${span.thread}`, `async spans of ${threadLabel(span.thread, threadNames)}`);
    let ends = lanes.get(track);
    if (!ends) lanes.set(track, (ends = []));
    let lane = ends.findIndex((laneEnd) => laneEnd <= span.start);
    if (lane < 0) lane = ends.push(0) - 1;
    ends[lane] = span.start + span.duration;
    const index = push(1, span.name, track, lane, span.start, span.duration, -1, span.args, Math.max(0, OUTCOMES.indexOf(span.outcome)));
    indexById.set(span.key!, index);
    if (span.parent !== null) parents.push([index, span.parent]);
  }
  for (const [index, parentKey] of parents) spans[index * FIELDS + 6] = indexById.get(parentKey) ?? -1;

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
