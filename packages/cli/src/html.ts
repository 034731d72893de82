/**
 * The self-contained HTML report: the trace's spans as flat arrays in the page (no network, no
 * CDN), with what the page would otherwise work out per span done here once: each span's parent
 * (a thread span's enclosing span, or the async span it ran in; a worker thread's root spans, the
 * span that created the worker) and self time, and the call-path trees of aggregated time its
 * flame graphs draw. assets/viewer.html draws them.
 */
import { readFileSync } from "node:fs";
import { WORKER_FLOW_CATEGORY, type ChromeTraceEvent } from "@spanfn/tracing";
import { pairSpans, type CompletedSpan } from "./spans.js";
import type { Summary } from "./summary.js";

const TEMPLATE = new URL("../../assets/viewer.html", import.meta.url);
/** Per span: kind, name, track, row, start, duration, parent span, file, line, outcome, self. */
const FIELDS = 11;
/** Per call-path node: name, parent node, total, self, count. */
const NODE_FIELDS = 5;
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

/** Call paths with their time summed: node 0 is the root; a child per distinct name under each node. */
class PathTree {
  readonly nodes: number[] = [-1, -1, 0, 0, 0];
  private readonly children = new Map<string, number>();

  child(parent: number, name: number): number {
    const key = `${parent}:${name}`;
    let node = this.children.get(key);
    if (node === undefined) {
      node = this.nodes.length / NODE_FIELDS;
      this.nodes.push(name, parent, 0, 0, 0);
      this.children.set(key, node);
    }
    return node;
  }

  add(node: number, total: number, self: number): void {
    const at = node * NODE_FIELDS;
    this.nodes[at + 2] += total;
    this.nodes[at + 3] += self;
    this.nodes[at + 4] += 1;
  }
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
  /** Per worker thread (its key): where it was created, from the flow the trace starts there. */
  const workerStarts = new Map<string, { thread: string; ts: number }>();
  for (const e of events) {
    if (e.ph === "M" && e.name === "thread_name") threadNames.set(`${e.pid}:${e.tid}`, String((e.args as { name?: string }).name));
    else if (e.ph === "s" && e.cat === WORKER_FLOW_CATEGORY) workerStarts.set(`${e.pid}:${e.id}`, { thread: `${e.pid}:${e.tid}`, ts: e.ts ?? 0 });
  }

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
  /** Per span: its thread's key. */
  const spanThreads: string[] = [];
  const push = (kind: number, span: CompletedSpan, track: number, row: number, outcome: number) => {
    const { args } = span;
    spanThreads.push(span.thread);
    spans.push(kind, intern(names, span.name), track, row, span.start, span.duration, -1, intern(files, String(args?.file ?? "")), Number(args?.line ?? 0), outcome, Math.max(0, span.duration - span.childTime));
    tracks[track].rows = Math.max(tracks[track].rows, row + 1);
    start = Math.min(start, span.start);
    end = Math.max(end, span.start + span.duration);
    return spans.length / FIELDS - 1;
  };

  const threadDone: CompletedSpan[] = [];
  const asyncDone: CompletedSpan[] = [];
  pairSpans(events, (span) => (span.kind === "async" ? asyncDone : threadDone).push(span), progress);

  // Thread tracks first, in the order their threads' spans ended, then the async tracks.
  for (const span of threadDone) trackOf(`t${span.thread}`, threadLabel(span.thread, threadNames));

  // Async spans overlap: each goes into the first lane of its thread's async track that is free.
  asyncDone.sort((x, y) => x.start - y.start);
  const lanes = new Map<number, number[]>();
  const indexByKey = new Map<string, number>();
  const asyncParents: Array<[number, string]> = [];
  for (const span of asyncDone) {
    const track = trackOf(`a${span.thread}`, `async spans of ${threadLabel(span.thread, threadNames)}`);
    let ends = lanes.get(track);
    if (!ends) lanes.set(track, (ends = []));
    let lane = ends.findIndex((laneEnd) => laneEnd <= span.start);
    if (lane < 0) lane = ends.push(0) - 1;
    ends[lane] = span.start + span.duration;
    const index = push(1, span, track, lane, Math.max(0, OUTCOMES.indexOf(span.outcome)));
    indexByKey.set(span.key!, index);
    if (span.parent !== null) asyncParents.push([index, span.parent]);
  }
  for (const [index, parentKey] of asyncParents) spans[index * FIELDS + 6] = indexByKey.get(parentKey) ?? -1;

  // Thread spans by start, outer before inner: the enclosing span of each is the one open a level up.
  threadDone.sort((x, y) => (x.thread < y.thread ? -1 : x.thread > y.thread ? 1 : x.start - y.start || x.depth - y.depth));
  let open: number[] = [];
  let openThread = "";
  for (const span of threadDone) {
    if (span.thread !== openThread) [open, openThread] = [[], span.thread];
    const track = trackOf(`t${span.thread}`, threadLabel(span.thread, threadNames));
    const index = push(0, span, track, span.depth, span.outcome === "unfinished" ? 4 : 0);
    open[span.depth] = index;
    let parent = span.depth > 0 ? (open[span.depth - 1] ?? -1) : -1;
    // The outermost thread span since an async span became current names it (args.parent, an id
    // of this process): it ran in that async span, even when a sync caller encloses it.
    const asyncParent = span.args?.parent;
    if (typeof asyncParent === "number" && asyncParent > 0) {
      parent = indexByKey.get(`${span.thread.slice(0, span.thread.indexOf(":"))}:${asyncParent}`) ?? -1;
    }
    spans[index * FIELDS + 6] = parent;
  }

  // A worker's root spans not linked yet (an async span that created the worker names itself in
  // their args.parent): under the innermost thread span open where the worker was created.
  for (const [worker, { thread, ts }] of workerStarts) {
    let starter = -1;
    let starterDepth = -1;
    const roots: number[] = [];
    for (let i = 0; i < spans.length / FIELDS; i++) {
      const at = i * FIELDS;
      const spanThread = spanThreads[i];
      if (spanThread === worker && spans[at + 6] < 0 && (spans[at] === 1 || spans[at + 3] === 0)) roots.push(i);
      else if (spanThread === thread && spans[at] === 0 && spans[at + 4] <= ts && ts <= spans[at + 4] + spans[at + 5] && spans[at + 3] > starterDepth) {
        starter = i;
        starterDepth = spans[at + 3];
      }
    }
    if (starter < 0) continue;
    for (const root of roots) spans[root * FIELDS + 6] = starter;
  }

  // Aggregated call paths, thread and async apart: a thread span's path runs up its thread spans,
  // an async span's up its async parents. Spans are visited parents first (by start).
  const threadPaths = new PathTree();
  const asyncPaths = new PathTree();
  const count = spans.length / FIELDS;
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => spans[a * FIELDS + 4] - spans[b * FIELDS + 4] || spans[a * FIELDS + 3] - spans[b * FIELDS + 3]);
  const pathNode = new Int32Array(count);
  for (const i of order) {
    const at = i * FIELDS;
    const kind = spans[at];
    const parent = spans[at + 6];
    const tree = kind === 0 ? threadPaths : asyncPaths;
    // A worker's root span starts a path of its own: its time is its thread's, not its creator's.
    const parentNode = parent >= 0 && spans[parent * FIELDS] === kind && spanThreads[parent] === spanThreads[i] ? pathNode[parent] : 0;
    const node = tree.child(parentNode, spans[at + 1]);
    pathNode[i] = node;
    tree.add(node, spans[at + 5], spans[at + 10]);
  }
  for (const tree of [threadPaths, asyncPaths]) {
    // The root holds the time of the outermost spans.
    for (let n = 1; n < tree.nodes.length / NODE_FIELDS; n++) {
      if (tree.nodes[n * NODE_FIELDS + 1] === 0) tree.nodes[2] += tree.nodes[n * NODE_FIELDS + 2];
    }
  }

  const data = {
    names: [...names.keys()],
    files: [...files.keys()],
    tracks,
    spans,
    outcomes: OUTCOMES,
    threadPaths: threadPaths.nodes,
    asyncPaths: asyncPaths.nodes,
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
