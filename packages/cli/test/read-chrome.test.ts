/**
 * The streaming Chrome trace reader: whatever the layout and wherever the chunks split the text,
 * the visitor hears what the events, parsed whole with JSON.parse, say.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChromeTraceEvent, TraceEventVisitor } from "@spanfn/tracing";
import { readChromeTrace } from "../src/read/chrome.js";
import { visitChromeEvent } from "../src/read/chrome-events.js";

const dir = mkdtempSync(join(tmpdir(), "spanfn-read-chrome-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVENTS: ChromeTraceEvent[] = [
  { ph: "M", pid: 7, tid: 0, name: "process_name", args: { name: "p" } },
  { ph: "M", pid: 7, tid: 0, name: "thread_name", args: { name: "main \u00e9\u{1F600}" } },
  { ph: "B", pid: 7, tid: 0, ts: 12.5, name: "m::f", cat: "spanfn", args: { target: "m", file: "C:\\src\\m.js", line: 3 } },
  { ph: "B", pid: 7, tid: 1, ts: 13, name: 'm::"quoted" \u2028 \\ / \t', cat: "spanfn", args: { target: "m", file: "m.js", line: 9, parent: 4 } },
  { ph: "B", pid: 7, tid: 0, ts: 14.25, name: "m::f", cat: "spanfn", args: { target: "m", file: "C:\\src\\m.js", line: 3 } },
  { ph: "B", pid: 7, tid: 3, ts: 14.5, name: "m::f", cat: "spanfn", args: { target: "m", file: "C:\\src\\m.js", line: 3 }, tts: 2 } as ChromeTraceEvent,
  { ph: "E", pid: 7, tid: 0, ts: 1e21 },
  { ph: "E", pid: 7, tid: 1, ts: 15.125, name: 'm::"quoted" \u2028 \\ / \t', cat: "spanfn", args: { target: "m", file: "m.js", line: 9, parent: 4 } },
  { ph: "E", pid: 7, tid: 0, ts: 15.5, name: "m::f", cat: "spanfn", args: { target: "m", file: "C:\\src\\m.js", line: 3 } },
  { ph: "X", pid: 7, tid: 2, ts: 20, dur: 5, name: "complete" },
  { ph: "b", pid: 7, tid: 0, ts: 16, id: "4", name: "m::g", cat: "spanfn", args: { parent: 0, depth: 1 } },
  { ph: "b", pid: 7, tid: 1, ts: 17, id: "5", name: "m::h", cat: "spanfn", args: { parent: 4, depth: 2 } },
  { ph: "e", pid: 7, tid: 0, ts: 18, cat: "spanfn", id: "5", name: "m::h", args: { outcome: "rejected" } },
  { ph: "e", pid: 7, tid: 0, ts: 19, cat: "spanfn", id: "4", name: "m::g", args: { outcome: "fulfilled" } },
  { ph: "E", pid: 7, tid: 0, ts: 30, args: { unfinished: true } },
  { ph: "E", pid: 7, tid: 3, ts: 31, name: "m::f", cat: "spanfn", args: { unfinished: true } },
  { ph: "M", pid: 7, tid: 0, name: "spanfn_report", args: { droppedSpans: 1, demoted: [{ name: "m::f", calls: 2 }] } },
];

type Call = [string, ...unknown[]];

/** A visitor that writes down what it hears. */
function recorder(): { calls: Call[]; visitor: TraceEventVisitor } {
  const calls: Call[] = [];
  const visitor: TraceEventVisitor = {
    threadName: (...a) => calls.push(["threadName", ...a]),
    threadBegin: (...a) => calls.push(["threadBegin", ...a]),
    threadEnd: (...a) => calls.push(["threadEnd", ...a]),
    asyncBegin: (...a) => calls.push(["asyncBegin", ...a]),
    asyncEnd: (...a) => calls.push(["asyncEnd", ...a]),
    report: (...a) => calls.push(["report", ...a]),
  };
  return { calls, visitor };
}

function expectedCalls(events: readonly ChromeTraceEvent[]): Call[] {
  const { calls, visitor } = recorder();
  for (const e of events) visitChromeEvent(e, visitor);
  return calls;
}

let files = 0;
function file(text: string): string {
  const path = join(dir, `t${files++}.json`);
  writeFileSync(path, text);
  return path;
}

async function read(path: string, chunkBytes?: number, maxLine?: number) {
  const { calls, visitor } = recorder();
  const events: ChromeTraceEvent[] = [];
  const result = await readChromeTrace(path, visitor, (e) => events.push(e), { chunkBytes, maxLine });
  return { calls, events, result };
}

const lines = (events: readonly ChromeTraceEvent[]) => events.map((e) => JSON.stringify(e));

const LAYOUTS: Array<[string, string]> = [
  ["spanfn's: an array, one event a line", `[\n${lines(EVENTS).join(",\n")}\n]\n`],
  ["one event a line, the first beside the opening", `[${lines(EVENTS).join(",\n")}]`],
  ["object, one event a line, the first beside the opening", `{"traceEvents":[ ${lines(EVENTS).join(",\n")}\n]}`],
  ["one line", JSON.stringify(EVENTS)],
  ["pretty-printed", JSON.stringify(EVENTS, null, 2)],
  ["object, other keys before and after", JSON.stringify({ meta: { traceEvents: [{ ph: "B" }] }, traceEvents: EVENTS, after: [1, { ph: "E" }] }, null, 1)],
  ["object, one event a line", `{"traceEvents":[\n${lines(EVENTS).join(",\n")}\n],"displayTimeUnit":"ms","x":{"traceEvents":[{"ph":"E"}]}}`],
  ["odd whitespace: CRLF, tabs, blank lines, commas first", `\r\n\t[\r\n\r\n${lines(EVENTS).join("\r\n\t ,")}\r\n\t]\t\r\n\r\n`],
  ["one a line, then pretty-printed", `[\n${lines(EVENTS.slice(0, 5)).join(",\n")},\n${JSON.stringify(EVENTS.slice(5), null, 2).slice(1)}`],
  ["one a line, then two on a line", `[\n${lines(EVENTS.slice(0, 5)).join(",\n")},\n${lines(EVENTS.slice(5)).join(", ")}]`],
  ["empty", "[]"],
];

describe("readChromeTrace", () => {
  describe.each(LAYOUTS)("%s", (_, text) => {
    const events = text === "[]" ? [] : EVENTS;
    test.each([1, 3, 7, 64, 1 << 20])("read %i bytes at a time: every event, in order, as JSON.parse reads it", async (chunkBytes) => {
      const got = await read(file(text), chunkBytes);
      expect(got.events).toEqual(events);
      expect(got.calls).toEqual(expectedCalls(events));
      expect(got.result).toEqual({ events: events.length, cutShort: "no" });
    });

    test.each([1, 20, 100])("a line over %i characters goes to the parser, wherever it stops", async (maxLine) => {
      const got = await read(file(text), 7, maxLine);
      expect(got.calls).toEqual(expectedCalls(events));
      expect(got.result).toEqual({ events: events.length, cutShort: "no" });
    });
  });

  test.each([
    ["after an event", `[\n${lines(EVENTS).join(",\n")}\n`],
    ["after a comma", `[\n${lines(EVENTS).join(",\n")},\n`],
    ["after a comma, pretty-printed", `${JSON.stringify(EVENTS, null, 2).slice(0, -2)},\n`],
  ])("a run cut short %s (no closing bracket): every event", async (_, text) => {
    for (const chunkBytes of [1, 5, 1 << 20]) {
      const got = await read(file(text), chunkBytes);
      expect(got.events).toEqual(EVENTS);
      expect(got.result).toEqual({ events: EVENTS.length, cutShort: "between events" });
    }
  });

  test("a file cut inside an event: the events before it, and says so", async () => {
    const whole = `[\n${lines(EVENTS).join(",\n")}`;
    for (const cut of [whole.length - 3, whole.lastIndexOf('"droppedSpans') + 4, whole.lastIndexOf('{')]) {
      const got = await read(file(whole.slice(0, cut)), 16);
      expect(got.events).toEqual(EVENTS.slice(0, -1));
      expect(got.result.cutShort).toBe("inside an event");
    }
  });

  test.each([
    ["an object without traceEvents", '{"hello": 1}', "is not a Chrome trace"],
    ["traceEvents that is not an array", '{"traceEvents": 5}', "is not a Chrome trace"],
    ["an object with another array", '{"events": [], "x": {"traceEvents": []}}', "is not a Chrome trace"],
    ["text after the array", `[\n${lines(EVENTS).join(",\n")}\n]\nmore`, "is not a Chrome trace: Unexpected"],
    ["two events without a comma", `[\n${lines(EVENTS).join("\n")}\n]`, "is not a Chrome trace: Unexpected"],
    ["not JSON", "hello", "is not a Chrome trace"],
    ["an empty file", " \n", "is empty"],
  ])("refuses %s, naming the file", async (_, text, message) => {
    const path = file(text);
    await expect(read(path)).rejects.toThrow(`${path} ${message}`);
  });

  test("a missing file: cannot read it", async () => {
    await expect(read(join(dir, "missing.json"))).rejects.toThrow(`cannot read ${join(dir, "missing.json")}: ENOENT`);
  });
});
