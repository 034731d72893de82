/**
 * The streaming Perfetto reader: traces written by PerfettoTraceWriter (plain and compressed, and
 * large enough to arrive in many chunks) read back into the visitor's calls and compared with the
 * in-memory events of the same run; a TrackEvent trace of another producer (built with Perfetto's
 * own schema); files that are not traces or are cut short.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, gzipSync } from "node:zlib";
import protobuf from "protobufjs";
import {
  begin,
  beginAsync,
  decodeBlock,
  end,
  endAsync,
  fail,
  flush,
  InMemorySink,
  PerfettoTraceSink,
  PerfettoTraceWriter,
  resume,
  setSink,
  shutdown,
  suspend,
  TeeSink,
  type EventBlock,
  type SpanMetadata,
} from "../../tracing/src/index.js";
import { idOf, sites } from "../../tracing/test/helpers.js";
import { readPerfetto } from "../src/read/perfetto.js";
import type { TraceEventVisitor } from "../src/read/visitor.js";

const scratch = mkdtempSync(join(tmpdir(), "spanfn-pftrace-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
function file(bytes: Uint8Array): string {
  const path = join(scratch, `t${files++}.pftrace`);
  writeFileSync(path, bytes);
  return path;
}

/** Every visitor call as a tuple, in order. */
async function read(path: string): Promise<unknown[][]> {
  const calls: unknown[][] = [];
  const visitor: TraceEventVisitor = {
    threadName: (...args) => calls.push(["threadName", ...args]),
    threadBegin: (...args) => calls.push(["threadBegin", ...args]),
    threadEnd: (...args) => calls.push(["threadEnd", ...args]),
    asyncBegin: (...args) => calls.push(["asyncBegin", ...args]),
    asyncEnd: (...args) => calls.push(["asyncEnd", ...args]),
    report: (...args) => calls.push(["report", ...args]),
  };
  await readPerfetto(path, visitor);
  return calls;
}

const s = sites(["outer", "inner", "fetch", "child", "inside", "left open", "pending"]);
const ORIGIN = performance.timeOrigin;
const PID = 0x7fff0001; // the writer's stand-in: this process has no pid of its own (0)

function workerBlock(): EventBlock {
  const metadata: SpanMetadata[] = [{ name: "work", target: "w", file: "w.ts", line: 7, level: 2 }];
  const data = Float64Array.from([1, 1, 0 * 16 + 3, 2, 2 ** 32 + 1, 0, 1, 0 * 16 + 4, 3.25, 2 ** 32 + 1, 2, 4]);
  return { thread: { id: 1, name: "worker 1" }, clock: { timeOrigin: ORIGIN + 100.5, tickUnitNs: 1e6 }, metadata, data, length: data.length, sequence: 0 };
}

async function run(compress: boolean) {
  setSink(new InMemorySink());
  flush();
  const memory = new InMemorySink();
  const perfetto = new PerfettoTraceSink(compress ? { compress: (b) => deflateSync(b) } : {});
  setSink(new TeeSink([memory, perfetto]));
  const outer = begin(s.outer);
  end(begin(s.inner));
  end(outer);
  const fetch = beginAsync(s.fetch);
  end(begin(s.inside));
  const child = beginAsync(s.child);
  fail(child);
  endAsync(child);
  resume(fetch, await suspend(fetch, new Promise((r) => setTimeout(r, 2))));
  endAsync(fetch);
  const pending = beginAsync(s.pending);
  const pendingId = idOf(pending);
  const open = begin(s["left open"]);
  const worker = workerBlock();
  memory.block(worker);
  perfetto.block(worker);
  const report = shutdown();
  end(open);
  endAsync(pending);
  return { events: memory.events(), bytes: perfetto.bytes(), report, pendingId, worker };
}

describe("readPerfetto", () => {
  for (const compress of [false, true]) {
    test(`reads spanfn's trace back as the run's events${compress ? " (compressed)" : ""}`, async () => {
      const { events, bytes, report, pendingId, worker } = await run(compress);
      const calls = await read(file(bytes));
      const us = (ms: number, origin: number) => (origin - ORIGIN + ms) * 1000;
      const close = (value: unknown, expected: number) => Math.abs((value as number) - expected) < 0.002;
      // What the Chrome trace would say, from the in-memory events.
      const expected: unknown[][] = [];
      for (const e of events) {
        const thread = `${PID}:${PID + e.thread}`;
        const ts = us(e.time, e.thread === 0 ? ORIGIN : worker.clock.timeOrigin);
        const at = { target: e.target, file: e.file, line: e.line };
        if (e.kind === "thread-begin") expected.push(["threadBegin", thread, ts, e.name, e.parentId > 0 ? { ...at, parent: e.parentId } : at]);
        if (e.kind === "thread-end") expected.push(["threadEnd", thread, ts, false]);
        if (e.kind === "async-begin")
          expected.push(["asyncBegin", `${PID}:${e.spanId}`, thread, ts, e.name, e.parentId > 0 ? `${PID}:${e.parentId}` : null, e.parentId > 0 ? { ...at, parent: e.parentId } : at]);
        if (e.kind === "async-end") expected.push(["asyncEnd", `${PID}:${e.spanId}`, ts, e.outcome]);
      }
      const atUs = us(report.at, report.clock.timeOrigin);
      expected.push(["asyncEnd", `${PID}:${pendingId}`, atUs, "unfinished"], ["threadEnd", `${PID}:${PID}`, atUs, true]);
      const spans = calls.filter((c) => c[0] !== "threadName" && c[0] !== "report");
      // Per thread, in order (threads' blocks interleave as they arrived).
      const byThread = (list: unknown[][]) => [...list].sort((a, b) => String(threadOf(a)).localeCompare(String(threadOf(b))));
      const threadOf = (c: unknown[]) => (c[0] === "asyncBegin" ? c[2] : c[0] === "asyncEnd" ? String(c[1]).endsWith(`${2 ** 32 + 1}`) ? `${PID}:${PID + 1}` : `${PID}:${PID}` : c[1]);
      const actual = byThread(spans);
      const wanted = byThread(expected);
      expect(actual.map((c) => c.filter((v) => typeof v !== "number"))).toEqual(wanted.map((c) => c.filter((v) => typeof v !== "number")));
      actual.forEach((c, n) => {
        const ts = c[0] === "asyncBegin" ? 3 : 2;
        if (!close(c[ts], wanted[n][ts] as number)) throw new Error(`${c[0]} ${c[1]} at ${c[ts]} µs, expected ${wanted[n][ts]}`);
      });
      expect(calls.filter((c) => c[0] === "threadName")).toEqual([
        ["threadName", `${PID}:${PID + 1}`, "worker 1"],
        ["threadName", `${PID}:${PID}`, "main"],
      ]);
      expect(calls.at(-1)).toEqual([
        "report",
        { droppedSpans: 0, lostEvents: 0, lostEnds: 0, earlySpans: 0, sinkErrors: 0, unfinished: ["pending", "left open"], promiseReturningSync: [], demoted: [] },
      ]);
    });
  }

  test("a trace of many blocks, read in many chunks, gives every span in order", async () => {
    const metadata: SpanMetadata[] = Array.from({ length: 300 }, (_, i) => ({ name: `f${i}`, target: "t", file: `m${i % 7}.ts`, line: i, level: 2 }));
    const blocks: EventBlock[] = [];
    let tick = 1;
    for (let b = 0; b < 20; b++) {
      const data: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const site = (i * 7919 + b) % 300;
        data.push(site * 16 + 1, (tick += 0.0007));
        data.push(((site + 1) % 300) * 16 + 0, (tick += 0.0003), (tick += 0.0011));
        data.push(site * 16 + 2, (tick += 0.0002));
      }
      const array = Float64Array.from(data);
      blocks.push({ thread: { id: 0, name: "main" }, clock: { timeOrigin: ORIGIN, tickUnitNs: 1e6 }, metadata, data: array, length: array.length, sequence: b });
    }
    for (const compress of [undefined, (b: Uint8Array) => gzipSync(b)]) {
      const chunks: Uint8Array[] = [];
      const writer = new PerfettoTraceWriter((chunk) => chunks.push(chunk), compress ? { compress } : {});
      writer.start({ pid: 77, clock: { timeOrigin: ORIGIN, tickUnitNs: 1e6 } });
      for (const block of blocks) writer.block(block);
      const bytes = Buffer.concat(chunks);
      // Larger than a read stream's chunk (64 KiB), so packets straddle chunks.
      expect(bytes.length).toBeGreaterThan(compress ? 65_536 : 1_000_000);
      const calls = (await read(file(bytes))).filter((c) => c[0] !== "threadName");
      const events = blocks.flatMap((block) => decodeBlock(block));
      expect(calls).toHaveLength(events.length);
      calls.forEach((c, n) => {
        const e = events[n];
        const ok =
          e.kind === "thread-begin"
            ? c[0] === "threadBegin" && c[3] === e.name && Math.abs((c[2] as number) - e.time * 1000) < 0.002
            : c[0] === "threadEnd" && Math.abs((c[2] as number) - e.time * 1000) < 0.002;
        if (!ok) throw new Error(`call ${n}: ${JSON.stringify(c)} for ${e.kind} ${e.name} at ${e.time * 1000}`);
      });
    }
  });

  test("a TrackEvent trace of another producer: absolute times, names inline or interned, async tracks", async () => {
    const root = protobuf.loadSync(join(__dirname, "../../tracing/test/fixtures/perfetto/perfetto_trace.proto"));
    const Trace = root.lookupType("perfetto.protos.Trace");
    const packet = (fields: Record<string, unknown>) => ({ trustedPacketSequenceId: 5, ...fields });
    const trace = Trace.fromObject({
      packet: [
        packet({ trackDescriptor: { uuid: 100, process: { pid: 9, processName: "other" } } }),
        packet({ trackDescriptor: { uuid: 101, parentUuid: 100, thread: { pid: 9, tid: 12, threadName: "io" } } }),
        packet({ trackDescriptor: { uuid: "18446744073709551615", parentUuid: 100, name: "requests" } }),
        packet({ timestamp: 5000, sequenceFlags: 1, internedData: { eventNames: [{ iid: 1, name: "interned" }] }, trackEvent: { type: 1, trackUuid: 101, nameIid: 1, debugAnnotations: [{ name: "n", intValue: -3 }] } }),
        packet({ timestamp: 6000, trackEvent: { type: 1, trackUuid: 101, name: "inline" } }),
        packet({ timestamp: 7000, trackEvent: { type: 2, trackUuid: 101 } }),
        packet({ timestamp: 8000, trackEvent: { type: 1, trackUuid: "18446744073709551615", name: "req" } }),
        packet({ timestamp: 8500, trackEvent: { type: 1, trackUuid: "18446744073709551615", name: "sub" } }),
        packet({ timestamp: 9000, trackEvent: { type: 2, trackUuid: "18446744073709551615" } }),
        packet({ timestamp: 9500, trackEvent: { type: 2, trackUuid: "18446744073709551615" } }),
        packet({ timestamp: 10000, trackEvent: { type: 1, trackUuid: "18446744073709551615", name: "req" } }),
        packet({ timestamp: 12000, trackEvent: { type: 2, trackUuid: "18446744073709551615" } }),
        packet({ timestamp: 13000, trackEvent: { type: 2, trackUuid: 101 } }),
      ],
    });
    const calls = await read(file(Trace.encode(trace).finish()));
    const big = "18446744073709551615";
    expect(calls).toEqual([
      ["threadName", "9:12", "io"],
      ["threadBegin", "9:12", 5, "interned", { n: -3 }],
      ["threadBegin", "9:12", 6, "inline", undefined],
      ["threadEnd", "9:12", 7, false],
      ["asyncBegin", `9:${big}`, "9:0", 8, "req", null, undefined],
      ["asyncBegin", `9:${big}#1`, "9:0", 8.5, "sub", `9:${big}`, undefined],
      ["asyncEnd", `9:${big}#1`, 9, ""],
      ["asyncEnd", `9:${big}`, 9.5, ""],
      ["asyncBegin", `9:${big}#2`, "9:0", 10, "req", null, undefined],
      ["asyncEnd", `9:${big}#2`, 12, ""],
      ["threadEnd", "9:12", 13, false],
    ]);
  });

  test("a file cut short reads up to its last whole packet; a file that is not a trace is an error naming it", async () => {
    const chunks: Uint8Array[] = [];
    const writer = new PerfettoTraceWriter((chunk) => chunks.push(chunk));
    writer.start({ pid: 5, clock: { timeOrigin: ORIGIN, tickUnitNs: 1e6 } });
    const block = workerBlock();
    writer.block(block);
    const whole = Buffer.concat(chunks);
    const complete = await read(file(whole));
    // The last packet (the end of `work`: 12 bytes) cut anywhere, its header included.
    for (let cut = 1; cut < 12; cut++) expect(await read(file(whole.subarray(0, whole.length - cut)))).toEqual(complete.slice(0, -1));
    expect(await read(file(whole.subarray(0, whole.length - 12)))).toEqual(complete.slice(0, -1));
    expect(await read(file(whole.subarray(0, whole.length - 13)))).not.toEqual(complete.slice(0, -1));

    const json = join(scratch, "trace.json");
    writeFileSync(json, '[{"ph":"B","pid":1,"tid":0,"ts":1,"name":"a"}]');
    await expect(read(json)).rejects.toThrow(`${json} is not a readable Perfetto trace`);
    // What the visitor throws is its own, not a corrupt file.
    const path = file(whole);
    const failing: TraceEventVisitor = {
      threadBegin: () => {
        throw new TypeError("visitor broke");
      },
      threadEnd: () => {},
      asyncBegin: () => {},
      asyncEnd: () => {},
    };
    await expect(readPerfetto(path, failing)).rejects.toThrow(new TypeError("visitor broke"));
  });
});
