/**
 * Exact settlement (Node's default): a function without `async` that returns a native promise
 * gets an async span that ends when that promise settles, observed through v8.promiseHooks with
 * nothing attached to the promise. Whether the promise was already settled when it was returned
 * is asked once, in a microtask after the return; these tests pin down what the trace shows.
 */
import { beforeAll, describe, expect, test } from "@jest/globals";
import { begin, configure, endReturn, now } from "../src/index.js";
import { useExactSettlement } from "../src/node/settlement.js";
import { memorySink, sites, take } from "./helpers.js";

const sink = memorySink();
const s = sites(["returns"]);

beforeAll(() => {
  useExactSettlement(true);
  configure({ demote: false });
});

/** What the plugin emits for a function whose promise static detection missed. */
function returns<T>(value: T): T {
  const t = begin(s.returns);
  let r: T | undefined;
  try {
    return (r = value);
  } finally {
    endReturn(t, r);
  }
}

function asyncEnds() {
  return take(sink).filter((e) => e.kind === "async-end");
}

describe("exact settlement", () => {
  test("a promise already fulfilled when returned ends its span at the return, before the caller resumes", async () => {
    take(sink);
    const returned = returns(Promise.resolve(1));
    const after = now();
    expect(await returned).toBe(1);
    const ends = asyncEnds();
    expect(ends.map((e) => e.outcome)).toEqual(["fulfilled"]);
    expect(ends[0].time).toBeLessThanOrEqual(after);
  });

  test("a promise already rejected when returned ends rejected", async () => {
    take(sink);
    const returned = returns(Promise.reject(new Error("no")));
    await expect(returned).rejects.toThrow("no");
    expect(asyncEnds().map((e) => e.outcome)).toEqual(["rejected"]);
  });

  test("a pending promise ends when it settles, with its outcome", async () => {
    take(sink);
    let fail!: (error: Error) => void;
    const returned = returns(new Promise<never>((_, reject) => (fail = reject)));
    await new Promise((r) => setTimeout(r, 5));
    expect(asyncEnds()).toEqual([]);
    const before = now();
    fail(new Error("later"));
    await expect(returned).rejects.toThrow("later");
    const ends = asyncEnds();
    expect(ends.map((e) => e.outcome)).toEqual(["rejected"]);
    expect(ends[0].time).toBeGreaterThanOrEqual(before);
  });

  test("one promise returned through two functions ends both spans", async () => {
    take(sink);
    const returned = returns(returns(new Promise((resolve) => setTimeout(() => resolve(2), 1))));
    expect(await returned).toBe(2);
    expect(asyncEnds().map((e) => e.outcome)).toEqual(["fulfilled", "fulfilled"]);
  });

  test("reading outcomes leaves V8's natives syntax as the program had it: off", () => {
    useExactSettlement(true);
    // A source text of its own: V8 caches compiled functions by source, and would hand back the runtime's.
    expect(() => new Function("probe", `return %PromiseStatus(probe) /* ${Math.random()} */`)).toThrow(SyntaxError);
  });
});
