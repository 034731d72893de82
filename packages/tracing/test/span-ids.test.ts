/**
 * Span ids on worker threads: each thread takes ids from its own range (layout.ts `SpanIds`),
 * so a late worker's ids are large. A stand-in (`adopt`) must still carry them exactly, or the
 * spans begun under it record a wrong parent.
 */
import { describe, expect, test } from "@jest/globals";
import { adopt, beginAsync, currentSpanId, endAsync, resume, suspend } from "../src/index.js";
import { SpanIds } from "../src/layout.js";
import { useSpanIdsOf } from "../src/node/thread.js";
import { state } from "../src/state.js";
import { memorySink, sites, take } from "./helpers.js";

const sink = memorySink();
const s = sites(["helper body", "child"]);

describe("stand-ins on a worker thread with a large id", () => {
  test.each([1, 31, 32, 40, 4000])("thread %i: spans begun under a stand-in record the true parent id and depth", (thread) => {
    // What identifyThread does on worker `thread`, before its first span (each case starts over).
    state.nextSpanId = 1;
    useSpanIdsOf(state, thread);
    take(sink);
    const outer = beginAsync(s["helper body"]);
    const outerId = currentSpanId();
    expect(outerId).toBeGreaterThan(thread * SpanIds.perThread);
    // The body a compiler handed to an async helper: it adopts the current span and resumes
    // the stand-in after the function that started it has ended.
    const standIn = adopt();
    suspend(outer, undefined);
    endAsync(outer);
    resume(standIn);
    expect(currentSpanId()).toBe(outerId);
    const child = beginAsync(s.child);
    endAsync(child);
    suspend(standIn, undefined);
    const begun = take(sink).filter((e) => e.kind === "async-begin");
    expect(begun.map((e) => [e.name, e.parentId, e.depth])).toEqual([
      ["helper body", 0, 1],
      ["child", outerId, 2],
    ]);
  });
});
