/**
 * The last send of an export running on the program's thread (a custom exporter, or
 * `writerThread: false`; on the writer thread the last send happens there while this thread
 * waits), from the process's `exit` event (or a fatal signal): no callback runs after
 * that, so the spans still queued are serialized here, exactly as the exporter would, and
 * posted by a short-lived child process this thread waits for, up to the shutdown deadline.
 * Costs a process start, and only when spans are left at exit: a program that ends by itself
 * has already sent them from `beforeExit`.
 */
import { spawnSync } from "node:child_process";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { ExportedSpan } from "./convert.js";
import { describe } from "./pipeline.js";
import type { OtelSink } from "./sink.js";

interface SendJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMillis: number;
}

interface SendResult {
  ok: boolean;
  error?: string;
}

/**
 * Runs in the child, from its source text: posts the body, retrying a throttled or failing
 * server while time remains. A refused connection is final: the collector is not there.
 */
function postFromStdin(): void {
  const chunks: Buffer[] = [];
  process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on("end", () => {
    const job = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SendJob;
    const deadline = Date.now() + job.timeoutMillis;
    const body = Buffer.from(job.body, "base64");
    const { request } = require(job.url.startsWith("https:") ? "node:https" : "node:http") as typeof import("node:http");
    const finish = (result: SendResult) => process.stdout.write(JSON.stringify(result));
    const attempt = (n: number) => {
      const retry = (error: string) => {
        const wait = 250 * 2 ** (n - 1);
        if (n < 4 && Date.now() + wait < deadline) setTimeout(() => attempt(n + 1), wait);
        else finish({ ok: false, error });
      };
      const req = request(
        job.url,
        { method: "POST", headers: { ...job.headers, "Content-Length": String(body.length) }, timeout: Math.max(1, deadline - Date.now()) },
        (res) => {
          res.resume();
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) finish({ ok: true });
            else if (status === 429 || status >= 500) retry(`HTTP ${status} ${res.statusMessage ?? ""}`.trim());
            else finish({ ok: false, error: `HTTP ${status} ${res.statusMessage ?? ""}`.trim() });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ECONNREFUSED" || error.code === "ENOTFOUND") finish({ ok: false, error: error.message });
        else retry(error.message);
      });
      req.end(body);
    };
    attempt(1);
  });
}

const SENDER = `(${postFromStdin.toString()})()`;

/** Sends what the sink still holds, synchronously; accounts for it in the sink's stats. */
export function sendAtExit(sink: OtelSink): void {
  const spans = sink.takeQueued();
  if (spans.length === 0) return;
  const readable = spans.map((span) => new ExportedSpan(span, sink.resource));
  const otlp = sink.otlp;
  if (otlp === undefined) {
    sink.exportInline(readable);
    return;
  }
  const protobuf = otlp.protocol === "http/protobuf";
  const body = (protobuf ? ProtobufTraceSerializer : JsonTraceSerializer).serializeRequest(readable);
  if (body === undefined) return sink.recordFinalSend(0, spans.length, new Error("the spans could not be serialized"));
  const timeoutMillis = sink.pipelineOptions.shutdownTimeoutMillis;
  const job: SendJob = {
    url: otlp.url,
    headers: { ...otlp.headers, "Content-Type": protobuf ? "application/x-protobuf" : "application/json" },
    body: Buffer.from(body).toString("base64"),
    timeoutMillis,
  };
  // The sender is not the program: a spanfn preload it would load (NODE_OPTIONS) stays idle.
  const env = { ...process.env, SPANFN_ENABLED: "0" };
  const child = spawnSync(process.execPath, ["-e", SENDER], {
    input: JSON.stringify(job),
    encoding: "utf8",
    env,
    // The child's own deadline comes first; this one only stops a child that hangs starting.
    timeout: timeoutMillis + 2000,
    windowsHide: true,
  });
  let result: SendResult;
  try {
    result = JSON.parse(child.stdout) as SendResult;
  } catch {
    result = { ok: false, error: child.error !== undefined ? describe(child.error) : `the sender exited with ${child.status ?? child.signal}: ${child.stderr.trim().split("\n").pop() ?? ""}` };
  }
  if (result.ok) sink.recordFinalSend(spans.length, 0);
  else sink.recordFinalSend(0, spans.length, new Error(`at exit: ${result.error}`));
}
