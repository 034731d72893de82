import { afterEach, describe, expect, test } from "@jest/globals";
import { begin, beginAsync, configure, end, endAsync, flush, registerSpans, setSink, shutdown } from "@spanfn/tracing";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { FinishedSpan } from "../src/assemble.js";
import { ExportPipeline, isRetryable } from "../src/pipeline.js";
import { OtelSink } from "../src/sink.js";
import { readAttemptTimeout, readPipelineOptions } from "../src/settings.js";
import { resolveHeaders, resolveProtocol, resolveUrl } from "../src/exporter.js";
import { ReachableExporter } from "../src/reachable.js";
import { createServer, type AddressInfo, type Server } from "node:net";
import { hrTimeToNanosString, millisToHrTime, tickToHrTime } from "../src/time.js";

/** Epoch nanoseconds of origin + tick (both ms), computed with integers only. */
function referenceNs(origin: number, tick: number): bigint {
  const part = (ms: number) => BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms - Math.floor(ms)) * 1e6));
  return part(origin) + part(tick);
}

describe("time", () => {
  test("ticks become epoch nanoseconds with no float holding the sum", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const origin = 1.7e12 + random() * 1e11 + Math.round(random() * 1000) / 1000;
      const tick = random() * 1e7;
      const got = BigInt(hrTimeToNanosString(tickToHrTime(millisToHrTime(origin), tick)));
      const want = referenceNs(origin, tick);
      // Rounding each part once can differ from rounding their exact sum by one nanosecond.
      expect(got - want <= 1n && want - got <= 1n).toBe(true);
    }
    expect(tickToHrTime(millisToHrTime(1000.9999995), 0.0000005)).toEqual([1, 1_000_000]);
  });
});

class FakeExporter implements SpanExporter {
  readonly batches: ReadableSpan[][] = [];
  /** Results to give, in order: "ok", an HTTP status, "refused", "throw", or "hang". */
  readonly script: Array<"ok" | number | "refused" | "throw" | "hang"> = [];
  export(spans: ReadableSpan[], done: (result: { code: number; error?: Error }) => void): void {
    const next = this.script.shift() ?? "ok";
    if (next === "throw") throw new Error("exporter bug");
    if (next === "hang") return;
    if (next === "ok") {
      this.batches.push(spans);
      done({ code: 0 });
    } else if (next === "refused") done({ code: 1, error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    else done({ code: 1, error: Object.assign(new Error(`HTTP ${next}`), { code: next }) });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function fakeSpan(name: string): FinishedSpan {
  return {
    name,
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    parentSpanId: undefined,
    parentIsRemote: false,
    traceFlags: 1,
    traceState: undefined,
    start: [1, 0],
    end: [2, 0],
    kind: "thread",
    outcome: undefined,
    target: "",
    file: "f.ts",
    line: 1,
    threadId: 0,
    threadName: "main",
  };
}

const toReadable = (s: FinishedSpan) => ({ name: s.name }) as unknown as ReadableSpan;
const fast = {
  maxQueueSize: 4,
  maxExportBatchSize: 2,
  scheduledDelayMillis: 10,
  exportTimeoutMillis: 2000,
  maxAttempts: 3,
  initialBackoffMillis: 5,
  maxBackoffMillis: 20,
};

async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(test()).toBe(true);
}

describe("export pipeline", () => {
  test("a full queue drops new spans and counts them", async () => {
    const exporter = new FakeExporter();
    exporter.script.push("hang");
    const pipeline = new ExportPipeline(exporter, toReadable, fast);
    for (let i = 0; i < 8; i++) pipeline.push(fakeSpan(`s${i}`));
    // Two went out in a batch that hangs; four wait; two found no room.
    expect(pipeline.snapshot()).toMatchObject({ droppedQueueFull: 2, pending: 6 });
    pipeline.takeQueued();
  });

  test("429/5xx and refused connections are retried with back-off; then the batch goes through", async () => {
    const exporter = new FakeExporter();
    exporter.script.push(503, "refused", "ok");
    const failures: boolean[] = [];
    const pipeline = new ExportPipeline(exporter, toReadable, fast, (_e, retry) => failures.push(retry));
    pipeline.push(fakeSpan("a"));
    pipeline.push(fakeSpan("b"));
    await until(() => pipeline.snapshot().pending === 0);
    expect(exporter.batches.map((b) => b.map((s) => s.name))).toEqual([["a", "b"]]);
    expect(pipeline.snapshot()).toMatchObject({ exported: 2, failed: 0, retries: 2, pending: 0 });
    expect(failures).toEqual([true, true]);
  });

  test("a 400 is final; an exporter that throws is contained; attempts are capped", async () => {
    const exporter = new FakeExporter();
    exporter.script.push(400, "throw", 500, 500);
    const pipeline = new ExportPipeline(exporter, toReadable, { ...fast, maxAttempts: 2 });
    for (const name of ["a", "b", "c", "d"]) pipeline.push(fakeSpan(name));
    await until(() => pipeline.snapshot().pending === 0);
    // a+b: 400, no retry. c+d: throw (retryable: no status), then 500 with attempts used up.
    expect(pipeline.snapshot()).toMatchObject({ exported: 0, failed: 4, retries: 1 });
    expect(isRetryable(Object.assign(new Error(), { code: 404 }))).toBe(false);
    expect(isRetryable(Object.assign(new Error(), { code: 429 }))).toBe(true);
  });

  test("while a flush waits (the program is ending), an unreachable collector is not retried", async () => {
    const exporter = new FakeExporter();
    exporter.script.push("refused", "ok");
    const pipeline = new ExportPipeline(exporter, toReadable, fast);
    pipeline.push(fakeSpan("a"));
    expect(await pipeline.flush(1000)).toBe(true);
    expect(pipeline.snapshot()).toMatchObject({ exported: 0, failed: 1, retries: 0 });
    expect(pipeline.failing).toBe(true);
  });

  test("maxConcurrentExports: that many batches in flight at once; a producer holding spans back is told when room frees", async () => {
    const pending: Array<() => void> = [];
    const exporter = {
      batches: 0,
      export(_spans: ReadableSpan[], done: (result: { code: number }) => void) {
        this.batches++;
        pending.push(() => done({ code: 0 }));
      },
      shutdown: () => Promise.resolve(),
    };
    let room = 0;
    const pipeline = new ExportPipeline(exporter, toReadable, { ...fast, maxQueueSize: 8, maxConcurrentExports: 2 }, undefined, () => room++);
    for (let i = 0; i < 8; i++) pipeline.push(fakeSpan(`s${i}`));
    expect(exporter.batches).toBe(2);
    expect(pipeline.snapshot().pending).toBe(8);
    pending.shift()!();
    await until(() => room === 1 && exporter.batches === 3);
    // Two batches in flight again, two spans queued: the queue's room is what is not queued.
    expect(pipeline.room).toBe(8 - 2);
    while (pending.length > 0 || !pipeline.idle) {
      pending.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(pipeline.snapshot()).toMatchObject({ exported: 8, pending: 0 });
  });

  test("a flush wakes a batch waiting out its back-off; a collector still unreachable then gets no more attempts", async () => {
    const exporter = new FakeExporter();
    exporter.script.push("refused", "refused", "ok", "ok");
    const slow = { ...fast, initialBackoffMillis: 60000, maxBackoffMillis: 60000, exportTimeoutMillis: 600000, maxQueueSize: 8 };
    const pipeline = new ExportPipeline(exporter, toReadable, slow);
    pipeline.push(fakeSpan("a"));
    pipeline.push(fakeSpan("b"));
    await until(() => pipeline.snapshot().retries === 1);
    for (const name of ["c", "d", "e", "f"]) pipeline.push(fakeSpan(name));
    const started = Date.now();
    expect(await pipeline.flush(30000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10000);
    // a+b tried once more (refused); c..f never tried: the script's "ok"s are left unused.
    expect(exporter.script).toEqual(["ok", "ok"]);
    expect(exporter.batches).toEqual([]);
    expect(pipeline.snapshot()).toMatchObject({ exported: 0, failed: 6, pending: 0 });
  });

  test("flush ends at its deadline when the exporter never answers", async () => {
    const exporter = new FakeExporter();
    exporter.script.push("hang");
    const pipeline = new ExportPipeline(exporter, toReadable, { ...fast, exportTimeoutMillis: 60000 });
    pipeline.push(fakeSpan("a"));
    const started = Date.now();
    expect(await pipeline.flush(50)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(pipeline.snapshot().pending).toBe(1);
    pipeline.takeQueued();
  });
});

describe("settings", () => {
  test("options, then OTEL_BSP_* variables, then defaults; bad options are errors, bad variables are skipped", () => {
    expect(readPipelineOptions({ maxQueueSize: 10 }, { OTEL_BSP_MAX_QUEUE_SIZE: "99", OTEL_BSP_SCHEDULE_DELAY: "250" })).toMatchObject({
      maxQueueSize: 10,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 250,
    });
    expect(() => readPipelineOptions({ maxQueueSize: -1 }, {})).toThrow('option "maxQueueSize" must be a positive whole number; got -1');
    expect(readPipelineOptions({}, { OTEL_BSP_EXPORT_TIMEOUT: "soon" }).exportTimeoutMillis).toBe(30000);
    expect(readAttemptTimeout({ OTEL_EXPORTER_OTLP_TIMEOUT: "10000" })).toBe(10000);
    expect(readAttemptTimeout({})).toBe(3000);
  });

  test("the endpoint follows the spec's precedence; non-HTTP endpoints and gRPC are refused clearly", () => {
    expect(resolveUrl(undefined, {})).toBe("http://localhost:4318/v1/traces");
    expect(resolveUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })).toBe("http://c:4318/v1/traces");
    expect(resolveUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t/x" })).toBe("http://t/x");
    expect(resolveUrl("https://o/v1/traces", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t/x" })).toBe("https://o/v1/traces");
    expect(() => resolveUrl("localhost:4317", {})).toThrow(/must be http:\/\/ or https:\/\//);
    expect(() => resolveUrl("not a url", {})).toThrow(/is not a URL/);
    expect(resolveProtocol(undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" })).toBe("http/protobuf");
    expect(resolveProtocol(undefined, {})).toBe("http/json");
    expect(() => resolveProtocol("grpc", {})).toThrow(/"grpc" is not supported/);
    expect(resolveHeaders({ b: "3" }, { OTEL_EXPORTER_OTLP_HEADERS: "a=1,b=2", OTEL_EXPORTER_OTLP_TRACES_HEADERS: "a=x%20y" })).toEqual({ a: "x y", b: "3" });
  });
});

describe("OtelSink in process", () => {
  afterEach(() => setSink(null));

  test("spans open at shutdown are exported ended at the report, marked unfinished; nothing is lost", async () => {
    const exporter = new FakeExporter();
    const sink = new OtelSink({ exporter, scheduledDelayMillis: 10, warn: () => {} });
    configure({ sink, enabled: true });
    const first = registerSpans("t/unit", "/t/unit.ts", [["outer", 1], ["pending", 2], ["done", 3]]);
    const t = begin(first);
    const pending = beginAsync(first + 1);
    const done = beginAsync(first + 2);
    endAsync(done);
    end(t);
    flush();
    shutdown(); // ends what is open and hands it to the sink's queue
    expect(await sink.flush(1000)).toBe(true);
    void pending;
    const spans = exporter.batches.flat();
    expect(spans.map((s) => s.name).sort()).toEqual(["done", "outer", "pending"]);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName.pending.attributes["spanfn.outcome"]).toBe("unfinished");
    expect(byName.done.attributes["spanfn.outcome"]).toBe("fulfilled");
    expect(byName.pending.parentSpanContext?.spanId).toBe(byName.outer.spanContext().spanId);
    expect(sink.stats()).toMatchObject({ exported: 3, failed: 0, droppedQueueFull: 0 });
    expect(sink.describeLosses()).toBe("");
  });

  test("a custom exporter must be a SpanExporter", () => {
    expect(() => new OtelSink({ exporter: {} as SpanExporter })).toThrow(/must be an OpenTelemetry SpanExporter/);
  });
});

describe("the collector's address, tried before an export", () => {
  const listening = (server: Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  const exported = (exporter: SpanExporter) => new Promise<{ code: number; error?: Error }>((resolve) => exporter.export([], resolve));

  test("nothing listening: the export fails at once, refused, and the exporter behind is never asked (its own transport would retry until its timeout)", async () => {
    const vacated = createServer();
    const port = await listening(vacated);
    await closed(vacated);
    const inner = new FakeExporter();
    const result = await exported(new ReachableExporter(inner, `http://127.0.0.1:${port}/v1/traces`));
    expect(result.code).toBe(1);
    expect((result.error as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    expect(inner.batches).toHaveLength(0);
    expect(inner.script).toEqual([]);
  });

  test("a collector listening: exports go through; it is tried again only after an export failed", async () => {
    let connections = 0;
    const collector = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const port = await listening(collector);
    try {
      const inner = new FakeExporter();
      const exporter = new ReachableExporter(inner, `http://127.0.0.1:${port}/v1/traces`);
      inner.script.push("ok", "ok", 503, "ok");
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await exported(exporter)).code);
      expect(codes).toEqual([0, 0, 1, 0]);
      expect(inner.batches).toHaveLength(3);
      // Before the first export, and before the one after the failure.
      await until(() => connections === 2);
      expect(connections).toBe(2);
    } finally {
      await closed(collector);
    }
  });
});
