import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import {
  begin,
  beginAsync,
  configure,
  end,
  endAsync,
  linkRootSpans,
  resume,
  suspend,
  ChromeTraceWriter,
  parseChromeTrace,
  type EventBlock,
  type SpanEvent,
} from "../src/index.js";
import { memorySink, sites, take } from "./helpers.js";

const sink = memorySink();
const s = sites(["outer", "helper", "inner", "task"]);

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function helper(): void {
  const t = begin(s.helper);
  try {
    inner();
  } finally {
    end(t);
  }
}

function inner(): void {
  const t = begin(s.inner);
  end(t);
}

async function task(): Promise<void> {
  const span = beginAsync(s.task);
  try {
    helper();
    resume(span, await suspend(span, tick()));
    helper();
  } finally {
    endAsync(span);
  }
}

beforeEach(() => {
  configure({ enabled: true, maxLevel: "trace" });
  take(sink);
});

afterEach(() => linkRootSpans(null));

function begins(events: readonly SpanEvent[], name: string): SpanEvent[] {
  return events.filter((e) => e.name === name && e.kind.endsWith("begin"));
}

describe("the parent of an outermost thread span", () => {
  test("is the async span current when it began, before and after an await", async () => {
    await Promise.all([task(), task()]);
    const events = take(sink);
    const tasks = begins(events, "task").map((e) => e.spanId);
    expect(tasks).toHaveLength(2);
    const helperParents = begins(events, "helper").map((e) => e.parentId);
    // Each task runs helper once before its await and once after; the two interleave.
    expect(helperParents.sort()).toEqual([tasks[0], tasks[0], tasks[1], tasks[1]].sort());
    // Nested thread spans nest by order: no parent written.
    expect(begins(events, "inner").every((e) => e.parentId === 0)).toBe(true);
  });

  test("inside an async function called from a sync one: the async function, before and after its await", async () => {
    // outer (thread) -> task (async) -> helper (thread) -> inner (thread); task awaits; helper again.
    const t = begin(s.outer);
    let running: Promise<void>;
    try {
      running = task();
      inner(); // back in outer after task suspended: nests under outer, no parent written
    } finally {
      end(t);
    }
    await running;
    const events = take(sink);
    const taskId = begins(events, "task")[0].spanId;
    expect(begins(events, "helper").map((e) => e.parentId)).toEqual([taskId, taskId]);
    const innerParents = begins(events, "inner").map((e) => e.parentId);
    expect(innerParents).toEqual([0, 0, 0]); // inside helper, inside outer, inside helper
  });

  test("is the root (0) outside any async span, in the compact two-slot record", () => {
    take(sink);
    const recorded: EventBlock[] = [];
    configure({ sink: { block: (b) => void recorded.push({ ...b, data: b.data.slice(0, b.length) }) } });
    helper();
    take(sink);
    configure({ sink });
    const slots = recorded.reduce((n, b) => n + b.length, 0);
    expect(slots).toBe(7); // helper's begin and end (two slots each), inner as one complete record of three
  });

  test("a root span asks the link hook; the answer is recorded negated, children keep spanfn parents", async () => {
    let asked = 0;
    linkRootSpans(() => ++asked);
    const t = begin(s.outer);
    end(t);
    await task();
    const events = take(sink);
    expect(begins(events, "outer")[0].parentId).toBe(-1);
    const taskBegin = begins(events, "task")[0];
    expect(taskBegin.parentId).toBe(-2);
    expect(begins(events, "helper").map((e) => e.parentId)).toEqual([taskBegin.spanId, taskBegin.spanId]);
    expect(asked).toBe(2);
  });

  test("a hook answering 0 leaves roots as roots", () => {
    linkRootSpans(() => 0);
    helper();
    const events = take(sink);
    expect(begins(events, "helper")[0].parentId).toBe(0);
  });

  test("the Chrome trace carries spanfn parents of thread spans and never an outside one", async () => {
    linkRootSpans(() => 7);
    await task();
    const events = take(sink);
    expect(begins(events, "task")[0].parentId).toBe(-7);
    // Re-record through the writer: the same blocks, as the Chrome sink sees them.
    const blocks: EventBlock[] = [];
    configure({ sink: { block: (b) => void blocks.push(b) } });
    await task();
    take(sink);
    configure({ sink });
    let text = "";
    const writer = new ChromeTraceWriter((chunk) => (text += chunk));
    writer.start({ pid: 1, clock: blocks[0].clock });
    for (const block of blocks) writer.block(block);
    const trace = parseChromeTrace(text + "]");
    const taskEvent = trace.find((e) => e.ph === "b" && e.name === "task")!;
    expect(taskEvent.args?.parent).toBe(0);
    const helperEvents = trace.filter((e) => e.ph === "B" && e.name === "helper");
    expect(helperEvents.map((e) => e.args?.parent)).toEqual([Number(taskEvent.id), Number(taskEvent.id)]);
  });
});
