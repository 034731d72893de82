import { describe, expect, test } from "@jest/globals";
import { beginAsync, chainCatch, chainNew, chainThen, endAsync, fail, now, type SpanEvent } from "../src/index.js";
import { memorySink, sites, take } from "./helpers.js";

const sink = memorySink();
const s = sites(["chained"]);

/** The generated shape of `function f(p) { return p.then(onFulfilled, onRejected) }`. */
function chained<T>(p: Promise<T>, onFulfilled?: ((v: T) => unknown) | null, onRejected?: ((e: unknown) => unknown) | null, arity = 2): Promise<unknown> {
  const span = beginAsync(s.chained);
  let returned: unknown;
  try {
    return (returned = chainThen(span, p, p.then, "p.then", arity, onFulfilled as never, onRejected as never) as Promise<unknown>);
  } catch (error) {
    fail(span);
    throw error;
  } finally {
    endAsync(span, returned);
  }
}

const ends = (events: SpanEvent[]) => events.filter((e) => e.kind === "async-end");

describe("returned chains", () => {
  test("the span ends as the handler settles the returned promise: after the handler, before what awaits it", async () => {
    take(sink);
    let handlerAt = 0;
    const returned = chained(Promise.resolve(2), (v) => {
      handlerAt = now();
      return v * 2;
    });
    let afterAt = 0;
    const after = returned.then((v) => {
      afterAt = now();
      return v;
    });
    expect(ends(take(sink))).toEqual([]);
    expect(await after).toBe(4);
    const [end] = ends(take(sink));
    expect(end.outcome).toBe("fulfilled");
    expect(end.time).toBeGreaterThanOrEqual(handlerAt);
    expect(end.time).toBeLessThanOrEqual(afterAt);
  });

  test("a rejection with no handler for it passes on, and the span ends rejected with the same reason", async () => {
    take(sink);
    const reason = new Error("no");
    await expect(chained(Promise.reject(reason), (v) => v, undefined, 1)).rejects.toBe(reason);
    expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["rejected"]);
  });

  test("a handler that throws ends the span rejected; one that recovers, fulfilled", async () => {
    take(sink);
    await expect(chained(Promise.resolve(1), () => { throw new Error("thrown"); })).rejects.toThrow("thrown");
    await expect(chained(Promise.reject(new Error("x")), null, () => "recovered")).resolves.toBe("recovered");
    expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["rejected", "fulfilled"]);
  });

  test("a handler that returns a promise: the span ends when that promise settles, with its outcome", async () => {
    take(sink);
    let settle!: (v: number) => void;
    const inner = new Promise<number>((r) => (settle = r));
    const returned = chained(Promise.resolve(0), () => inner);
    await new Promise((r) => setTimeout(r, 5));
    expect(ends(take(sink))).toEqual([]);
    settle(7);
    expect(await returned).toBe(7);
    expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["fulfilled"]);
    await expect(chained(Promise.resolve(0), () => Promise.reject(new Error("inner")))).rejects.toThrow("inner");
    expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["rejected"]);
  });

  test("catch: the intrinsic one is watched the same way; a subclass's own then gets the call as written", async () => {
    take(sink);
    const span = beginAsync(s.chained);
    const p = Promise.reject(new Error("caught"));
    const returned = chainCatch(span, p, p.catch, "p.catch", (e) => (e as Error).message);
    endAsync(span, returned);
    expect(await returned).toBe("caught");
    expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["fulfilled"]);

    const calls: number[] = [];
    class Counted<T> extends Promise<T> {
      override then<A = T, B = never>(onFulfilled?: ((v: T) => A | PromiseLike<A>) | null, onRejected?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
        calls.push(arguments.length);
        return super.then(onFulfilled, onRejected);
      }
    }
    const own = chained(Counted.resolve(3), (v) => v, undefined, 1);
    expect(calls[0]).toBe(1);
    expect(await own).toBe(3);
    await new Promise((r) => setTimeout(r, 1));
    expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["fulfilled"]);
  });

  test("a then that is not a function throws the engine's TypeError", () => {
    const span = beginAsync(s.chained);
    expect(() => chainThen(span, {}, undefined, "p.then", 1, () => 1)).toThrow(new TypeError("p.then is not a function"));
    endAsync(span);
    take(sink);
  });

  describe("new Promise(executor)", () => {
    type Executor = (resolve: (v: unknown) => void, reject: (e: unknown) => void) => void;
    /** The generated shape of `function f() { return new Promise(executor) }`. */
    function made(executor: Executor, constructor: unknown = Promise): Promise<unknown> {
      const span = beginAsync(s.chained);
      let returned: unknown;
      try {
        return (returned = chainNew(span, constructor, executor) as Promise<unknown>);
      } catch (error) {
        fail(span);
        throw error;
      } finally {
        endAsync(span, returned);
      }
    }

    test("the span ends when the executor's resolve runs, with its outcome", async () => {
      take(sink);
      let resolve!: (v: unknown) => void;
      const returned = made((r) => (resolve = r));
      await new Promise((r) => setTimeout(r, 2));
      expect(ends(take(sink))).toEqual([]);
      const before = now();
      resolve("done");
      const after = now();
      const [end] = ends(take(sink));
      expect(end).toMatchObject({ outcome: "fulfilled" });
      expect(end.time).toBeGreaterThanOrEqual(before);
      expect(end.time).toBeLessThanOrEqual(after);
      expect(await returned).toBe("done");
      await expect(made((_, reject) => setTimeout(() => reject(new Error("later")), 1))).rejects.toThrow("later");
      expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["rejected"]);
    });

    test("settled while it is made: the span ends at the return, with that outcome; the first settlement wins", async () => {
      take(sink);
      await expect(
        made((resolve, reject) => {
          resolve(1);
          reject(new Error("ignored"));
        }),
      ).resolves.toBe(1);
      await expect(made((_, reject) => reject(new Error("at once")))).rejects.toThrow("at once");
      await expect(
        made(() => {
          throw new Error("thrown");
        }),
      ).rejects.toThrow("thrown");
      await expect(
        made((resolve) => {
          resolve("first");
          throw new Error("after resolve: ignored");
        }),
      ).resolves.toBe("first");
      expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    });

    test("resolved with a promise: the span ends when that promise settles", async () => {
      take(sink);
      let settle!: (v: unknown) => void;
      const inner = new Promise((r) => (settle = r));
      const returned = made((resolve) => resolve(inner));
      await new Promise((r) => setTimeout(r, 2));
      expect(ends(take(sink))).toEqual([]);
      settle(5);
      expect(await returned).toBe(5);
      expect(ends(take(sink)).map((e) => e.outcome)).toEqual(["fulfilled"]);
    });

    test("what the constructor sees is what it would have: the same TypeError, another constructor as written", async () => {
      expect(() => made(42 as unknown as Executor)).toThrow(new TypeError("Promise resolver 42 is not a function"));
      take(sink);
      let seen: unknown = null;
      class Other {
        constructor(executor: unknown) {
          seen = executor;
        }
      }
      const executor = () => {};
      made(executor, Other);
      expect(seen).toBe(executor);
      take(sink);
    });
  });
});
