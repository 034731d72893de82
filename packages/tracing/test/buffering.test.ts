import { afterEach, describe, expect, test } from "@jest/globals";
import {
  begin,
  beginAsync,
  configure,
  decodeBlocks,
  forEachRecord,
  end,
  endAsync,
  flush,
  flushAsync,
  InMemorySink,
  NullSink,
  report,
  setSink,
  shutdown,
  TeeSink,
  type EventBlock,
  type Sink,
} from "../src/index.js";
import { state } from "../src/state.js";
import { shape, sites } from "./helpers.js";

const s = sites(["span", "open", "pending"]);
const teeSite = sites(["tee"]).tee;
const warnings: string[] = [];
// These tests fill buffers with thousands of calls of one tiny span: demotion would turn it into a counter.
configure({ warn: (m) => warnings.push(m), demote: false });

/** Takes blocks only when the test says so: a sink that cannot keep up. */
class SlowSink implements Sink {
  readonly received: EventBlock[] = [];
  private release: Array<() => void> = [];
  block(block: EventBlock): Promise<void> {
    this.received.push(block);
    return new Promise((resolve) => this.release.push(resolve));
  }
  releaseAll(): void {
    const waiting = this.release;
    this.release = [];
    for (const r of waiting) r();
  }
}

function record(n: number): void {
  for (let i = 0; i < n; i++) end(begin(s.span));
}

afterEach(() => {
  setSink(null);
  flush();
  state.pending.length = 0;
  state.pendingBytes = 0;
  state.sinkBusy = false;
  state.droppedSpans = 0;
  state.sinkErrors = 0;
  state.lostEvents = 0;
  warnings.length = 0;
  configure({ enabled: true, blockSlots: 1 << 14, maxBufferedBytes: 64 * 1024 * 1024 });
});

describe("bounded buffering", () => {
  test("a sink that cannot keep up: memory stays under the cap, drops are counted, nothing throws", async () => {
    const slots = 256;
    configure({ blockSlots: slots, maxBufferedBytes: slots * 8 * 4 });
    const sink = new SlowSink();
    setSink(sink);
    record(10_000);
    expect(state.pendingBytes).toBeLessThanOrEqual(slots * 8 * 4);
    const dropped = report().droppedSpans;
    expect(dropped).toBeGreaterThan(9000);
    // Recorded + dropped accounts for every span.
    sink.releaseAll();
    await new Promise((r) => setTimeout(r, 0));
    while (state.sinkBusy) {
      sink.releaseAll();
      await new Promise((r) => setTimeout(r, 0));
    }
    const recorded = sink.received.reduce((n, b) => n + forEachRecord(b, () => {}), 0) / 2;
    expect(recorded + report().droppedSpans).toBe(10_000);
    expect(report().unfinished).toEqual([]);
  });

  test("ends of spans that began are written even past the cap, so the trace stays balanced", () => {
    const slots = 64;
    configure({ blockSlots: slots, maxBufferedBytes: slots * 8 * 2 });
    const sink = new SlowSink();
    setSink(sink);
    const outer = begin(s.open);
    const pending = beginAsync(s.pending);
    record(200);
    expect(state.recording).toBe(false);
    endAsync(pending);
    end(outer);
    sink.releaseAll();
    const memory = new InMemorySink();
    setSink(memory);
    flush();
    const events = decodeBlocks([...sink.received, ...memory.blocks]);
    const count = (kind: string) => events.filter((e) => e.kind === kind).length;
    expect(count("thread-begin")).toBe(count("thread-end"));
    expect(count("async-begin")).toBe(1);
    expect(count("async-end")).toBe(1);
    expect(events.at(-1)).toMatchObject({ kind: "thread-end", name: "open" });
    const r = report();
    expect(r.unfinished).toEqual([]);
    expect(r.droppedSpans).toBeGreaterThan(0);
  });

  test("recording resumes once the sink catches up", async () => {
    const slots = 64;
    configure({ blockSlots: slots, maxBufferedBytes: slots * 8 * 2 });
    const sink = new SlowSink();
    setSink(sink);
    record(100);
    expect(state.recording).toBe(false);
    while (state.sinkBusy || state.pending.length > 0) {
      sink.releaseAll();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(state.recording).toBe(true);
    const before = report().droppedSpans;
    record(1);
    expect(report().droppedSpans).toBe(before);
  });

  test("a sink that throws loses its blocks, counted and reported once; the program goes on", () => {
    configure({ blockSlots: 64 });
    setSink({
      block() {
        throw new Error("disk full");
      },
    });
    expect(() => record(200)).not.toThrow();
    flush();
    const r = report();
    expect(r.sinkErrors).toBeGreaterThan(1);
    expect(r.lostEvents).toBe(400);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/sink failed.*disk full/);
  });

  test("a sink whose promise rejects is counted the same way", async () => {
    configure({ blockSlots: 64 });
    setSink({ block: () => Promise.reject(new Error("collector down")) });
    record(40);
    await flushAsync(1000);
    expect(report().sinkErrors).toBeGreaterThan(0);
    expect(report().lostEvents).toBe(80);
    expect(warnings[0]).toMatch(/collector down/);
  });

  test("blocks recorded before a sink exists are kept (under the cap) and handed to it", () => {
    setSink(null);
    record(3);
    flush();
    const sink = new InMemorySink();
    setSink(sink);
    expect(shape(sink.events())).toEqual(Array(3).fill(["thread-begin:span", "thread-end:span"]).flat());
  });

  test("spans open at shutdown are reported as unfinished, by name", () => {
    const sink = new InMemorySink();
    setSink(sink);
    const t = begin(s.open);
    const a = beginAsync(s.pending);
    const r = shutdown();
    expect(r.unfinished.map((u) => [u.kind, u.name])).toEqual([
      ["async", "pending"],
      ["thread", "open"],
    ]);
    expect(sink.lastReport).toBe(r);
    endAsync(a);
    end(t);
  });
});

describe("open thread spans", () => {
  afterEach(() => configure({ blockSlots: 1 << 14 }));

  test("are named from the records: across sealed blocks, after the stack shrank and grew again in the block being written", () => {
    setSink(new InMemorySink());
    configure({ blockSlots: 32 });
    const outer = begin(s.open);
    const mid = begin(s.span);
    for (let i = 0; i < 40; i++) end(begin(s.pending)); // seals several blocks under [open, span]
    end(mid);
    const inner = begin(s.pending);
    const leaf = begin(s.span);
    const names = () => report().unfinished.map((u) => u.name);
    expect(names()).toEqual(["open", "pending", "span"]);
    // Asking again, and sealing after asking, see the same: a report follows a copy of the stack.
    expect(names()).toEqual(["open", "pending", "span"]);
    for (let i = 0; i < 40; i++) end(begin(s.pending));
    expect(names()).toEqual(["open", "pending", "span"]);
    end(leaf);
    end(inner);
    end(outer);
    expect(names()).toEqual([]);
  });
});

describe("configure", () => {
  test("rejects unknown options and bad values, naming them", () => {
    expect(() => configure({ enabld: true } as never)).toThrow(/unknown runtime option "enabld"/);
    expect(() => configure({ maxLevel: "verbose" })).toThrow(/maxLevel must be one of "error", "warn", "info", "debug", "trace"/);
    expect(() => configure({ maxBufferedBytes: -1 })).toThrow(/"maxBufferedBytes" must be a positive integer/);
    expect(() => configure({ blockSlots: 3 })).toThrow(/"blockSlots" must be an integer >= 20/);
    expect(() => configure({ enabled: "yes" as never })).toThrow(/"enabled" must be true or false/);
  });
});

describe("TeeSink", () => {
  test("every sink sees every block; a throwing one is counted and does not starve the others", () => {
    const good = new InMemorySink();
    const other = new InMemorySink();
    const broken = {
      block(): void {
        throw new Error("disk full");
      },
    };
    const warnings: string[] = [];
    configure({ sink: new TeeSink([good, broken, other]), warn: (m) => warnings.push(m) });
    state.sinkErrors = 0;
    const before = state.sinkErrors;
    const t = begin(teeSite);
    end(t);
    flush();
    expect(shape(good.events())).toEqual(["thread-begin:tee", "thread-end:tee"]);
    expect(shape(other.events())).toEqual(["thread-begin:tee", "thread-end:tee"]);
    expect(report().sinkErrors).toBe(before + 1);
    expect(warnings.join("\n")).toContain("disk full");
  });

  test("waits for asynchronous sinks and passes a rejection on", async () => {
    let release!: () => void;
    const slow = { block: () => new Promise<void>((resolve) => (release = resolve)) };
    const failing = { block: () => Promise.reject(new Error("collector down")) };
    const tee = new TeeSink([slow, failing]);
    const result = tee.block({ data: new Float64Array(4), length: 0 } as never) as Promise<void>;
    let settled = false;
    result.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    release();
    await expect(result).rejects.toThrow("collector down");
  });
});

describe("TeeSink and recycled buffers", () => {
  test("a member that recycles cannot let the next block overwrite one another member keeps", () => {
    const keeper = new InMemorySink();
    const recycler = new NullSink();
    configure({ sink: new TeeSink([recycler, keeper]) });
    const t = begin(teeSite);
    end(t);
    flush();
    const kept = keeper.events().map((e) => `${e.kind}:${e.name}`);
    for (let i = 0; i < 3; i++) {
      const u = begin(s.span);
      end(u);
      flush();
    }
    // The first block's buffer was not reused for the later ones.
    expect(decodeBlocks(keeper.blocks.slice(0, 1)).map((e) => `${e.kind}:${e.name}`)).toEqual(kept.slice(0, 2));
    expect(kept.slice(0, 2)).toEqual(["thread-begin:tee", "thread-end:tee"]);
  });
});
