/**
 * End to end: real programs (the built packages) export to an OTLP/HTTP endpoint on loopback,
 * which decodes what the exporter actually sent.
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseChromeTrace } from "@spanfn/tracing";
import { asPairs } from "../../tracing/test/chrome-pairs.js";
import { OtlpReceiver, type ReceivedSpan } from "./receiver.js";
import { runNode, type NodeRun } from "./run-node.js";

const programs = join(__dirname, "programs");

function run(program: string, args: string[], env: Record<string, string>): Promise<NodeRun> {
  return runNode([join(programs, program), ...args], { env });
}

let receiver: OtlpReceiver;
beforeEach(() => {
  receiver = new OtlpReceiver();
});
afterEach(() => receiver.stop());

function named(spans: readonly ReceivedSpan[], name: string): ReceivedSpan[] {
  return spans.filter((s) => s.name === name);
}

function only(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = named(spans, name);
  expect(found).toHaveLength(1);
  return found[0];
}

const within = (child: ReceivedSpan, parent: ReceivedSpan) =>
  child.startTimeUnixNano >= parent.startTimeUnixNano && child.endTimeUnixNano <= parent.endTimeUnixNano;

/** What mixed.mjs must produce, whatever the encoding: one trace, true parents, attributes, status. */
function checkMixed(spans: readonly ReceivedSpan[]): void {
  expect(spans.map((s) => s.name).sort()).toEqual(["broken", "crunch", "handle", "load", "load", "main", "parse", "parse", "parse", "parse"]);
  const main = only(spans, "main");
  const handle = only(spans, "handle");
  const broken = only(spans, "broken");
  const loads = named(spans, "load");
  const parses = named(spans, "parse");
  const crunch = only(spans, "crunch");

  // main (thread) -> handle (async, called from main) -> load x2, broken; parse under each load.
  expect(main.parentSpanId).toBe("");
  expect(handle.parentSpanId).toBe(main.spanId);
  for (const load of loads) expect(load.parentSpanId).toBe(handle.spanId);
  expect(broken.parentSpanId).toBe(handle.spanId);
  for (const load of loads) {
    // Once before its await (while main was still on the stack), once after.
    expect(parses.filter((p) => p.parentSpanId === load.spanId)).toHaveLength(2);
  }
  const mainTrace = [main, handle, broken, ...loads, ...parses];
  expect(new Set(mainTrace.map((s) => s.traceId))).toEqual(new Set([main.traceId]));
  expect(main.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
  for (const s of spans) expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);

  // An async span outlives its synchronous caller; its children sit inside it.
  expect(handle.endTimeUnixNano).toBeGreaterThan(main.endTimeUnixNano);
  for (const load of loads) expect(within(load, handle)).toBe(true);
  for (const p of parses) expect(within(p, loads.find((l) => l.spanId === p.parentSpanId)!)).toBe(true);

  // The worker's span: its own trace, its own thread.
  expect(crunch.parentSpanId).toBe("");
  expect(crunch.traceId).not.toBe(main.traceId);
  expect(crunch.attributes["thread.id"]).toBeGreaterThan(0);
  expect(crunch.attributes["thread.name"]).toMatch(/worker/i); // "worker 1"; Node 24 names it "WorkerThread"

  expect(main.attributes).toEqual({
    "code.function.name": "main",
    "code.file.path": "/app/main.ts",
    "code.line.number": 1,
    "thread.id": 0,
    "thread.name": "main",
    "spanfn.kind": "thread",
  });
  expect(handle.attributes["spanfn.kind"]).toBe("async");
  expect(handle.attributes["spanfn.outcome"]).toBe("fulfilled");
  expect(handle.attributes["code.line.number"]).toBe(10);
  expect(handle.status.code).toBe(0);
  expect(broken.attributes["spanfn.outcome"]).toBe("rejected");
  expect(broken.status.code).toBe(2);
  expect(broken.status.message).toMatch(/rejected/);
  expect(main.kind).toBe(1); // INTERNAL, as OTLP numbers it
  expect(main.resource["service.name"]).toBe("mixed-test");
  expect(main.resource["telemetry.sdk.language"]).toBe("nodejs");
  expect(main.scope).toBe("@spanfn/otel");
}

describe("a program mixing thread and async spans", () => {
  test("OTLP/JSON: one trace with true parents, attributes and status; timestamps exact to the nanosecond", async () => {
    const url = await receiver.start();
    const out = join(mkdtempSync(join(tmpdir(), "spanfn-otel-")), "trace.json");
    const result = await run("mixed.mjs", [], { RECEIVER_URL: url, TRACE_OUT: out });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    checkMixed(receiver.spans);
    expect(receiver.requests[0].contentType).toBe("application/json");
    expect(receiver.requests[0].path).toBe("/v1/traces");

    // The same run's Chrome trace (written beside the export) has every span's begin and end in
    // nanoseconds from the main thread's origin: OTLP's epoch nanoseconds must match exactly.
    const chrome = asPairs(parseChromeTrace(readFileSync(out, "utf8")));
    const clock = chrome.find((e) => e.ph === "M" && e.name === "spanfn_clock")!;
    // Epoch nanoseconds overflow a double's integers: whole milliseconds and the fraction apart.
    const origin = clock.args!.timeOrigin as number;
    const originNs = BigInt(Math.floor(origin)) * 1_000_000n + BigInt(Math.round((origin - Math.floor(origin)) * 1e6));
    const mainThread = (e: { tid: number }) => e.tid === 0;
    const begins = chrome.filter((e) => mainThread(e) && (e.ph === "B" || e.ph === "b"));
    const fromChrome = (name: string) => begins.filter((e) => e.name === name).map((e) => originNs + BigInt(Math.round(e.ts! * 1000)));
    for (const name of ["main", "handle", "load", "parse", "broken"]) {
      const expected = fromChrome(name).sort();
      const actual = named(receiver.spans, name).map((s) => s.startTimeUnixNano).sort();
      expect(actual.length).toBe(expected.length);
      // Both sides round the same float once; allow the one nanosecond a float sum can shift.
      actual.forEach((ns, i) => expect(Number(ns - expected[i])).toBeLessThanOrEqual(1));
      actual.forEach((ns, i) => expect(Number(expected[i] - ns)).toBeLessThanOrEqual(1));
    }
  });

  test("OTEL_SEMCONV_STABILITY_OPT_IN=code/dup: the code attributes' deprecated names are sent too", async () => {
    const url = await receiver.start();
    const result = await run("mixed.mjs", [], { RECEIVER_URL: url, OTEL_SEMCONV_STABILITY_OPT_IN: "http,code/dup" });
    expect(result.code).toBe(0);
    const main = only(receiver.spans, "main");
    expect(main.attributes).toMatchObject({
      "code.function.name": "main",
      "code.file.path": "/app/main.ts",
      "code.line.number": 1,
      "code.function": "main",
      "code.filepath": "/app/main.ts",
      "code.lineno": 1,
      "code.namespace": "app/main",
    });
  });

  test("OTLP/protobuf from OTEL_* variables: the same spans, decoded from the wire format", async () => {
    const url = await receiver.start();
    const base = url.replace(/\/v1\/traces$/, "");
    const result = await run("mixed.mjs", [], {
      RECEIVER_URL: "",
      OTEL_EXPORTER_OTLP_ENDPOINT: base,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s3cret,x-tenant=a%20b",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    checkMixed(receiver.spans);
    expect(receiver.requests[0].contentType).toBe("application/x-protobuf");
    expect(receiver.requests[0].headers["x-api-key"]).toBe("s3cret");
    expect(receiver.requests[0].headers["x-tenant"]).toBe("a b");
  });

  test("OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES name the resource", async () => {
    const url = await receiver.start();
    const result = await run("mixed.mjs", [], {
      RECEIVER_URL: url,
      OTEL_SERVICE_NAME: "checkout",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=staging,team=pay%2Fments",
    });
    expect(result.code).toBe(0);
    const resource = receiver.spans[0].resource;
    expect(resource["service.name"]).toBe("checkout");
    expect(resource["deployment.environment"]).toBe("staging");
    expect(resource.team).toBe("pay/ments");
  });

  test("process.exit(): the spans still queued are sent synchronously, and the exit status is kept", async () => {
    const url = await receiver.start();
    const result = await run("mixed.mjs", ["exit"], { RECEIVER_URL: url });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(3);
    checkMixed(receiver.spans);
  });
});

describe("a worker created inside a span", () => {
  test.each([["writer thread", "0"], ["program's thread", "1"]])("exported on the %s: the worker's root span is a child of that span, in its trace", async (_, onThread) => {
    const url = await receiver.start();
    const result = await run("linked.mjs", [], { RECEIVER_URL: url, ON_THREAD: onThread });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("499500\n");
    expect(result.code).toBe(0);
    const dispatch = only(receiver.spans, "dispatch");
    const crunch = only(receiver.spans, "crunch");
    expect(crunch.attributes["thread.id"]).toBeGreaterThan(0);
    expect(crunch.parentSpanId).toBe(dispatch.spanId);
    expect(crunch.traceId).toBe(dispatch.traceId);
  });
});

describe("a CommonJS program", () => {
  test("require() of the CommonJS builds: the writer thread loads the export all the same", async () => {
    const url = await receiver.start();
    const result = await run("required.cjs", [], { RECEIVER_URL: url });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const outer = only(receiver.spans, "outer");
    expect(only(receiver.spans, "inner").parentSpanId).toBe(outer.spanId);
    expect(outer.resource["service.name"]).toBe("required-test");
  });
});

describe("exporting on the program's thread (writerThread: false, as a custom exporter does)", () => {
  test.each([
    ["natural", 0],
    ["exit", 3],
  ] as const)("%s end: the same spans; at process.exit() the rest goes by the child-process last send", async (mode, code) => {
    const url = await receiver.start();
    const result = await run("mixed.mjs", [mode], { RECEIVER_URL: url, ON_THREAD: "1" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(code);
    checkMixed(receiver.spans);
  });
});

describe("a collector in trouble", () => {
  test("503 then 200: retried, nothing lost, nothing said", async () => {
    const url = await receiver.start();
    receiver.script.push(503);
    const result = await run("mixed.mjs", ["stats"], { RECEIVER_URL: url });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(receiver.rejected).toBe(1);
    checkMixed(receiver.spans);
    const stats = JSON.parse(result.stdout.trim().split("\n").pop()!);
    expect(stats.failed).toBe(0);
    expect(stats.droppedQueueFull).toBe(0);
    expect(stats.exported).toBe(receiver.spans.length);
  });

  test("a 400 is not retried: the batch is counted as failed and named at exit", async () => {
    const url = await receiver.start();
    receiver.script.push(400, 400, 400, 400);
    const result = await run("mixed.mjs", [], { RECEIVER_URL: url });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/exporting spans to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed \(.*400/);
    expect(result.stderr).toMatch(/spanfn: \d+ of \d+ spans were not exported .*in failed exports/);
    expect(receiver.rejected).toBeLessThanOrEqual(4);
  });

  test("receiver down: the program runs and exits as it would, the loss is counted and named", async () => {
    const url = await receiver.start();
    await receiver.stop();
    for (const [mode, code] of [["natural", 0], ["exit", 3]] as const) {
      const result = await run("mixed.mjs", [mode], { RECEIVER_URL: url });
      expect(result.code).toBe(code);
      // A natural end tries from beforeExit first (the warning); process.exit goes straight to
      // the last send. Either way the closing line counts every span and names the cause.
      if (mode === "natural") expect(result.stderr).toContain(`exporting spans to ${url} failed`);
      expect(result.stderr).toMatch(/ECONNREFUSED/);
      expect(result.stderr).toMatch(/spanfn: (\d+) of \1 spans were not exported/);
    }
  });
});

describe("joining the program's own OpenTelemetry trace", () => {
  test("root spans begun under an active OpenTelemetry span become its children; others start their own trace", async () => {
    const url = await receiver.start();
    const result = await run("joined.mjs", [], { RECEIVER_URL: url });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const outside = JSON.parse(result.stdout.trim().split("\n")[0]) as { traceId: string; spanId: string };
    const spans = receiver.spans;
    const work = only(spans, "work");
    expect(work.traceId).toBe(outside.traceId);
    expect(work.parentSpanId).toBe(outside.spanId);
    const steps = named(spans, "step");
    expect(steps).toHaveLength(4);
    // Two inside work (before and after its await), one directly under the request, one outside.
    expect(steps.filter((s) => s.parentSpanId === work.spanId)).toHaveLength(2);
    expect(steps.filter((s) => s.parentSpanId === outside.spanId && s.traceId === outside.traceId)).toHaveLength(1);
    const loose = steps.filter((s) => s.parentSpanId === "");
    expect(loose).toHaveLength(1);
    expect(loose[0].traceId).not.toBe(outside.traceId);
  });
});
