import { beforeEach, describe, expect, test } from "@jest/globals";
import { begin, ChromeTraceSink, configure, end, endReturn, flush, reenter, report, setSink } from "../src/index.js";
import { memorySink, shape, sites, take } from "./helpers.js";

// Demotion is decided on sealed blocks (flush), never on the clock alone: with `belowNs` far
// above any call every call counts as tiny, and far below, none does; so these tests do not
// depend on how fast the machine runs them.
const EVERY_CALL_TINY = 1e12;
const NO_CALL_TINY = 1e-9;

let sink = memorySink();
let round = 0;
let s = { hot: 0, parent: 0, returnsPromise: 0, gen: 0 };
/** This test's name for a site: a demoted site stays demoted for the life of the runtime. */
const named = (name: string) => `${name}${round}`;

beforeEach(() => {
  sink = memorySink();
  round++;
  const ids = sites(["hot", "parent", "returnsPromise", "gen"].map(named));
  s = { hot: ids[named("hot")], parent: ids[named("parent")], returnsPromise: ids[named("returnsPromise")], gen: ids[named("gen")] };
  configure({ enabled: true, demote: { after: 10, belowNs: EVERY_CALL_TINY } });
});

function call(site: number): number {
  const t = begin(site);
  try {
    return 1;
  } finally {
    end(t);
  }
}

function callReturning(site: number, value: unknown): unknown {
  const t = begin(site);
  let r: unknown;
  try {
    return (r = value);
  } finally {
    endReturn(t, r);
  }
}

/** A call of `site` with `depth` calls of itself nested in it, one inside the other. */
function recurse(site: number, depth: number): void {
  const t = begin(site);
  try {
    if (depth > 0) recurse(site, depth - 1);
  } finally {
    end(t);
  }
}

/** Calls of `first` and `second` nested in turn, `depth` below the first (mutual recursion). */
function alternate(first: number, second: number, depth: number): void {
  const t = begin(first);
  try {
    if (depth > 0) alternate(second, first, depth - 1);
  } finally {
    end(t);
  }
}

function demotedCalls(name: string): { calls: number; recorded: number } | undefined {
  const site = report().demoted.find((d) => d.name === named(name));
  return site === undefined ? undefined : { calls: site.calls, recorded: site.recorded };
}

describe("demotion of hot, tiny functions", () => {
  test("after `after` tiny calls a function stops recording spans and counts its calls exactly", () => {
    for (let i = 0; i < 10; i++) call(s.hot);
    flush();
    for (let i = 0; i < 25; i++) call(s.hot);
    const events = take(sink);
    expect(shape(events)).toEqual(Array.from({ length: 10 }, () => [`thread-begin:${named("hot")}`, `thread-end:${named("hot")}`]).flat());
    expect(demotedCalls("hot")).toEqual({ calls: 25, recorded: 10 });
  });

  test("a function with calls over the threshold keeps its spans", () => {
    configure({ demote: { after: 10, belowNs: NO_CALL_TINY } });
    for (let i = 0; i < 30; i++) {
      call(s.hot);
      if (i % 10 === 9) flush();
    }
    expect(take(sink)).toHaveLength(60);
    expect(demotedCalls("hot")).toBeUndefined();
  });

  test("fewer than `after` calls are never enough", () => {
    for (let i = 0; i < 9; i++) call(s.hot);
    flush();
    expect(demotedCalls("hot")).toBeUndefined();
    call(s.hot);
    expect(take(sink)).toHaveLength(20);
  });

  test("demote: false turns it off", () => {
    configure({ demote: false });
    for (let i = 0; i < 50; i++) call(s.hot);
    flush();
    for (let i = 0; i < 5; i++) call(s.hot);
    expect(take(sink)).toHaveLength(110);
    expect(demotedCalls("hot")).toBeUndefined();
  });

  test("a span open when its function is demoted still ends, so the trace stays balanced", () => {
    const outer = begin(s.parent);
    for (let i = 0; i < 10; i++) call(s.hot);
    flush();
    call(s.hot);
    end(outer);
    const events = shape(take(sink));
    expect(events[0]).toBe(`thread-begin:${named("parent")}`);
    expect(events[events.length - 1]).toBe(`thread-end:${named("parent")}`);
    expect(events.filter((e) => e === `thread-begin:${named("hot")}`)).toHaveLength(10);
    expect(events.filter((e) => e === `thread-end:${named("hot")}`)).toHaveLength(10);
    expect(demotedCalls("hot")?.calls).toBe(1);
  });

  test("a function that returned a promise is never demoted", () => {
    for (let i = 0; i < 10; i++) callReturning(s.returnsPromise, i === 0 ? Promise.resolve(1) : 1);
    flush();
    for (let i = 0; i < 10; i++) callReturning(s.returnsPromise, 1);
    expect(demotedCalls("returnsPromise")).toBeUndefined();
    expect(take(sink).filter((e) => e.kind === "thread-begin")).toHaveLength(20);
  });

  test("calls while recording is disabled are counted too: the count is every call since demotion", () => {
    for (let i = 0; i < 10; i++) call(s.hot);
    flush();
    call(s.hot);
    configure({ enabled: false });
    call(s.hot);
    configure({ enabled: true });
    expect(demotedCalls("hot")?.calls).toBe(2);
  });

  test("a generator resumed into a handler counts one call, not two", () => {
    for (let i = 0; i < 10; i++) call(s.gen);
    flush();
    let t = begin(s.gen);
    t = reenter(t, s.gen);
    end(t);
    expect(demotedCalls("gen")?.calls).toBe(1);
  });

  test("the Chrome trace names demoted functions with their counts", () => {
    const chrome = new ChromeTraceSink();
    setSink(chrome);
    for (let i = 0; i < 10; i++) call(s.hot);
    flush();
    for (let i = 0; i < 3; i++) call(s.hot);
    chrome.shutdown(report());
    const meta = chrome.events().find((e) => e.name === "spanfn_report");
    expect((meta?.args as { demoted: unknown[] }).demoted).toContainEqual(
      expect.objectContaining({ name: named("hot"), calls: 3, recorded: 10 }),
    );
  });

  test("a function demoted while it recursed records its outermost calls and counts the calls inside them", () => {
    recurse(s.hot, 9);
    flush();
    recurse(s.hot, 4);
    recurse(s.hot, 2);
    const events = take(sink).slice(20);
    expect(shape(events)).toEqual([`thread-begin:${named("hot")}`, `thread-end:${named("hot")}`, `thread-begin:${named("hot")}`, `thread-end:${named("hot")}`]);
    expect(demotedCalls("hot")).toEqual({ calls: 6, recorded: 12 });
  });

  test("functions that recurse through each other each record their outermost call", () => {
    alternate(s.hot, s.parent, 19);
    flush();
    alternate(s.hot, s.parent, 5);
    const events = take(sink).slice(40);
    expect(shape(events)).toEqual([
      `thread-begin:${named("hot")}`,
      `thread-begin:${named("parent")}`,
      `thread-end:${named("parent")}`,
      `thread-end:${named("hot")}`,
    ]);
    expect([demotedCalls("hot"), demotedCalls("parent")]).toEqual([
      { calls: 2, recorded: 11 },
      { calls: 2, recorded: 11 },
    ]);
  });

  test("when its outermost calls turn out nearly all tiny too, it counts them as well", () => {
    recurse(s.hot, 9);
    flush();
    for (let i = 0; i < 10; i++) recurse(s.hot, 1);
    expect(take(sink).slice(20)).toHaveLength(20);
    recurse(s.hot, 3);
    call(s.hot);
    expect(take(sink)).toHaveLength(0);
    // 10 recorded first, 10 outermost calls since, and every other call counted.
    expect(demotedCalls("hot")).toEqual({ calls: 15, recorded: 20 });
  });

  test("bad options are refused, naming the option", () => {
    expect(() => configure({ demote: { maxShare: 0 } })).toThrow(/demote.maxShare/);
    expect(() => configure({ demote: { maxShare: 2 } })).toThrow(/demote.maxShare/);
    expect(() => configure({ demote: { after: 0 } })).toThrow(/demote.after/);
    expect(() => configure({ demote: { belowNs: -1 } })).toThrow(/demote.belowNs/);
    expect(() => configure({ demote: "yes" as never })).toThrow(/"demote"/);
    expect(() => configure({ demote: { every: 3 } as never })).toThrow(/"demote"/);
  });
});

describe("sites an earlier run demoted (demote.learned)", () => {
  const learned = (name: string, line: number, keepsOutermost?: boolean) => ({ name: named(name), file: "test/file.ts", line, keepsOutermost });
  const site = (name: string) => report().demoted.find((d) => d.name === named(name));

  test("are counted from their first call; a site of another line records; the report says which were learned", () => {
    configure({ demote: { after: 10, belowNs: NO_CALL_TINY, learned: [learned("was", 1), learned("moved", 99)] } });
    // Lines 1 and 2 of test/file.ts: "moved" was learned at another line.
    const ids = sites([named("was"), named("moved")]);
    for (let i = 0; i < 5; i++) {
      call(ids[named("was")]);
      call(ids[named("moved")]);
    }
    expect(shape(take(sink))).toEqual(Array.from({ length: 5 }, () => [`thread-begin:${named("moved")}`, `thread-end:${named("moved")}`]).flat());
    expect(site("was")).toMatchObject({ calls: 5, recorded: 0, learned: true, keepsOutermost: false });
    expect(site("moved")).toBeUndefined();
  });

  test("a recursive site learned with its outermost calls records those and counts the rest", () => {
    configure({ demote: { after: 10, belowNs: NO_CALL_TINY, learned: [learned("deep", 1, true)] } });
    const ids = sites([named("deep")]);
    recurse(ids[named("deep")], 3);
    recurse(ids[named("deep")], 1);
    expect(shape(take(sink))).toEqual([`thread-begin:${named("deep")}`, `thread-end:${named("deep")}`, `thread-begin:${named("deep")}`, `thread-end:${named("deep")}`]);
    expect(site("deep")).toMatchObject({ calls: 4, recorded: 2, learned: true, keepsOutermost: true });
  });

  test("demote: false forgets them", () => {
    configure({ demote: { learned: [learned("kept", 1)] } });
    configure({ demote: false });
    const ids = sites([named("kept")]);
    call(ids[named("kept")]);
    expect(shape(take(sink))).toEqual([`thread-begin:${named("kept")}`, `thread-end:${named("kept")}`]);
    expect(site("kept")).toBeUndefined();
  });

  test("bad entries are refused, naming the option", () => {
    expect(() => configure({ demote: { learned: [{ name: "f", file: "a.js" }] as never } })).toThrow(/demote.learned/);
    expect(() => configure({ demote: { learned: "f" as never } })).toThrow(/demote.learned/);
    expect(() => configure({ demote: { learned: [{ name: "f", file: "a.js", line: 1, keepsOutermost: 1 }] as never } })).toThrow(/demote.learned/);
  });
});

// `belowNs: 10`: no call is that short, so only the bar demotes (it rises to at most 1024 times that). A `maxShare` far below what any
// span costs makes each seal of a busy block raise the bar; seals milliseconds apart, with a span
// or so in between, lower it.
describe("the bar, while a thread's spans cost more than maxShare of its time", () => {
  const spin = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  /**
   * Seals of blocks full of spans, back to back: the bar doubles at each, up to its cap. Their
   * site once returned a promise, so it is never demoted (which would make the spans cheap).
   */
  const busy = () => {
    callReturning(s.returnsPromise, Promise.resolve(1));
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 10; i++) callReturning(s.returnsPromise, 1);
      flush();
    }
  };
  /** Seals with one span in milliseconds: the bar halves at each, back to `belowNs`. */
  const quiet = () => {
    for (let round = 0; round < 12; round++) {
      call(s.gen);
      spin(5);
      flush();
    }
  };
  /** A window of `hot` calls milliseconds apart, judged at the seal. */
  const judgeHot = () => {
    for (let i = 0; i < 10; i++) {
      call(s.hot);
      spin(1);
    }
    flush();
  };

  test("a site whose calls are mostly under the risen bar is demoted, though its calls are not tiny", () => {
    configure({ demote: { after: 10, belowNs: 10, maxShare: 0.001 } });
    busy();
    judgeHot();
    expect(demotedCalls("hot")).toEqual({ calls: 0, recorded: 10 });
  });

  test("maxShare: 1 keeps the bar at belowNs", () => {
    configure({ demote: { after: 10, belowNs: 10, maxShare: 1 } });
    busy();
    judgeHot();
    expect(demotedCalls("hot")).toBeUndefined();
  });

  test("the bar falls back once the thread's spans are cheap again", () => {
    configure({ demote: { after: 10, belowNs: 10, maxShare: 0.001 } });
    busy();
    quiet();
    judgeHot();
    expect(demotedCalls("hot")).toBeUndefined();
  });
});
