/**
 * Perfetto protobuf output, read back with Perfetto's own schema (the vendored merged
 * `perfetto_trace.proto`) through protobufjs, and replayed the way the trace processor reads it
 * (sequences, incremental state, interning, the incremental clock, compressed packets), then
 * compared with the in-memory events of the same run.
 */
import { describe, expect, test } from "@jest/globals";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { deflateSync, inflateSync } from "node:zlib";
import protobuf from "protobufjs";
import {
  begin,
  beginAsync,
  clockInfo,
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
  type RuntimeReport,
  type SpanEvent,
  type SpanMetadata,
} from "../src/index.js";
import { idOf, sites } from "./helpers.js";
import { asyncTrackUuid, threadTrackUuid } from "../src/sinks/perfetto.js";

const root = protobuf.loadSync(join(__dirname, "fixtures/perfetto/perfetto_trace.proto"));
const Trace = root.lookupType("perfetto.protos.Trace");

type Obj = Record<string, any>;

interface ReplayedEvent {
  sequence: number;
  type: number;
  track: number;
  /** Nanoseconds since the epoch. */
  ns: bigint;
  name?: string;
  file?: string;
  line?: number;
  category?: string;
  annotations: Record<string, unknown>;
  /** `flow_ids` and `terminating_flow_ids`, where the event has any. */
  flows?: number[];
  terminatingFlows?: number[];
}

interface Replay {
  packets: Obj[];
  tracks: Map<number, Obj>;
  events: ReplayedEvent[];
  compressedBundles: number;
}

/** Decodes a trace with the official schema and replays it with the importer's rules. */
function replay(bytes: Uint8Array): Replay {
  const decode = (data: Uint8Array): Obj[] =>
    (Trace.toObject(Trace.decode(data), { longs: String, enums: Number, bytes: Array }) as Obj).packet ?? [];
  const packets: Obj[] = [];
  let compressedBundles = 0;
  for (const packet of decode(bytes)) {
    if (packet.compressedPackets !== undefined) {
      expect(Object.keys(packet)).toEqual(["compressedPackets"]);
      compressedBundles++;
      packets.push(...decode(inflateSync(Uint8Array.from(packet.compressedPackets))));
    } else packets.push(packet);
  }
  interface Sequence {
    valid: boolean;
    defaults: Obj;
    clockZero: bigint;
    last: bigint;
    names: Map<number, string>;
    locations: Map<number, Obj>;
    categories: Map<number, string>;
    annotationNames: Map<number, string>;
    strings: Map<number, string>;
  }
  const sequences = new Map<number, Sequence>();
  const tracks = new Map<number, Obj>();
  const events: ReplayedEvent[] = [];
  for (const packet of packets) {
    const id = packet.trustedPacketSequenceId as number;
    // Everything spanfn writes is on a sequence: interning and the sequence clock need one.
    if (!(id > 0)) throw new Error("a packet without a sequence");
    let seq = sequences.get(id);
    if (packet.sequenceFlags & 1) {
      seq = {
        valid: true,
        defaults: {},
        clockZero: 0n,
        last: 0n,
        names: new Map(),
        locations: new Map(),
        categories: new Map(),
        annotationNames: new Map(),
        strings: new Map(),
      };
      sequences.set(id, seq);
    }
    if (seq === undefined) throw new Error(`packet on sequence ${id} before its incremental state was cleared`);
    if (packet.tracePacketDefaults) seq.defaults = packet.tracePacketDefaults;
    const interned = packet.internedData;
    if (interned) {
      for (const n of interned.eventNames ?? []) seq.names.set(Number(n.iid), n.name);
      for (const l of interned.sourceLocations ?? []) seq.locations.set(Number(l.iid), l);
      for (const c of interned.eventCategories ?? []) seq.categories.set(Number(c.iid), c.name);
      for (const n of interned.debugAnnotationNames ?? []) seq.annotationNames.set(Number(n.iid), n.name);
      for (const s of interned.debugAnnotationStringValues ?? []) seq.strings.set(Number(s.iid), Buffer.from(s.str).toString());
    }
    if (packet.clockSnapshot) {
      const clocks = packet.clockSnapshot.clocks as Obj[];
      // REALTIME is the trace's clock, said once by the first packet.
      expect(packet.clockSnapshot.primaryTraceClock).toBe(packets.indexOf(packet) === 0 ? 1 : undefined);
      const real = clocks.find((c) => c.clockId === 1)!;
      const own = clocks.find((c) => c.clockId === 64)!;
      expect(own.isIncremental).toBe(true);
      expect(own.unitMultiplierNs ?? "1").toBe("1");
      seq.clockZero = BigInt(real.timestamp) - BigInt(own.timestamp ?? 0);
      seq.last = BigInt(own.timestamp ?? 0);
      continue;
    }
    if (packet.trackDescriptor) {
      const uuid = Number(packet.trackDescriptor.uuid);
      tracks.set(uuid, { ...tracks.get(uuid), ...packet.trackDescriptor });
    }
    if (packet.timestamp !== undefined) {
      if (seq.defaults.timestampClockId !== 64) throw new Error("a timestamp not on the sequence clock");
      seq.last += BigInt(packet.timestamp);
    }
    const te = packet.trackEvent;
    if (te === undefined) continue;
    const annotations: Record<string, unknown> = {};
    for (const a of te.debugAnnotations ?? []) {
      const name = a.name ?? seq.annotationNames.get(Number(a.nameIid));
      annotations[name] =
        a.stringValueIid !== undefined ? seq.strings.get(Number(a.stringValueIid)) : (a.stringValue ?? a.boolValue ?? (a.uintValue !== undefined ? Number(a.uintValue) : undefined));
    }
    const location = te.sourceLocationIid !== undefined ? seq.locations.get(Number(te.sourceLocationIid)) : undefined;
    if (te.sourceLocationIid !== undefined && location === undefined) throw new Error(`source location ${te.sourceLocationIid} not interned`);
    if (te.nameIid !== undefined && !seq.names.has(Number(te.nameIid))) throw new Error(`name ${te.nameIid} not interned`);
    events.push({
      sequence: id,
      type: te.type,
      track: Number(te.trackUuid ?? seq.defaults.trackEventDefaults?.trackUuid),
      ns: seq.clockZero + seq.last,
      ...(te.nameIid !== undefined ? { name: seq.names.get(Number(te.nameIid)) } : te.name !== undefined ? { name: te.name } : {}),
      ...(location ? { file: location.fileName, line: location.lineNumber } : {}),
      ...(te.categoryIids ? { category: seq.categories.get(Number(te.categoryIids[0])) } : {}),
      annotations,
      ...(te.flowIds ? { flows: (te.flowIds as string[]).map(Number) } : {}),
      ...(te.terminatingFlowIds ? { terminatingFlows: (te.terminatingFlowIds as string[]).map(Number) } : {}),
    });
  }
  return { packets, tracks, events, compressedBundles };
}

const s = sites(["outer", "inner", "sibling", "fetch", "child", "inside", "left open", "pending", `${"ünïcödé ".repeat(20)}long`]);
const longName = `${"ünïcödé ".repeat(20)}long`;

const epochNs = (ms: number): bigint => {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
};

/** A block of another thread, written by hand: its own id, name, clock and site table. */
function workerBlock(): EventBlock {
  const metadata: SpanMetadata[] = [
    { name: "work", target: "worker/main", file: "worker.ts", line: 7, level: 2 },
    { name: "step", target: "worker/main", file: "worker.ts", line: 9, level: 2 },
  ];
  // work [1 → 5 ms] contains step [2 → 3 ms] (a complete record), then an async span 2^32 + 1.
  const data = Float64Array.from([0 * 16 + 1, 1, 1 * 16 + 0, 2, 3, 0 * 16 + 2, 5, 1 * 16 + 3, 6, 2 ** 32 + 1, 0, 1, 1 * 16 + 5, 7.5, 2 ** 32 + 1]);
  return {
    thread: { id: 1, name: "worker 1" },
    clock: { timeOrigin: performance.timeOrigin + 250.5, tickUnitNs: 1e6 },
    metadata,
    data,
    length: data.length,
    sequence: 0,
  };
}

async function record(options: ConstructorParameters<typeof PerfettoTraceSink>[0]) {
  // Ends left over from an earlier run (recorded after its shutdown) go elsewhere.
  setSink(new InMemorySink());
  flush();
  const memory = new InMemorySink();
  const perfetto = new PerfettoTraceSink(options);
  setSink(new TeeSink([memory, perfetto]));
  const outer = begin(s.outer);
  end(begin(s.inner));
  end(begin(s.sibling));
  end(begin(s[longName as keyof typeof s]));
  end(outer);
  const fetch = beginAsync(s.fetch);
  const fetchId = idOf(fetch);
  end(begin(s.inside));
  const child = beginAsync(s.child);
  const childId = idOf(child);
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
  return { memory: memory.events(), report, bytes: perfetto.bytes(), fetchId, childId, pendingId, worker };
}

/** `name@depth` of each slice begun on a track, in order, from SLICE_BEGIN / SLICE_END. */
function slicesOn(events: readonly ReplayedEvent[], track: number): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const e of events) {
    if (e.track !== track) continue;
    if (e.type === 1) out.push(`${e.name}@${depth++}`);
    if (e.type === 2) depth--;
  }
  expect(depth).toBe(0);
  return out;
}

describe("Perfetto trace output", () => {
  for (const compress of [false, true]) {
    test(`decodes with Perfetto's schema into the run's tracks, slices, names, locations, parents and outcomes${compress ? " (compressed)" : ""}`, async () => {
      const run = await record({ processName: "unit", ...(compress ? { compress: (b: Uint8Array) => deflateSync(b) } : {}) });
      const { packets, tracks, events, compressedBundles } = replay(run.bytes);
      if (compress) expect(compressedBundles).toBeGreaterThan(0);
      else expect(compressedBundles).toBe(0);
      // Each sequence clears its state once, on its first packet.
      const cleared = packets.filter((p) => p.sequenceFlags & 1).map((p) => p.trustedPacketSequenceId);
      expect(cleared.sort()).toEqual([1, 2, 3]);

      const main = run.memory.filter((e) => e.thread === 0);
      const workerEvents = run.memory.filter((e) => e.thread === 1);
      // Process and thread tracks: pid 0 (no process here) gets a stand-in, tids are pid + thread id.
      const processTrack = tracks.get(3)!;
      const pid = processTrack.process.pid as number;
      expect(pid).toBeGreaterThan(0);
      expect(processTrack.process.processName).toBe("unit");
      expect(tracks.get(2)!.thread).toEqual({ pid, tid: String(pid), threadName: "main" });
      expect(tracks.get(6)!.thread).toEqual({ pid, tid: String(pid + 1), threadName: "worker 1" });

      // Thread spans: the same names, nesting and times on each thread's track (its sequence default).
      const onThread = (thread: number, list: SpanEvent[]) => {
        const track = thread * 4 + 2;
        const mine = events.filter((e) => e.track === track && e.sequence === thread + 2);
        const expected: string[] = [];
        let depth = 0;
        for (const e of list) {
          if (e.kind === "thread-begin") expected.push(`${e.name}@${depth++}`);
          if (e.kind === "thread-end") depth--;
        }
        const fromMemory = list.filter((e) => e.kind === "thread-begin" || e.kind === "thread-end");
        expect(mine).toHaveLength(fromMemory.length);
        mine.forEach((e, n) => {
          const m = fromMemory[n];
          expect(e.type).toBe(m.kind === "thread-begin" ? 1 : 2);
          // Exact to the nanosecond on the thread's own clock.
          expect(e.ns).toBe(epochNs(list === main ? performance.timeOrigin : run.worker.clock.timeOrigin) + BigInt(Math.round(m.time * 1e6)));
          if (m.kind === "thread-begin") {
            expect({ name: e.name, file: e.file, line: e.line, category: e.category }).toEqual({ name: m.name, file: m.file, line: m.line, category: m.target });
            expect(e.annotations.parent ?? 0).toBe(Math.max(0, m.parentId));
          }
        });
        return expected;
      };
      const mainSlices = onThread(0, main);
      expect(mainSlices).toEqual(["outer@0", "inner@1", "sibling@1", `${longName}@1`, "inside@0", "left open@0"]);
      expect(slicesOn(events, 2)).toEqual(mainSlices);
      expect(onThread(1, workerEvents)).toEqual(["work@0", "step@1"]);
      // A thread span begun inside an async span names it.
      expect(events.find((e) => e.name === "inside")!.annotations).toEqual({ parent: run.fetchId });

      // Async spans: a track each, child of the parent span's track (roots: the process's).
      const asyncBegins = run.memory.filter((e) => e.kind === "async-begin");
      expect(asyncBegins.map((e) => e.name).sort()).toEqual(["child", "fetch", "pending", "step"]);
      for (const m of asyncBegins) {
        const uuid = m.spanId * 4 + 1;
        expect(Number(tracks.get(uuid)!.parentUuid)).toBe(m.parentId > 0 ? m.parentId * 4 + 1 : 3);
        const [b, ...rest] = events.filter((e) => e.track === uuid);
        expect(b).toMatchObject({ type: 1, name: m.name, file: m.file, line: m.line, category: m.target, sequence: m.thread + 2 });
        expect(b.annotations).toEqual(m.parentId > 0 ? { id: m.spanId, parent: m.parentId } : { id: m.spanId });
        expect(b.ns).toBe(epochNs(m.thread === 0 ? performance.timeOrigin : run.worker.clock.timeOrigin) + BigInt(Math.round(m.time * 1e6)));
        const endEvent = run.memory.find((e) => e.kind === "async-end" && e.spanId === m.spanId);
        expect(rest).toHaveLength(1);
        expect(rest[0].type).toBe(2);
        expect(rest[0].annotations).toEqual({ outcome: endEvent?.outcome ?? "unfinished" });
        if (endEvent) expect(rest[0].ns - b.ns).toBe(BigInt(Math.round(endEvent.time * 1e6)) - BigInt(Math.round(m.time * 1e6)));
      }
      expect(Number(tracks.get(run.childId * 4 + 1)!.parentUuid)).toBe(run.fetchId * 4 + 1);
      expect(run.memory.find((e) => e.spanId === run.childId && e.kind === "async-end")!.outcome).toBe("rejected");

      // What the report closes: the open thread span and the pending async span, at the report's time.
      const atNs = epochNs(run.report.clock.timeOrigin + run.report.at);
      const closing = events.filter((e) => e.sequence === 1 && e.type === 2);
      expect(closing.map((e) => [e.track, e.annotations])).toEqual([
        [run.pendingId * 4 + 1, { outcome: "unfinished" }],
        [2, { unfinished: true }],
      ]);
      for (const e of closing) expect(Number(e.ns - atNs)).toBeLessThanOrEqual(1000);

      // The report, as the Chrome trace records it.
      const reportEvent = events.find((e) => e.name === "spanfn_report")!;
      expect(reportEvent).toMatchObject({ type: 3, track: 3, sequence: 1 });
      expect(JSON.parse(reportEvent.annotations.report as string)).toEqual({
        droppedSpans: 0,
        lostEvents: 0,
        lostEnds: 0,
        earlySpans: 0,
        sinkErrors: 0,
        unfinished: ["pending", "left open"],
        promiseReturningSync: [],
        demoted: [],
      });
    });
  }

  test("a report names demoted sites and problems, and closes spans of a thread it never saw", () => {
    const chunks: Uint8Array[] = [];
    const writer = new PerfettoTraceWriter((chunk) => chunks.push(chunk));
    const clock = clockInfo();
    writer.start({ pid: 4242, clock });
    const report: RuntimeReport = {
      droppedSpans: 3,
      lostEvents: 4,
      lostEnds: 1,
      earlySpans: 2,
      sinkErrors: 1,
      unfinished: [{ kind: "thread", name: "stuck", file: "w.ts", line: 3, thread: { id: 2, name: "worker 2" }, metadataId: 0, spanId: 0, parentId: 0, depth: 0 }],
      promiseReturningSync: [{ name: "load", file: "a.ts", line: 4 }],
      atExit: true,
      demoted: [{ name: "tiny", file: "t.ts", line: 1, calls: 900, recorded: 200, thread: { id: 0, name: "main" } }],
      at: 10,
      clock,
    };
    writer.finish(report);
    const { tracks, events } = replay(Buffer.concat(chunks));
    expect(tracks.get(3)!.process).toEqual({ pid: 4242, processName: "spanfn 4242" });
    expect(tracks.get(2 * 4 + 2)!.thread).toEqual({ pid: 4242, tid: String(4244), threadName: "worker 2" });
    expect(events.map((e) => [e.type, e.track, e.ns - epochNs(clock.timeOrigin)])).toEqual([
      [2, 10, 10_000_000n],
      [3, 3, 10_000_000n],
    ]);
    expect(JSON.parse(events[1].annotations.report as string)).toEqual({
      droppedSpans: 3,
      lostEvents: 4,
      lostEnds: 1,
      earlySpans: 2,
      sinkErrors: 1,
      unfinished: ["stuck"],
      promiseReturningSync: ["load (a.ts:4)"],
      demoted: [{ name: "tiny", file: "t.ts", line: 1, tid: 0, calls: 900, recorded: 200 }],
    });
    expect(() => new PerfettoTraceWriter(() => {}).block(workerBlock())).toThrow(/start\(\) must come before block\(\)/);
  });

  test("many short nested spans over a few hundred sites take at most 16 bytes a span, compressed", () => {
    const { block, spans } = generatedBlock(30_000, 300);
    const measure = (compress?: (b: Uint8Array) => Uint8Array) => {
      const chunks: Uint8Array[] = [];
      const writer = new PerfettoTraceWriter((chunk) => chunks.push(chunk), compress ? { compress } : {});
      writer.start({ pid: 1, clock: block.clock });
      const before = chunks.reduce((n, c) => n + c.length, 0);
      writer.block(block);
      return { bytes: chunks.reduce((n, c) => n + c.length, 0) - before, trace: Buffer.concat(chunks) };
    };
    const compressed = measure((b) => deflateSync(b));
    expect(compressed.bytes / spans).toBeLessThanOrEqual(16);
    // The same spans are all there.
    const { events } = replay(compressed.trace);
    expect(events.filter((e) => e.type === 1)).toHaveLength(spans);
    expect(events.filter((e) => e.type === 2)).toHaveLength(spans);
    // Uncompressed, the packets' framing alone is more than that: compression is what meets it.
    expect(measure().bytes / spans).toBeGreaterThan(16);
  });

  test("a worker's first root span ends a flow that starts where the worker was created; an async creator is its roots' parent", () => {
    // A real program (the built package): workers created in a thread span, in an async span, and at the root.
    const result = spawnSync(process.execPath, [join(__dirname, "programs/worker-links.mjs")], { encoding: "utf8", timeout: 15000 });
    expect(result.stderr).toBe("");
    const { perfetto } = JSON.parse(result.stdout) as { perfetto: string };
    const { events } = replay(Buffer.from(perfetto, "base64"));
    const starter = events.find((e) => e.type === 1 && e.name === "starts worker")!;
    const awaiter = events.find((e) => e.type === 1 && e.name === "awaits worker")!;
    const tasks = events.filter((e) => e.type === 1 && e.name === "task").sort((a, b) => a.track - b.track);
    expect(tasks).toHaveLength(3);
    const [first, second, third] = tasks;
    const workerOf = (task: ReplayedEvent) => (task.track - threadTrackUuid(0)) / 4;
    // Where each worker was created: an instant on the creating span's track, starting a flow.
    const starts = events.filter((e) => e.flows !== undefined);
    expect(starts.map((e) => [e.type, e.track, e.name, e.flows])).toEqual([
      [3, threadTrackUuid(0), `worker ${workerOf(first)}`, [workerOf(first)]],
      [3, asyncTrackUuid(awaiter.annotations.id as number), `worker ${workerOf(second)}`, [workerOf(second)]],
    ]);
    // Inside the thread span that created the first worker: the slice open on its track then.
    const mainTrack = events.filter((e) => e.track === threadTrackUuid(0));
    const open: string[] = [];
    for (const e of mainTrack.slice(0, mainTrack.indexOf(starts[0]))) {
      if (e.type === 1) open.push(e.name!);
      if (e.type === 2) open.pop();
    }
    expect(open).toEqual(["starts worker"]);
    expect(starts[0].ns).toBeGreaterThanOrEqual(starter.ns);
    // Each flow ends at the worker's root span; the third worker has none.
    expect(events.filter((e) => e.terminatingFlows !== undefined)).toEqual([first, second]);
    expect(first.terminatingFlows).toEqual([workerOf(first)]);
    expect(second.terminatingFlows).toEqual([workerOf(second)]);
    expect(third.flows ?? third.terminatingFlows).toBeUndefined();
    expect(first.annotations.parent).toBeUndefined();
    expect(second.annotations.parent).toBe(awaiter.annotations.id);
  });
});

/**
 * One thread's block of `spans` thread spans over `siteCount` sites: call trees a few levels
 * deep, leaves written as complete records (as the runtime writes most spans), durations from a
 * few hundred nanoseconds to tens of microseconds. Seeded, so every run measures the same trace.
 */
export function generatedBlock(spans: number, siteCount: number): { block: EventBlock; spans: number } {
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const metadata: SpanMetadata[] = Array.from({ length: siteCount }, (_, i) => ({
    name: `module${i % 17}::function${i}`,
    target: `src/module${i % 17}`,
    file: `src/module${i % 17}.ts`,
    line: 10 + i,
    level: 2,
  }));
  const data: number[] = [];
  let tick = 1000;
  let written = 0;
  const span = (depth: number) => {
    const site = Math.floor(random() ** 2 * siteCount);
    written++;
    const children = depth < 4 && random() < 0.45 ? 1 + Math.floor(random() * 4) : 0;
    if (children === 0) {
      const begin = tick;
      tick += (200 + random() * random() * 40_000) / 1e6;
      data.push(site * 16 + 0, begin, tick);
    } else {
      data.push(site * 16 + 1, tick);
      for (let c = 0; c < children && written < spans; c++) {
        tick += (50 + random() * 2000) / 1e6;
        span(depth + 1);
      }
      tick += (50 + random() * 2000) / 1e6;
      data.push(site * 16 + 2, tick);
    }
    tick += (20 + random() * 500) / 1e6;
  };
  while (written < spans) span(0);
  const array = Float64Array.from(data);
  return {
    block: { thread: { id: 0, name: "main" }, clock: clockInfo(), metadata, data: array, length: array.length, sequence: 0 },
    spans: written,
  };
}
