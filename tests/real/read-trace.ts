/**
 * Reads a spanfn Chrome trace file event by event: spanfn writes one event a line, and the
 * real-code traces run to tens of millions of lines, most of them a thread span's begin or end
 * or a leaf's X, whose name and args repeat its function's. Those are read without JSON.parse but for that
 * tail, parsed once; every other line is parsed as it is.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { ChromeTraceEvent } from "../../packages/tracing/src/index.js";

const END = /^\{"ph":"E","pid":(\d+),"tid":(\d+),"ts":([\d.e+-]+)\}$/;
const BEGIN = /^\{"ph":"([BEX])","pid":(\d+),"tid":(\d+),"ts":([\d.e+-]+),(?:"dur":([\d.e+-]+),)?(?="name")/;

/** Calls `visit` with each event in order (a callback: an async generator's promise per event costs more than the parsing saves). */
export async function readTrace(file: string, visit: (event: ChromeTraceEvent) => void): Promise<void> {
  /** What follows `"ts":…,` (and an X's `"dur":…,`) in a begin line -> its name, cat and args, parsed once per function. */
  const sites = new Map<string, Pick<ChromeTraceEvent, "name" | "cat" | "args">>();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    const text = line.endsWith(",") ? line.slice(0, -1) : line;
    if (text === "[" || text === "]" || text === "") continue;
    const end = END.exec(text);
    if (end !== null) {
      visit({ ph: "E", pid: Number(end[1]), tid: Number(end[2]), ts: Number(end[3]) });
      continue;
    }
    const begin = BEGIN.exec(text);
    if (begin !== null) {
      const rest = text.slice(begin[0].length);
      let site = sites.get(rest);
      if (site === undefined) sites.set(rest, (site = JSON.parse(`{${rest}`) as Pick<ChromeTraceEvent, "name" | "cat" | "args">));
      const event: ChromeTraceEvent = { ph: begin[1] as "B" | "E" | "X", pid: Number(begin[2]), tid: Number(begin[3]), ts: Number(begin[4]), name: site.name, cat: site.cat, args: site.args };
      if (begin[5] !== undefined) event.dur = Number(begin[5]);
      visit(event);
      continue;
    }
    visit(JSON.parse(text) as ChromeTraceEvent);
  }
}
