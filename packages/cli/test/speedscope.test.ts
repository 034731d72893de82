/**
 * spanfn's Chrome JSON read by speedscope's own importer (the npm package, see speedscope.ts):
 * every thread's stacks nest as the trace says and each call lasts what its B/E pair, or its X
 * event (a span with nothing inside it), says, with no warning from the importer. Both writers of the format: the writer thread under `spanfn run`,
 * and the in-process ChromeTraceSink.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { begin, ChromeTraceSink, end, parseChromeTrace, registerSpans, setSink, shutdown, type ChromeTraceEvent } from "../../tracing/src/index.js";
import { importWithSpeedscope, type SpeedscopeProfile } from "./speedscope.js";

const BIN = join(__dirname, "../bin/spanfn.js");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-speedscope-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Call {
  name: string;
  depth: number;
  /** Microseconds from the call's thread's first begin. */
  start: number;
  duration: number;
}

/** The calls of one thread as its B/E and X events nest, in the order they begin. */
function callsInTrace(events: readonly ChromeTraceEvent[], tid: number): Call[] {
  const calls: Call[] = [];
  const stack: Call[] = [];
  let first: number | undefined;
  for (const e of events) {
    if (e.tid !== tid || (e.ph !== "B" && e.ph !== "E" && e.ph !== "X")) continue;
    first ??= e.ts!;
    if (e.ph === "E") {
      stack.pop()!.duration += e.ts!;
      continue;
    }
    // speedscope names a frame by the event's name and args.
    const name = e.args === undefined ? e.name! : `${e.name} ${JSON.stringify(e.args)}`;
    const call = { name, depth: stack.length, start: e.ts! - first, duration: -e.ts! };
    calls.push(call);
    if (e.ph === "B") stack.push(call);
    else call.duration = e.dur!;
  }
  return calls;
}

/** The calls speedscope built, in the order they open, with its times made relative the same way. */
function callsInProfile(profile: SpeedscopeProfile): Call[] {
  const calls: Call[] = [];
  const stack: Call[] = [];
  let first: number | undefined;
  profile.forEachCall(
    (node, at) => {
      first ??= at;
      const call = { name: node.frame.name, depth: stack.length, start: at - first, duration: -at };
      calls.push(call);
      stack.push(call);
    },
    (node, at) => {
      const call = stack.pop()!;
      expect(node.frame.name).toBe(call.name);
      call.duration += at;
    },
  );
  return calls;
}

function expectSameCalls(actual: Call[], expected: Call[]): void {
  expect(actual.map((c) => `${"  ".repeat(c.depth)}${c.name}`)).toEqual(expected.map((c) => `${"  ".repeat(c.depth)}${c.name}`));
  actual.forEach((call, i) => {
    expect(call.start).toBeCloseTo(expected[i].start, 2);
    expect(call.duration).toBeCloseTo(expected[i].duration, 2);
  });
}

describe("speedscope reads spanfn's Chrome JSON", () => {
  test("written by the writer thread under spanfn run: stacks nested, durations as the trace says, no warnings", async () => {
    const out = join(scratch, "nested.json");
    const result = spawnSync(process.execPath, [BIN, "run", "--all", "--quiet", "--out", out, "main.mjs"], {
      cwd: join(__dirname, "programs", "nested"),
      encoding: "utf8",
      env: { ...process.env, SPANFN_CACHE: "0" },
    });
    expect(result.status).toBe(0);
    const text = readFileSync(out, "utf8");
    const { group, warnings } = await importWithSpeedscope("nested.json", text);
    expect(warnings).toEqual([]);
    const events = parseChromeTrace(text);
    // The spins have nothing inside them: each is one X; the spans around them are B/E pairs.
    expect(events.filter((e) => e.name === "main::spin").map((e) => e.ph)).toEqual(Array(6).fill("X"));
    const around = events.filter((e) => ["main::outer", "main::middle", "main::leaf"].includes(e.name!));
    expect(around.map((e) => e.ph).sort().join("")).toBe("B".repeat(8) + "E".repeat(8));
    const expected = callsInTrace(events, 0);
    // outer > middle > leaf > spin, twice: the stacks must pop for the second outer to be a root.
    expect(expected.filter((c) => c.name.startsWith("main::outer ")).map((c) => c.depth)).toEqual([0, 0]);
    expect(expected.filter((c) => c.name.startsWith("main::spin ")).map((c) => c.depth)).toEqual([3, 3, 1, 3, 3, 1]);
    const profile = group!.profiles.find((p) => /main/.test(p.getName()))!;
    expect(profile.getWeightUnit()).toBe("microseconds");
    expectSameCalls(callsInProfile(profile), expected);
  });

  test("written by the in-process ChromeTraceSink; a span left open at shutdown ends where the trace says", async () => {
    const first = registerSpans("t", "t.ts", [["outer", 1], ["inner", 2], ["open", 3]]);
    const sink = new ChromeTraceSink();
    setSink(sink);
    const outer = begin(first);
    end(begin(first + 1));
    end(begin(first + 1));
    end(outer);
    const open = begin(first + 2);
    end(begin(first + 1));
    shutdown();
    end(open);
    const { group, warnings } = await importWithSpeedscope("sink.json", sink.text());
    // The unfinished span's end says so in its args, which speedscope reads as another frame; it
    // warns, and ends the open one all the same.
    expect(warnings).toEqual([expect.stringMatching(/Tried to end "open \{"unfinished":true\}" when "open \{.*\}" was on the top of the stack\. Ending open \{/)]);
    expect(sink.events().filter((e) => e.ph === "X").map((e) => e.name)).toEqual(["inner", "inner", "inner"]);
    const expected = callsInTrace(sink.events(), 0);
    expect(expected.map((c) => `${c.depth}:${c.name.replace(/ \{.*/, "")}`)).toEqual(["0:outer", "1:inner", "1:inner", "0:open", "1:inner"]);
    expectSameCalls(callsInProfile(group!.profiles[0]), expected);
  });
});
