import { beforeEach, describe, expect, test } from "@jest/globals";
import { begin, configure, decodeBlocks, end, flush, NOT_RECORDED, report, threadSpan, type EventBlock } from "../src/index.js";
import { memorySink, shape, sites, take } from "./helpers.js";

const sink = memorySink();
const s = sites(["outer", "inner", "leaf"]);
const debug = sites(["chatty"], 4);

function leaf(): number {
  const t = begin(s.leaf);
  try {
    return 1;
  } finally {
    end(t);
  }
}

function inner(fail: boolean): number {
  const t = begin(s.inner);
  try {
    if (fail) throw new Error("inner failed");
    return leaf() + leaf();
  } finally {
    end(t);
  }
}

function outer(fail: boolean): number {
  const t = begin(s.outer);
  try {
    try {
      return inner(fail);
    } catch {
      return -1;
    }
  } finally {
    end(t);
  }
}

beforeEach(() => {
  configure({ enabled: true, maxLevel: "trace" });
  take(sink);
});

describe("thread spans", () => {
  test("nest in call order, with monotonic timestamps", () => {
    expect(outer(false)).toBe(2);
    const events = take(sink);
    expect(shape(events)).toEqual([
      "thread-begin:outer",
      "thread-begin:inner",
      "thread-begin:leaf",
      "thread-end:leaf",
      "thread-begin:leaf",
      "thread-end:leaf",
      "thread-end:inner",
      "thread-end:outer",
    ]);
    for (let i = 1; i < events.length; i++) expect(events[i].time).toBeGreaterThanOrEqual(events[i - 1].time);
    expect(events[0]).toMatchObject({ target: "test/target", file: "test/file.ts", line: 1, thread: 0, spanId: 0 });
    expect(events[0].timestamp).toBeCloseTo(performance.timeOrigin + events[0].time, 3);
  });

  test("a throw still ends every span it crosses", () => {
    expect(outer(true)).toBe(-1);
    expect(shape(take(sink))).toEqual(["thread-begin:outer", "thread-begin:inner", "thread-end:inner", "thread-end:outer"]);
  });

  test("ends carry the metadata of their begin", () => {
    outer(false);
    const events = take(sink);
    const stack: string[] = [];
    for (const e of events) {
      if (e.kind === "thread-begin") stack.push(e.name);
      else expect(e.name).toBe(stack.pop());
    }
    expect(stack).toEqual([]);
  });

  test("disabled: nothing is recorded and begin says so", () => {
    configure({ enabled: false });
    expect(begin(s.outer)).toBe(NOT_RECORDED);
    expect(outer(false)).toBe(2);
    expect(take(sink)).toEqual([]);
    expect(report().droppedSpans).toBe(0);
  });

  test("the level filter is applied, and is not counted as a drop", () => {
    configure({ maxLevel: "info" });
    threadSpan(debug.chatty, () => leaf());
    expect(shape(take(sink))).toEqual(["thread-begin:leaf", "thread-end:leaf"]);
    configure({ maxLevel: "debug" });
    threadSpan(debug.chatty, () => 0);
    expect(shape(take(sink))).toEqual(["thread-begin:chatty", "thread-end:chatty"]);
    expect(report().droppedSpans).toBe(0);
  });

  test("switching off mid-span still ends the span that began", () => {
    const t = begin(s.outer);
    configure({ enabled: false });
    end(t);
    expect(shape(take(sink))).toEqual(["thread-begin:outer", "thread-end:outer"]);
  });

  test("threadSpan returns the callback's value and rethrows its error", () => {
    expect(threadSpan(s.leaf, () => 42)).toBe(42);
    expect(() =>
      threadSpan(s.leaf, () => {
        throw new RangeError("no");
      }),
    ).toThrow(RangeError);
    expect(shape(take(sink))).toEqual(["thread-begin:leaf", "thread-end:leaf", "thread-begin:leaf", "thread-end:leaf"]);
  });

  test("a leaf span is one complete record of 24 bytes, read back as its begin and its end", () => {
    take(sink);
    const blocks: EventBlock[] = [];
    configure({ sink: { block: (b) => void blocks.push({ ...b, data: b.data.slice(0, b.length) }) } });
    inner(false);
    flush();
    configure({ sink });
    // inner: begin and end (two slots each) around two leaves of three slots each.
    expect(blocks.reduce((n, b) => n + b.length, 0)).toBe(10);
    const events = decodeBlocks(blocks);
    expect(shape(events)).toEqual(["thread-begin:inner", "thread-begin:leaf", "thread-end:leaf", "thread-begin:leaf", "thread-end:leaf", "thread-end:inner"]);
    for (let i = 1; i < events.length; i++) expect(events[i].time).toBeGreaterThanOrEqual(events[i - 1].time);
  });

  test("spans cross block boundaries intact", () => {
    // Blocks this small are sealed every few spans, so demotion would judge these calls dense.
    configure({ blockSlots: 64, demote: false });
    for (let i = 0; i < 100; i++) outer(false);
    flush();
    // Per call: outer and inner begin and end (2 slots each), two leaves of 3 slots (complete).
    expect(sink.blocks.length).toBeGreaterThanOrEqual(Math.floor((100 * 14) / 64));
    const events = take(sink);
    expect(events).toHaveLength(800);
    expect(events.filter((e) => e.kind === "thread-begin")).toHaveLength(400);
    configure({ blockSlots: 1 << 14, demote: true });
  });
});

describe("ends lost to a throw past the stack limit", () => {
  test("the span around them ends them first, counted: the trace stays nested", () => {
    const before = report().lostEnds;
    const o = begin(s.outer);
    const i = begin(s.inner);
    begin(s.leaf); // its `finally` never ran
    void i; // nor this one's
    end(o);
    expect(shape(take(sink))).toEqual([
      "thread-begin:outer",
      "thread-begin:inner",
      "thread-begin:leaf",
      "thread-end:leaf",
      "thread-end:inner",
      "thread-end:outer",
    ]);
    expect(report().lostEnds - before).toBe(2);
    // A late end of a span already ended this way writes nothing.
    end(i);
    expect(take(sink)).toEqual([]);
  });

  test("recursion into a RangeError, caught at the top: every begin has its end", () => {
    function deep(n: number): number {
      const t = begin(n % 2 === 0 ? s.inner : s.leaf);
      try {
        return deep(n + 1) + 1;
      } finally {
        end(t);
      }
    }
    const t = begin(s.outer);
    try {
      deep(0);
    } catch (error) {
      // The stack may overflow in code of another realm (the test runner's), whose RangeError it is.
      expect((error as Error).name).toBe("RangeError");
    } finally {
      end(t);
    }
    const events = take(sink);
    let depth = 0;
    for (const e of events) {
      depth += e.kind === "thread-begin" ? 1 : -1;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(events[events.length - 1]).toMatchObject({ kind: "thread-end", name: "outer" });
    expect(report().unfinished).toEqual([]);
  });
});
