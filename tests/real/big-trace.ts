/**
 * A Chrome trace of any size, written fast: one block of well-formed events (every span begun
 * and ended inside it, times whole microseconds so sums stay exact) repeated as it is, as
 * spanfn writes them, one event a line. A block's spans do not care that time starts again in
 * the next one, so the whole file summarises to the block's summary times the repeats.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { ChromeTraceEvent } from "../../packages/tracing/src/index.js";

const PID = 4242;
const RECURSION = 30;

function site(name: string, line: number): Pick<ChromeTraceEvent, "name" | "cat" | "args"> {
  return { name, cat: "spanfn", args: { target: name.split("::")[0], file: "/app/src/lib.ts", line } };
}

/** One block: on two threads, a run that recurses, calls leaves and a tiny function, and an async job with a child. */
export function blockEvents(iterations: number): ChromeTraceEvent[] {
  const events: ChromeTraceEvent[] = [];
  const begin = (tid: number, ts: number, s: Pick<ChromeTraceEvent, "name" | "cat" | "args">) => events.push({ ph: "B", pid: PID, tid, ts, ...s });
  const end = (tid: number, ts: number) => events.push({ ph: "E", pid: PID, tid, ts });
  for (let i = 0; i < iterations; i++) {
    const tid = i % 2;
    let t = i * 1000;
    begin(tid, t, site("app::run", 1));
    for (let d = 0; d < RECURSION; d++) begin(tid, (t += 1 + (d % 3)), site("lib::walk", 10));
    for (let leaf = 0; leaf < 3; leaf++) {
      begin(tid, (t += 2), site("lib::leaf", 20));
      end(tid, (t += 5 + leaf + (i % 7)));
    }
    begin(tid, (t += 1), site("lib::tiny", 30));
    end(tid, (t += 1));
    for (let d = 0; d < RECURSION; d++) end(tid, (t += 1 + (d % 2)));
    const id = 2 * i + 1;
    events.push({ ph: "b", pid: PID, tid, ts: (t += 1), id: String(id), ...site("job::fetch", 40), args: { ...site("job::fetch", 40).args, parent: 0, depth: 1 } });
    events.push({ ph: "b", pid: PID, tid, ts: (t += 3), id: String(id + 1), ...site("job::parse", 50), args: { ...site("job::parse", 50).args, parent: id, depth: 2 } });
    events.push({ ph: "e", pid: PID, tid, ts: (t += 40 + (i % 11)), cat: "spanfn", id: String(id + 1), name: "job::parse", args: { outcome: "fulfilled" } });
    events.push({ ph: "e", pid: PID, tid, ts: (t += 9), cat: "spanfn", id: String(id), name: "job::fetch", args: { outcome: "rejected" } });
    end(tid, (t += 3));
  }
  return events;
}

export const HEAD: ChromeTraceEvent[] = [
  { ph: "M", pid: PID, tid: 0, name: "process_name", args: { name: "big" } },
  { ph: "M", pid: PID, tid: 0, name: "thread_name", args: { name: "main" } },
  { ph: "M", pid: PID, tid: 1, name: "thread_name", args: { name: "worker 1" } },
];
export const TAIL: ChromeTraceEvent[] = [
  { ph: "M", pid: PID, tid: 0, name: "spanfn_report", args: { droppedSpans: 3, lostEvents: 2, lostEnds: 0, earlySpans: 0, promiseReturningSync: [], demoted: [{ name: "lib::tiny", calls: 5 }] } },
];

/**
 * Writes HEAD, `block` repeated until the file passes `bytes`, and TAIL, one event a line (or,
 * with `lineBreaks` false, all on one line); returns how many times the block went in.
 */
export function writeBigTrace(path: string, block: readonly ChromeTraceEvent[], bytes: number, lineBreaks = true): number {
  const next = lineBreaks ? ",\n" : ",";
  const fd = openSync(path, "w");
  try {
    writeSync(fd, `[${lineBreaks ? "\n" : ""}${HEAD.map((e) => `${JSON.stringify(e)}${next}`).join("")}`);
    const chunk = Buffer.from(block.map((e) => `${JSON.stringify(e)}${next}`).join(""));
    let repeats = 0;
    for (let written = 0; written < bytes; written += chunk.length, repeats++) writeSync(fd, chunk);
    writeSync(fd, `${TAIL.map((e) => JSON.stringify(e)).join(next)}]\n`);
    return repeats;
  } finally {
    closeSync(fd);
  }
}
