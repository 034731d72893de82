/**
 * The trace checker the semantics and real-code suites rely on: it must pass a good trace and
 * name each way a trace can be wrong, from in-memory events and from Chrome trace events alike.
 */
import { describe, expect, test } from "@jest/globals";
import type { ChromeTraceEvent } from "../src/index.js";
import { fromChrome, TraceChecker, traceProblems, type CheckedEvent } from "./trace-problems.js";

const B = (name: string, thread = 0): CheckedEvent => ({ kind: "thread-begin", name, thread, spanId: 0, parentId: 0, depth: 0 });
const E = (name: string | undefined, thread = 0): CheckedEvent => ({ kind: "thread-end", name, thread, spanId: 0, parentId: 0, depth: 0 });
const b = (name: string, spanId: number, parentId = 0, depth = parentId === 0 ? 1 : 2, thread = 0): CheckedEvent => ({
  kind: "async-begin",
  name,
  thread,
  spanId,
  parentId,
  depth,
});
const e = (name: string, spanId: number, outcome = "fulfilled"): CheckedEvent => ({ kind: "async-end", name, thread: 0, spanId, parentId: 0, depth: 0, outcome });

describe("traceProblems", () => {
  test("a well-formed trace has none", () => {
    expect(traceProblems([B("f"), B("g"), E("g"), b("a", 1), b("c", 2, 1), E("f"), e("c", 2), e("a", 1), B("h", 1), E(undefined, 1)])).toEqual([]);
  });

  test("thread spans: ended out of order, never begun, never ended, per thread", () => {
    expect(traceProblems([B("f"), B("g"), E("f"), E("g")])).toEqual([
      "thread-end f on thread 0 while the innermost open thread span is g",
      "thread-end g on thread 0 while the innermost open thread span is f",
    ]);
    expect(traceProblems([B("f", 0), E(undefined, 1), E(undefined, 0)])).toEqual(["thread-end  on thread 1 while the innermost open thread span is none"]);
    expect(traceProblems([B("f"), B("g"), E("g")])).toEqual(["thread spans never ended on thread 0: f"]);
  });

  test("async spans: begun twice, ended twice or never, parents ended or unknown, depths", () => {
    expect(traceProblems([b("a", 1), b("a", 1), e("a", 1)])).toContain("async span #1 (a) begun twice");
    expect(traceProblems([b("a", 1), e("a", 1), e("a", 1)])).toEqual(["async span #1 (a) ended twice"]);
    expect(traceProblems([e("a", 4)])).toEqual(["async span #4 (a) ended without a begin"]);
    expect(traceProblems([b("a", 1)])).toEqual(["async span #1 (a) never ended"]);
    expect(traceProblems([b("a", 1), e("a", 1), b("c", 2, 1), e("c", 2)])).toEqual(["async span #2 (c) has parent #1, which had already ended"]);
    expect(traceProblems([b("c", 2, 7), e("c", 2)])).toEqual(["async span #2 (c) has parent #7, which never began before it"]);
    expect(traceProblems([b("c", 2, 7), e("c", 2)], new Set([7]))).toEqual(["async span #2 (c) has parent #7, which belongs to an earlier program"]);
    expect(traceProblems([b("a", 1), b("c", 2, 1, 5), e("c", 2), e("a", 1)])).toEqual(["async span #2 (c) has depth 5; its parent's is 1"]);
  });

  test("an end the runtime wrote at exit (unfinished) is no end", () => {
    expect(traceProblems([b("a", 1), e("a", 1, "unfinished")])).toEqual(["async span #1 (a) never ended"]);
  });

  test("a thread span followed by its function's async span was closed at a returned promise, which must settle", () => {
    const checker = new TraceChecker();
    for (const event of [B("f"), E("f"), b("f", 1), B("g"), E("g"), b("h", 2), e("h", 2)]) checker.add(event);
    expect([...checker.promiseReturning]).toEqual(["f"]);
    expect(checker.finish()).toEqual(["f returned a promise (async span #1) that never settled: its thread span ended, nothing covers the rest"]);
  });

  test("two functions of one name are told apart by where they are", () => {
    const checker = new TraceChecker();
    const at = (event: CheckedEvent, line: number): CheckedEvent => ({ ...event, file: "m.js", line });
    for (const event of [at(B("value"), 3), at(E("value"), 3), at(b("value", 1), 9), e("value", 1)]) checker.add(event);
    expect([...checker.promiseReturning]).toEqual([]);
    expect(checker.finish()).toEqual([]);
  });

  test("spans a program leaves open on purpose are counted, not reported", () => {
    const checker = new TraceChecker();
    for (const event of [b("forever", 1), b("forever", 2), b("lost", 3)]) checker.add(event);
    expect(checker.finish((name) => name === "forever")).toEqual(["async span #3 (lost) never ended"]);
    expect([...checker.leftOpen]).toEqual([["forever", 2]]);
  });

  test("past 40 problems, the rest are counted", () => {
    const problems = traceProblems(Array.from({ length: 45 }, (_, i) => e("x", i + 1)));
    expect(problems).toHaveLength(41);
    expect(problems[40]).toBe("… and 5 more");
  });
});

describe("fromChrome", () => {
  const at = { pid: 1, tid: 3, ts: 0 };
  test("B/E/b/e become begin and end events; X both; M nothing; an unfinished E no end", () => {
    const events: ChromeTraceEvent[] = [
      { ph: "B", name: "f", ...at },
      { ph: "E", ...at },
      { ph: "b", name: "a", id: "9", args: { parent: 4, depth: 2 }, ...at },
      { ph: "e", name: "a", id: "9", args: { outcome: "rejected" }, ...at },
      { ph: "X", name: "x", dur: 1, ...at },
      { ph: "X", name: "linked", dur: 0, args: { parent: 5 }, ...at },
      { ph: "M", name: "thread_name", ...at },
      { ph: "E", args: { unfinished: true }, ...at },
    ];
    expect(events.flatMap(fromChrome).map((c) => [c.kind, c.name, c.thread, c.spanId, c.parentId, c.depth, c.outcome])).toEqual([
      ["thread-begin", "f", 3, 0, 0, 0, undefined],
      ["thread-end", undefined, 3, 0, 0, 0, undefined],
      ["async-begin", "a", 3, 9, 4, 2, undefined],
      ["async-end", "a", 3, 9, 0, 0, "rejected"],
      ["thread-begin", "x", 3, 0, 0, 0, undefined],
      ["thread-end", "x", 3, 0, 0, 0, undefined],
      ["thread-begin", "linked", 3, 0, 5, 0, undefined],
      ["thread-end", "linked", 3, 0, 5, 0, undefined],
    ]);
  });
});
