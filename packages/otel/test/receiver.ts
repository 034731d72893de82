/**
 * A small OTLP/HTTP traces endpoint on loopback, for tests: decodes what an exporter actually
 * sent (OTLP/JSON, or protobuf read field by field from the wire format, with no protobuf
 * library in between), and answers with scripted statuses.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type AttributeValue = string | number | boolean | AttributeValue[] | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root. */
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  status: { code: number; message: string };
  traceState: string;
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  contentType: string;
  spans: ReceivedSpan[];
}

export class OtlpReceiver {
  /** "count": spans are counted and not kept, for runs that send a great many (OTLP/JSON only). */
  constructor(private readonly keep: "spans" | "count" = "spans") {}

  readonly requests: ReceivedRequest[] = [];
  /** Statuses to answer with, in order; 200 once they run out. */
  readonly script: number[] = [];
  /** Requests answered with something other than 200 (their spans are not in `requests`). */
  rejected = 0;
  /** Spans taken, counted as they arrive (kept in `requests` unless only counting). */
  counted = 0;
  private server: Server | null = null;
  private waiters: Array<() => void> = [];

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = this.script.shift() ?? 200;
        if (status !== 200) {
          this.rejected++;
          res.writeHead(status, { "Content-Type": "text/plain" }).end("try later");
          this.wake();
          return;
        }
        const body = Buffer.concat(chunks);
        const contentType = String(req.headers["content-type"] ?? "");
        try {
          if (this.keep === "count") {
            this.counted += countJson(JSON.parse(body.toString("utf8")));
            res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
            this.wake();
            return;
          }
          const spans = contentType.includes("protobuf") ? decodeProtobuf(body) : decodeJson(JSON.parse(body.toString("utf8")));
          this.counted += spans.length;
          this.requests.push({ path: req.url ?? "", headers: req.headers, contentType, spans });
          res.writeHead(200, { "Content-Type": contentType.includes("protobuf") ? "application/x-protobuf" : "application/json" });
          res.end(contentType.includes("protobuf") ? Buffer.alloc(0) : "{}");
        } catch (error) {
          res.writeHead(400).end(String(error));
        }
        this.wake();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  }

  get spans(): ReceivedSpan[] {
    return this.requests.flatMap((r) => r.spans);
  }

  /** Resolves once `test()` holds, checked after each request; rejects after `timeoutMs`. */
  async until(test: () => boolean, timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`receiver: condition not met in ${timeoutMs} ms (${this.spans.length} spans, ${this.rejected} rejected)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

// ---- OTLP/JSON ----

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function jsonValue(value: Json): AttributeValue {
  if (value === undefined || value === null) return null;
  if ("stringValue" in value) return value.stringValue;
  if ("boolValue" in value) return value.boolValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return Number(value.doubleValue);
  if ("arrayValue" in value) return (value.arrayValue.values ?? []).map(jsonValue);
  return null;
}

function jsonAttributes(list: Json[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((kv: Json) => [kv.key, jsonValue(kv.value)]));
}

function countJson(request: Json): number {
  let count = 0;
  for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) count += (ss.spans ?? []).length;
  return count;
}

function decodeJson(request: Json): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? "",
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: BigInt(span.startTimeUnixNano),
          endTimeUnixNano: BigInt(span.endTimeUnixNano),
          attributes: jsonAttributes(span.attributes),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
          traceState: span.traceState ?? "",
          resource,
          scope: ss.scope?.name ?? "",
        });
      }
    }
  }
  return spans;
}

// ---- OTLP/protobuf, from the wire format ----

interface Field {
  number: number;
  wire: number;
  varint: bigint;
  bytes: Buffer;
}

function* fields(buffer: Buffer): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[i++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < buffer.length) {
    const key = Number(varint());
    const wire = key & 7;
    const number = key >>> 3;
    if (wire === 0) yield { number, wire, varint: varint(), bytes: Buffer.alloc(0) };
    else if (wire === 1) {
      yield { number, wire, varint: buffer.readBigUInt64LE(i), bytes: buffer.subarray(i, i + 8) };
      i += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      yield { number, wire, varint: 0n, bytes: buffer.subarray(i, i + length) };
      i += length;
    } else if (wire === 5) {
      yield { number, wire, varint: BigInt(buffer.readUInt32LE(i)), bytes: buffer.subarray(i, i + 4) };
      i += 4;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

function pbValue(buffer: Buffer): AttributeValue {
  for (const f of fields(buffer)) {
    switch (f.number) {
      case 1:
        return f.bytes.toString("utf8");
      case 2:
        return f.varint !== 0n;
      case 3:
        return Number(BigInt.asIntN(64, f.varint));
      case 4:
        return f.bytes.readDoubleLE(0);
      case 5:
        return [...fields(f.bytes)].filter((v) => v.number === 1).map((v) => pbValue(v.bytes));
    }
  }
  return null;
}

function pbKeyValue(buffer: Buffer): [string, AttributeValue] {
  let key = "";
  let value: AttributeValue = null;
  for (const f of fields(buffer)) {
    if (f.number === 1) key = f.bytes.toString("utf8");
    else if (f.number === 2) value = pbValue(f.bytes);
  }
  return [key, value];
}

function pbResource(buffer: Buffer): Record<string, AttributeValue> {
  return Object.fromEntries([...fields(buffer)].filter((f) => f.number === 1).map((f) => pbKeyValue(f.bytes)));
}

function pbSpan(buffer: Buffer, resource: Record<string, AttributeValue>, scope: string): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    status: { code: 0, message: "" },
    traceState: "",
    resource,
    scope,
  };
  for (const f of fields(buffer)) {
    switch (f.number) {
      case 1:
        span.traceId = f.bytes.toString("hex");
        break;
      case 2:
        span.spanId = f.bytes.toString("hex");
        break;
      case 3:
        span.traceState = f.bytes.toString("utf8");
        break;
      case 4:
        span.parentSpanId = f.bytes.toString("hex");
        break;
      case 5:
        span.name = f.bytes.toString("utf8");
        break;
      case 6:
        span.kind = Number(f.varint);
        break;
      case 7:
        span.startTimeUnixNano = f.varint;
        break;
      case 8:
        span.endTimeUnixNano = f.varint;
        break;
      case 9: {
        const [key, value] = pbKeyValue(f.bytes);
        span.attributes[key] = value;
        break;
      }
      case 15:
        for (const s of fields(f.bytes)) {
          if (s.number === 2) span.status.message = s.bytes.toString("utf8");
          if (s.number === 3) span.status.code = Number(s.varint);
        }
        break;
    }
  }
  return span;
}

function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.number !== 1) continue;
    let resource: Record<string, AttributeValue> = {};
    const scopeSpans: Buffer[] = [];
    for (const f of fields(rs.bytes)) {
      if (f.number === 1) resource = pbResource(f.bytes);
      if (f.number === 2) scopeSpans.push(f.bytes);
    }
    for (const ss of scopeSpans) {
      let scope = "";
      const raw: Buffer[] = [];
      for (const f of fields(ss)) {
        if (f.number === 1) for (const s of fields(f.bytes)) if (s.number === 1) scope = s.bytes.toString("utf8");
        if (f.number === 2) raw.push(f.bytes);
      }
      for (const s of raw) spans.push(pbSpan(s, resource, scope));
    }
  }
  return spans;
}
