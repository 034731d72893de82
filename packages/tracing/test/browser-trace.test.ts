/**
 * BrowserTraceSink: a page's trace encoded in a Web Worker, or on the page's thread where none
 * starts. The worker here is the real handler (trace-worker.ts) behind a MessageChannel, so
 * messages are cloned and buffers transferred as in a browser; test/projects/app in the unplugin
 * package runs the built worker in Chromium.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { MessageChannel } from "node:worker_threads";
import {
  begin,
  beginAsync,
  BrowserTraceSink,
  ChromeTraceSink,
  configure,
  end,
  endAsync,
  flush,
  parseChromeTrace,
  PerfettoTraceSink,
  report,
  setSink,
  shutdown,
  TeeSink,
  type TraceWorkerLike,
} from "../src/index.js";
import { createTraceWorker } from "../src/browser/trace-worker.js";
import type { FromTraceWorker, ToTraceWorker } from "../src/browser/worker-protocol.js";
import { state } from "../src/state.js";
import { sites } from "./helpers.js";
import { asPairs } from "./chrome-pairs.js";

const s = sites(["page.render", "page.load", "page.row"]);

interface FakeWorker extends TraceWorkerLike {
  /** Messages the page posted, as the worker got them. */
  readonly received: ToTraceWorker["kind"][];
}

/** The real worker handler behind a MessageChannel; `fail` makes it a worker that never loads or stops after `after` blocks. */
const channels: MessageChannel[] = [];

function channelWorker(fail?: { loading?: boolean; after?: number; stall?: boolean }): FakeWorker {
  const channel = new MessageChannel();
  channels.push(channel);
  const { port1, port2 } = channel;
  const listeners: { message: ((event: { data: unknown }) => void)[]; error: ((event: { message?: string }) => void)[] } = { message: [], error: [] };
  const received: ToTraceWorker["kind"][] = [];
  let blocks = 0;
  const handle = createTraceWorker((message: FromTraceWorker, transfer?: ArrayBuffer[]) => {
    if (fail?.stall && message.kind === "free") return;
    port2.postMessage(message, transfer ?? []);
  });
  port2.on("message", (message: ToTraceWorker) => {
    received.push(message.kind);
    if (fail?.loading) return;
    if (message.kind === "block" && fail?.after !== undefined && ++blocks > fail.after) {
      for (const listener of listeners.error) listener({ message: "worker crashed" });
      return;
    }
    handle(message);
  });
  if (fail?.loading) setTimeout(() => listeners.error.forEach((listener) => listener({ message: "blocked by the page's Content-Security-Policy" })), 20);
  port1.on("message", (data: unknown) => listeners.message.forEach((listener) => listener({ data })));
  port1.unref();
  port2.unref();
  return {
    received,
    postMessage: (message, transfer) => port1.postMessage(message, transfer ?? []),
    addEventListener: ((type: "message" | "error", listener: never) => listeners[type].push(listener)) as TraceWorkerLike["addEventListener"],
    terminate: () => {
      port1.close();
      port2.close();
    },
  };
}

/** Spans over several blocks: small blocks, so the run seals many. */
function record(rows: number): void {
  const render = begin(s["page.render"]);
  for (let i = 0; i < rows; i++) end(begin(s["page.row"]));
  end(render);
  const load = beginAsync(s["page.load"]);
  endAsync(load);
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
};

beforeEach(() => {
  // Exact counts: no site becomes a counter however often the tests call it.
  configure({ demote: false });
});

afterEach(() => {
  setSink(null);
  configure({ blockSlots: 4096, maxBufferedBytes: 64 * 1024 * 1024 });
  for (const { port1, port2 } of channels.splice(0)) {
    port1.close();
    port2.close();
  }
});

describe("BrowserTraceSink", () => {
  test("in a worker: writes exactly the trace the page's thread would", async () => {
    configure({ blockSlots: 256 });
    const worker = channelWorker();
    const browser = new BrowserTraceSink({ worker: () => worker, processName: "page" });
    const reference = new ChromeTraceSink({ processName: "page" });
    setSink(new TeeSink([reference, browser]));
    await until(() => browser.mode !== "starting");
    expect(browser.mode).toBe("worker");
    record(400);
    const partial = asPairs(parseChromeTrace(await browser.text()));
    expect(partial.filter((e) => e.name === "page.row" && e.ph === "B")).toHaveLength(400);
    shutdown();
    expect(await browser.text()).toBe(reference.text());
    expect(JSON.parse(reference.text()).at(-1).name).toBe("spanfn_report");
    expect(worker.received.filter((kind) => kind === "block").length).toBeGreaterThan(3);
  });

  test("in a worker: each block goes as a copy, no buffer is detached on the page's thread, and the page's buffers are reused for the next blocks", async () => {
    configure({ blockSlots: 256 });
    const browser = new BrowserTraceSink({ worker: () => channelWorker() });
    const handed: Float64Array[] = [];
    setSink({ init: (p) => browser.init(p), block: (b) => (handed.push(b.data), browser.block(b)), heldBytes: () => browser.heldBytes() });
    await until(() => browser.mode === "worker");
    state.spare.length = 0;
    record(400);
    flush();
    expect(handed.length).toBeGreaterThan(3);
    // Never transferred: a buffer detached on the page's thread would deoptimise its typed-array code.
    expect(handed.map((data) => data.byteLength)).toEqual(handed.map(() => 256 * 8));
    expect(browser.heldBytes()).toBeGreaterThan(0);
    await until(() => browser.heldBytes() === 0);
    expect(browser.heldBytes()).toBe(0);
    expect(state.spare.length).toBeGreaterThan(0);
    // The page's own buffers: the worker's copies stay with it.
    expect(state.spare.every((data) => handed.includes(data))).toBe(true);
  });

  test("in a worker, Perfetto: the same bytes as PerfettoTraceSink", async () => {
    configure({ blockSlots: 256 });
    const browser = new BrowserTraceSink({ worker: () => channelWorker(), format: "perfetto" });
    const reference = new PerfettoTraceSink();
    setSink(new TeeSink([reference, browser]));
    await until(() => browser.mode !== "starting");
    record(100);
    shutdown();
    const bytes = await browser.trace();
    expect(browser.mode).toBe("worker");
    expect(bytes.length).toBeGreaterThan(1000);
    expect(Buffer.from(bytes).equals(Buffer.from(reference.bytes()))).toBe(true);
  });

  test("a worker that never loads (a CSP without blob: workers): the page's thread writes the trace, with nothing lost", async () => {
    configure({ blockSlots: 256 });
    const browser = new BrowserTraceSink({ worker: () => channelWorker({ loading: true }) });
    const reference = new ChromeTraceSink();
    setSink(new TeeSink([reference, browser]));
    // Blocks sealed while the worker is starting are kept, then written here.
    record(100);
    flush();
    expect(browser.mode).toBe("starting");
    expect(browser.heldBytes()).toBeGreaterThan(0);
    await until(() => browser.mode === "inline");
    expect(browser.mode).toBe("inline");
    record(50);
    shutdown();
    expect(await browser.text()).toBe(reference.text());
    expect(browser.lostEvents).toBe(0);
  });

  test("a worker that does not answer in time: the same, after startTimeoutMs", async () => {
    const silent = channelWorker({ loading: true });
    const quiet: TraceWorkerLike = { ...silent, addEventListener: (() => {}) as TraceWorkerLike["addEventListener"] };
    const browser = new BrowserTraceSink({ worker: () => quiet, startTimeoutMs: 30 });
    setSink(browser);
    record(10);
    flush();
    await until(() => browser.mode === "inline");
    shutdown();
    const events = asPairs(parseChromeTrace(await browser.text()));
    expect(events.filter((e) => e.name === "page.row" && e.ph === "B")).toHaveLength(10);
  });

  test("a worker that stops after starting: what it held is counted as lost, said once, and the page's thread goes on", async () => {
    configure({ blockSlots: 256 });
    const warn = jest.fn();
    configure({ warn });
    const browser = new BrowserTraceSink({ worker: () => channelWorker({ after: 2 }) });
    setSink(browser);
    await until(() => browser.mode === "worker");
    record(600);
    flush();
    await until(() => browser.mode === "inline");
    expect(browser.mode).toBe("inline");
    expect(browser.lostEvents).toBeGreaterThan(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/trace worker stopped \(worker crashed\): \d+ events it held are lost/);
    record(5);
    shutdown();
    const text = await browser.text();
    const events = asPairs(parseChromeTrace(text));
    expect(events.filter((e) => e.name === "page.row" && e.ph === "B").length).toBeGreaterThanOrEqual(5);
    configure({ warn: (message) => console.warn(message) });
  });

  test("a worker that falls behind: the buffers it holds count against the runtime's cap, and new spans are dropped and counted", async () => {
    configure({ blockSlots: 256, maxBufferedBytes: 4 * 256 * 8 });
    const browser = new BrowserTraceSink({ worker: () => channelWorker({ stall: true }) });
    setSink(browser);
    await until(() => browser.mode === "worker");
    record(2000);
    flush();
    expect(browser.heldBytes()).toBeGreaterThanOrEqual(4 * 256 * 8);
    expect(report().droppedSpans).toBeGreaterThan(0);
  });

  test("no Worker (Node, or worker: false): the page's thread", async () => {
    const browser = new BrowserTraceSink();
    setSink(browser);
    expect(browser.mode).toBe("inline");
    record(3);
    const partial = asPairs(parseChromeTrace(await browser.text()));
    expect(partial.filter((e) => e.ph === "B")).toHaveLength(4);
    shutdown();
    expect(JSON.parse(await browser.text()).at(-1).name).toBe("spanfn_report");
    expect(new BrowserTraceSink({ worker: false }).mode).toBe("starting");
  });

  test("a bad format is refused, naming it", () => {
    expect(() => new BrowserTraceSink({ format: "xml" as never })).toThrow(/BrowserTraceSink's format must be "json" or "perfetto", not "xml"/);
  });
});
