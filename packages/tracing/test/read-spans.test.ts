/** SpanPairer: spans out of begins and ends, with depth and child time, holding only what is open. */
import { describe, expect, test } from "@jest/globals";
import { SpanPairer, type CompletedSpan } from "../src/index.js";

function pairer(): { spans: CompletedSpan[]; pairer: SpanPairer; reports: Record<string, unknown>[] } {
  const spans: CompletedSpan[] = [];
  const reports: Record<string, unknown>[] = [];
  return { spans, reports, pairer: new SpanPairer((s) => spans.push(s), (r) => reports.push(r)) };
}

describe("thread spans", () => {
  test("nest per thread: depth, duration and the direct children's time, handed over as they end", () => {
    const { spans, pairer: p } = pairer();
    const args = { file: "a.ts", line: 3 };
    p.threadBegin("1:0", 0, "outer", args);
    p.threadBegin("1:1", 5, "other thread");
    p.threadBegin("1:0", 10, "a");
    p.threadBegin("1:0", 12, "grandchild");
    p.threadEnd("1:0", 30, false);
    p.threadEnd("1:0", 40, false);
    p.threadBegin("1:0", 50, "b");
    p.threadEnd("1:0", 55, false);
    expect(p.openCount()).toBe(2);
    p.threadEnd("1:1", 60, false);
    p.threadEnd("1:0", 100, false);
    expect(spans.map((s) => [s.name, s.thread, s.start, s.duration, s.depth, s.childTime])).toEqual([
      ["grandchild", "1:0", 12, 18, 2, 0],
      ["a", "1:0", 10, 30, 1, 18],
      ["b", "1:0", 50, 5, 1, 0],
      ["other thread", "1:1", 5, 55, 0, 0],
      // The grandchild's time is in a's, not counted again.
      ["outer", "1:0", 0, 100, 0, 35],
    ]);
    expect(spans[4]).toMatchObject({ kind: "thread", args, key: null, parent: null, outcome: "" });
    expect(p.openCount()).toBe(0);
  });

  test("a complete span (threadComplete) is handed over as its begin and end would be: depth, parent's child time", () => {
    const whole = pairer();
    const paired = pairer();
    const args = { file: "a.ts", line: 7 };
    for (const { pairer: p } of [whole, paired]) {
      p.threadBegin("1:0", 0, "outer");
      if (p === whole.pairer) p.threadComplete("1:0", 10, 15, "leaf", args);
      else {
        p.threadBegin("1:0", 10, "leaf", args);
        p.threadEnd("1:0", 25, false);
      }
      p.threadEnd("1:0", 40, false);
    }
    whole.pairer.threadComplete("1:1", 3, 4, "root leaf");
    // Nothing came after it on its thread: it waits for the end of the trace.
    expect(whole.spans.map((s) => s.name)).toEqual(["leaf", "outer"]);
    expect(whole.pairer.finish()).toBe(0);
    expect(whole.spans.slice(0, 2)).toEqual(paired.spans);
    expect(whole.spans.map((s) => [s.name, s.start, s.duration, s.depth, s.childTime])).toEqual([
      ["leaf", 10, 15, 1, 0],
      ["outer", 0, 40, 0, 15],
      ["root leaf", 3, 4, 0, 0],
    ]);
    expect(whole.pairer.openCount()).toBe(0);
  });

  test("complete spans written before the spans inside them (Chrome's order) nest: depth, child time", () => {
    const { spans, pairer: p } = pairer();
    p.threadComplete("1:0", 0, 100, "task");
    p.threadComplete("1:0", 10, 50, "call");
    p.threadComplete("1:0", 20, 10, "inner");
    p.threadComplete("1:1", 15, 5, "other thread");
    p.threadComplete("1:0", 70, 20, "second call");
    p.threadBegin("1:0", 75, "begun inside");
    p.threadEnd("1:0", 80, false);
    p.threadComplete("1:0", 120, 3, "next task");
    expect(p.openCount()).toBe(0);
    expect(p.finish()).toBe(0);
    expect(spans.map((s) => [s.name, s.thread, s.start, s.duration, s.depth, s.childTime])).toEqual([
      ["inner", "1:0", 20, 10, 2, 0],
      ["call", "1:0", 10, 50, 1, 10],
      ["begun inside", "1:0", 75, 5, 2, 0],
      ["second call", "1:0", 70, 20, 1, 5],
      ["task", "1:0", 0, 100, 0, 70],
      // The last of each thread, at the end of the trace.
      ["next task", "1:0", 120, 3, 0, 0],
      ["other thread", "1:1", 15, 5, 0, 0],
    ]);
  });

  test("a complete span inside a begun one ends with it at the latest, even if its end is a rounding later", () => {
    const { spans, pairer: p } = pairer();
    p.threadBegin("1:0", 0, "outer");
    p.threadComplete("1:0", 10, 10.000001, "leaf");
    p.threadEnd("1:0", 20, false);
    p.threadBegin("1:0", 30, "never ends");
    p.threadComplete("1:0", 31, 2, "inside it");
    expect(p.finish()).toBe(1);
    expect(spans.map((s) => [s.name, s.depth])).toEqual([
      ["leaf", 1],
      ["outer", 0],
      ["inside it", 1],
    ]);
    expect(spans[1].childTime).toBeCloseTo(10, 5);
  });

  test("an unfinished end marks the span and leaves its parent's child time alone", () => {
    const { spans, pairer: p } = pairer();
    p.threadBegin("1:0", 0, "main");
    p.threadBegin("1:0", 10, "stuck");
    p.threadEnd("1:0", 90, true);
    p.threadEnd("1:0", 90, true);
    expect(spans.map((s) => [s.name, s.outcome, s.childTime])).toEqual([
      ["stuck", "unfinished", 0],
      ["main", "unfinished", 0],
    ]);
  });

  test("an end with nothing open is ignored; begins never ended stay open", () => {
    const { spans, pairer: p } = pairer();
    p.threadEnd("1:0", 5, false);
    p.threadBegin("1:0", 10, "never ends");
    p.threadBegin("2:0", 10, "nor this");
    expect(spans).toEqual([]);
    expect(p.openCount()).toBe(2);
  });
});

describe("async spans", () => {
  test("pair by id across threads; a parent's child time is the union of its children's intervals", () => {
    const { spans, pairer: p } = pairer();
    p.asyncBegin("1:1", "1:0", 0, "root", null, { file: "r.ts" });
    p.asyncBegin("1:2", "1:0", 10, "a", "1:1");
    p.asyncBegin("1:3", "1:1", 20, "b", "1:1"); // overlaps a: 10..40 and 20..50 cover 40
    p.asyncEnd("1:2", 40, "fulfilled");
    p.asyncEnd("1:3", 50, "rejected");
    p.asyncBegin("1:4", "1:0", 60, "c", "1:1"); // apart: 60..70 adds 10
    p.asyncEnd("1:4", 70, "fulfilled");
    p.asyncBegin("1:5", "1:0", 5, "d", "1:1"); // begun before, ends inside a's: 5..15 adds 5
    p.asyncEnd("1:5", 15, "fulfilled");
    p.asyncBegin("1:6", "1:0", 80, "e", "1:1"); // unfinished children cover nothing
    p.asyncEnd("1:6", 99, "unfinished");
    expect(p.openCount()).toBe(1);
    p.asyncEnd("1:1", 100, "fulfilled");
    const root = spans.find((s) => s.name === "root")!;
    expect(root).toEqual({
      kind: "async",
      name: "root",
      thread: "1:0",
      start: 0,
      duration: 100,
      depth: 0,
      args: { file: "r.ts" },
      key: "1:1",
      parent: null,
      outcome: "fulfilled",
      childTime: 55,
    });
    expect(spans.find((s) => s.name === "b")).toMatchObject({ thread: "1:1", key: "1:3", parent: "1:1", outcome: "rejected", duration: 30 });
    expect(p.openCount()).toBe(0);
  });

  test("children bridging the gaps between earlier ones merge them", () => {
    const { spans, pairer: p } = pairer();
    p.asyncBegin("p", "t", 0, "parent", null);
    for (const [id, start, end] of [
      ["1", 10, 20],
      ["2", 30, 40],
      ["3", 50, 60],
      ["4", 15, 55],
      ["5", 70, 71],
    ] as const) {
      p.asyncBegin(id, "t", start, "child", "p");
      p.asyncEnd(id, end, "fulfilled");
    }
    p.asyncEnd("p", 100, "fulfilled");
    expect(spans.at(-1)).toMatchObject({ name: "parent", childTime: 51 });
  });

  test("a begin with the id of a span still open nests in it (Chrome's nestable async events): a key of its own, its parent, child time", () => {
    const { spans, pairer: p } = pairer();
    p.asyncBegin("1:7", "1:0", 0, "navigation", null);
    p.asyncBegin("1:7", "1:0", 10, "fetch", null);
    p.asyncBegin("1:7", "1:0", 20, "parse", null);
    expect(p.openCount()).toBe(3);
    p.asyncEnd("1:7", 30, "");
    p.asyncEnd("1:7", 40, "");
    p.asyncBegin("1:7", "1:0", 50, "render", null);
    p.asyncEnd("1:7", 60, "");
    p.asyncEnd("1:7", 100, "");
    expect(p.openCount()).toBe(0);
    expect(spans.map((s) => [s.name, s.key, s.parent, s.start, s.duration, s.childTime])).toEqual([
      ["parse", "1:7#2", "1:7#1", 20, 10, 0],
      ["fetch", "1:7#1", "1:7", 10, 30, 10],
      ["render", "1:7#3", "1:7", 50, 10, 0],
      ["navigation", "1:7", null, 0, 100, 40],
    ]);
  });

  test("an end for an unknown id is ignored; spanfn_report counters go to their callback", () => {
    const { spans, reports, pairer: p } = pairer();
    p.asyncEnd("9:9", 5, "fulfilled");
    p.report({ droppedSpans: 2 });
    expect(spans).toEqual([]);
    expect(reports).toEqual([{ droppedSpans: 2 }]);
  });
});
