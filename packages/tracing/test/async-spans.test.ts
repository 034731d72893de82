import { beforeEach, describe, expect, test } from "@jest/globals";
import {
  begin,
  beginAsync,
  configure,
  currentSpanId,
  detachAsync,
  end,
  endAsync,
  fail,
  report,
  resume,
  suspend,
  NOT_RECORDED,
  type SpanEvent,
} from "../src/index.js";
import { idOf, memorySink, parentOf, sites, take } from "./helpers.js";

const sink = memorySink();
const s = sites(["request", "load", "parse", "sync", "guarded", "child", "broken"]);
const debug = sites(["verbose"], 4);

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// The shape the plugin emits for an `async function`, written out by hand.
async function load(ms: number): Promise<number> {
  const span = beginAsync(s.load);
  try {
    syncHelper();
    resume(span, await suspend(span, delay(ms)));
    syncHelper();
    return ms;
  } catch (error) {
    fail(span);
    throw error;
  } finally {
    endAsync(span);
  }
}

async function parse(n: number): Promise<number> {
  const span = beginAsync(s.parse);
  try {
    return resume(span, await suspend(span, n * 2));
  } catch (error) {
    fail(span);
    throw error;
  } finally {
    endAsync(span);
  }
}

async function request(ms: number): Promise<number> {
  const span = beginAsync(s.request);
  try {
    const [a, b] = resume(span, await suspend(span, Promise.all([load(ms), load(ms + 3)])));
    return resume(span, await suspend(span, parse(a + b)));
  } catch (error) {
    fail(span);
    throw error;
  } finally {
    endAsync(span);
  }
}

const syncParents: number[] = [];
function syncHelper(): void {
  const t = begin(s.sync);
  try {
    syncParents.push(currentSpanId());
  } finally {
    end(t);
  }
}

function byId(events: readonly SpanEvent[]): Map<number, SpanEvent> {
  return new Map(events.filter((e) => e.kind === "async-begin").map((e) => [e.spanId, e]));
}

beforeEach(() => {
  configure({ enabled: true, maxLevel: "trace" });
  take(sink);
  syncParents.length = 0;
});

describe("async spans", () => {
  test("interleaved requests: every child records its own request as parent, at depth + 1", async () => {
    const results = await Promise.all([request(4), request(1), request(2)]);
    expect(results).toEqual([22, 10, 14]);
    expect(currentSpanId()).toBe(0);

    const events = take(sink);
    const begins = byId(events);
    const requests = [...begins.values()].filter((e) => e.name === "request");
    expect(requests).toHaveLength(3);
    for (const r of requests) {
      expect(r).toMatchObject({ parentId: 0, depth: 1 });
      const children = [...begins.values()].filter((e) => e.parentId === r.spanId);
      expect(children.map((c) => c.name).sort()).toEqual(["load", "load", "parse"]);
      for (const c of children) expect(c.depth).toBe(2);
    }
    // Every load's sync helper, before and after its await, ran with that load current.
    const loads = new Set([...begins.values()].filter((e) => e.name === "load").map((e) => e.spanId));
    expect(syncParents).toHaveLength(12);
    for (const parent of syncParents) expect(loads.has(parent)).toBe(true);
  });

  test("each span ends once, after its awaited work, with a fulfilled outcome", async () => {
    await request(5);
    const events = take(sink);
    const ends = events.filter((e) => e.kind === "async-end");
    expect(ends).toHaveLength(4);
    expect(new Set(ends.map((e) => e.spanId)).size).toBe(4);
    for (const e of ends) expect(e.outcome).toBe("fulfilled");
    const begins = byId(events);
    for (const e of ends) {
      const b = begins.get(e.spanId)!;
      expect(e.name).toBe(b.name);
      if (b.name === "load") expect(e.time - b.time).toBeGreaterThanOrEqual(3.5);
    }
    // Ids are unique and increase in call order.
    const ids = events.filter((e) => e.kind === "async-begin").map((e) => e.spanId);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
  });

  test("the caller keeps its own span when the callee suspends", async () => {
    const outer = beginAsync(s.request);
    const outerId = idOf(outer);
    const pending = load(1);
    expect(currentSpanId()).toBe(outerId);
    resume(outer, await suspend(outer, pending));
    expect(currentSpanId()).toBe(outerId);
    endAsync(outer);
    expect(currentSpanId()).toBe(0);
    const begins = byId(take(sink));
    expect([...begins.values()].find((e) => e.name === "load")!.parentId).toBe(outerId);
  });

  test("a rejected await resumes the span in the function's own catch", async () => {
    let parentInCatch = -1;
    async function guarded(): Promise<string> {
      const span = beginAsync(s.guarded);
      try {
        try {
          resume(span, await suspend(span, Promise.reject(new Error("nope"))));
          return "unreachable";
        } catch {
          resume(span);
          parentInCatch = currentSpanId();
          const child = beginAsync(s.child);
          endAsync(child);
          return "recovered";
        }
      } catch (error) {
        fail(span);
        throw error;
      } finally {
        endAsync(span);
      }
    }
    await expect(guarded()).resolves.toBe("recovered");
    const events = take(sink);
    const guardedBegin = events.find((e) => e.kind === "async-begin" && e.name === "guarded")!;
    expect(parentInCatch).toBe(guardedBegin.spanId);
    expect(events.find((e) => e.kind === "async-begin" && e.name === "child")!.parentId).toBe(guardedBegin.spanId);
    expect(events.find((e) => e.kind === "async-end" && e.name === "guarded")!.outcome).toBe("fulfilled");
    expect(currentSpanId()).toBe(0);
  });

  test("a rejection that escapes ends the span rejected and leaves current alone", async () => {
    async function broken(): Promise<void> {
      const span = beginAsync(s.broken);
      try {
        resume(span, await suspend(span, Promise.reject(new Error("down"))));
      } catch (error) {
        fail(span);
        throw error;
      } finally {
        endAsync(span);
      }
    }
    const other = beginAsync(s.request);
    const p = broken();
    expect(currentSpanId()).toBe(idOf(other));
    endAsync(other);
    await expect(p).rejects.toThrow("down");
    expect(currentSpanId()).toBe(0);
    const end = take(sink).find((e) => e.kind === "async-end" && e.name === "broken")!;
    expect(end.outcome).toBe("rejected");
  });

  test("code scheduled by un-instrumented callbacks records root, never a wrong parent", async () => {
    const seen: number[] = [];
    async function scheduler(): Promise<void> {
      const span = beginAsync(s.request);
      try {
        setTimeout(() => {
          const child = beginAsync(s.child);
          seen.push(parentOf(child));
          endAsync(child);
        }, 1);
        resume(span, await suspend(span, delay(10)));
      } finally {
        endAsync(span);
      }
    }
    await scheduler();
    expect(seen).toEqual([0]);
    take(sink);
  });

  test("a handle is dead once ended: ending it again records nothing; a detached span ends at once", () => {
    const span = beginAsync(s.load);
    expect(endAsync(span)).toBe(NOT_RECORDED);
    endAsync(span);
    const d = beginAsync(s.parse);
    detachAsync(d);
    const ends = take(sink).filter((e) => e.kind === "async-end");
    expect(ends.map((e) => [e.name, e.outcome])).toEqual([
      ["load", "fulfilled"],
      ["parse", "detached"],
    ]);
  });

  test("a filtered span inside a recorded one leaves the recorded one current through its awaits", async () => {
    configure({ maxLevel: "info" });
    const outer = beginAsync(s.request);
    const outerId = idOf(outer);
    const inner = beginAsync(debug.verbose);
    expect(inner).toBe(NOT_RECORDED);
    resume(inner, await suspend(inner, delay(1)));
    expect(currentSpanId()).toBe(outerId);
    syncHelper();
    resume(inner);
    endAsync(inner);
    expect(currentSpanId()).toBe(outerId);
    endAsync(outer);
    expect(currentSpanId()).toBe(0);
    const events = take(sink);
    expect(events.map((e) => `${e.kind}:${e.name}`)).toEqual(["async-begin:request", "thread-begin:sync", "thread-end:sync", "async-end:request"]);
    expect(syncParents).toEqual([outerId]);
  });

  test("rows are reused as spans end; the spans left open are reported, oldest first, with their parents", () => {
    for (let i = 0; i < 100; i++) endAsync(beginAsync(s.load));
    const a = beginAsync(s.request);
    const aId = idOf(a);
    const b = beginAsync(s.child);
    suspend(b, undefined);
    suspend(a, undefined);
    const c = beginAsync(s.parse);
    suspend(c, undefined);
    expect(report().unfinished.map((u) => [u.name, u.spanId === aId ? "a" : u.parentId === aId ? "child of a" : "root"])).toEqual([
      ["request", "a"],
      ["child", "child of a"],
      ["parse", "root"],
    ]);
    for (const span of [a, b, c]) endAsync(span);
    expect(report().unfinished).toEqual([]);
    take(sink);
  });

  // Rows and the current-span stack start at 64 entries; the first spans and the 65th level
  // take the slow path, which grows them, and the fast path must then pick up where it left.
  test("past the first rows and stack entries, nested and side-by-side spans keep their parents and depths", () => {
    for (let round = 0; round < 2; round++) {
      const chain: number[] = [];
      for (let i = 0; i < 300; i++) chain.push(beginAsync(s.child));
      const side: number[] = [];
      for (let i = 0; i < 300; i++) {
        const span = beginAsync(s.parse);
        side.push(span);
        suspend(span, undefined);
      }
      for (let i = chain.length - 1; i >= 0; i--) endAsync(chain[i]);
      for (const span of side) endAsync(span);
      const begins = take(sink).filter((e) => e.kind === "async-begin");
      const chainBegins = begins.filter((e) => e.name === "child");
      expect(chainBegins.map((e) => e.depth)).toEqual(chainBegins.map((_, i) => i + 1));
      expect(chainBegins.slice(1).map((e) => e.parentId)).toEqual(chainBegins.slice(0, -1).map((e) => e.spanId));
      expect(chainBegins[0].parentId).toBe(0);
      const innermost = chainBegins[chainBegins.length - 1].spanId;
      expect(begins.filter((e) => e.name === "parse").every((e) => e.parentId === innermost && e.depth === 301)).toBe(true);
      expect(new Set(begins.map((e) => e.spanId)).size).toBe(600);
      expect(currentSpanId()).toBe(0);
      expect(report().unfinished).toEqual([]);
    }
  });

  test("a span left current by mistake is contained: suspending one below it hands back past both", () => {
    const a = beginAsync(s.request);
    const slipped = beginAsync(s.child); // not suspended, as after a throw inside the runtime
    suspend(a, undefined);
    expect(currentSpanId()).toBe(0);
    endAsync(a);
    endAsync(slipped);
    expect(currentSpanId()).toBe(0);
    take(sink);
  });

  test("disabled: begin gives an inert span that changes nothing", async () => {
    configure({ enabled: false });
    const outer = beginAsync(s.request);
    expect(outer).toBe(NOT_RECORDED);
    expect(currentSpanId()).toBe(0);
    await load(1);
    endAsync(outer);
    expect(take(sink)).toEqual([]);
  });
});
