/** The trace reader's fast paths read what JSON.parse reads, line for line. */
import { afterAll, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTrace } from "./read-trace.js";

const dir = mkdtempSync(join(tmpdir(), "spanfn-read-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("every kind of line, with names that need escaping, reads as JSON.parse reads it", async () => {
  const events = [
    '{"ph":"M","pid":7,"tid":0,"name":"process_name","args":{"name":"x"}}',
    '{"ph":"B","pid":7,"tid":0,"ts":12.5,"name":"m::f","cat":"spanfn","args":{"target":"m","file":"m.js","line":3}}',
    '{"ph":"B","pid":7,"tid":1,"ts":13,"name":"m::\\"quoted\\" \\u2028","cat":"spanfn","args":{"target":"m","file":"m.js","line":9}}',
    '{"ph":"B","pid":7,"tid":0,"ts":14.25,"name":"m::f","cat":"spanfn","args":{"target":"m","file":"m.js","line":3}}',
    '{"ph":"E","pid":7,"tid":0,"ts":1e+21}',
    '{"ph":"E","pid":7,"tid":1,"ts":15.125}',
    '{"ph":"X","pid":7,"tid":0,"ts":15.5,"dur":0.125,"name":"m::f","cat":"spanfn","args":{"target":"m","file":"m.js","line":3}}',
    '{"ph":"X","pid":7,"tid":1,"ts":15.75,"dur":0,"name":"m::\\"quoted\\" \\u2028","cat":"spanfn","args":{"target":"m","file":"m.js","line":9,"parent":4}}',
    '{"ph":"b","pid":7,"tid":0,"ts":16,"id":"4","name":"m::g","cat":"spanfn","args":{"target":"m","file":"m.js","line":5,"parent":0,"depth":1}}',
    '{"ph":"e","pid":7,"tid":0,"ts":17,"cat":"spanfn","id":"4","name":"m::g","args":{"outcome":"fulfilled"}}',
    '{"ph":"E","pid":7,"tid":0,"ts":18,"args":{"unfinished":true}}',
  ];
  const file = join(dir, "trace.json");
  writeFileSync(file, `[\n${events.join(",\n")}\n]\n`);
  const read: unknown[] = [];
  await readTrace(file, (event) => read.push(event));
  expect(read).toEqual(events.map((line) => JSON.parse(line)));
});
