/**
 * A trace for a page, encoded off its thread: sealed blocks are copied to a Web Worker, which
 * encodes them (Chrome JSON or Perfetto), and their buffers are reused at once, so the page pays
 * for recording and one message per block. Where no worker can be started (no `Worker`, a
 * Content-Security-Policy without `blob:` workers, a worker that fails to load) the same encoder
 * runs on the page's thread; blocks sent while the worker was starting are kept until it answers,
 * so nothing is lost by falling back.
 */
import { BlockMessages } from "../block-message.js";
import { recycleBuffer } from "../buffer.js";
import type { EventBlock } from "../events.js";
import { flush } from "../queue.js";
import { countRecords } from "../records.js";
import type { ProcessInfo, RuntimeReport, Sink } from "../sinks/sink.js";
import { state } from "../state.js";
import { createTraceWorker } from "./trace-worker.js";
import type { BlockMessage, BrowserTraceFormat, FromTraceWorker, ToTraceWorker, TraceReply } from "./worker-protocol.js";
import { WORKER_SOURCE } from "./worker-source.js";

export type { BrowserTraceFormat } from "./worker-protocol.js";

/** What the sink needs of a worker: the Web Worker API's part it uses. */
export interface TraceWorkerLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "error", listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

export interface BrowserTraceOptions {
  /** `"json"` (Chrome Trace Event JSON, the default) or `"perfetto"` (Perfetto protobuf). */
  format?: BrowserTraceFormat;
  /** Shown as the process's name in the viewer. */
  processName?: string;
  /**
   * `true` (the default): a Web Worker where one can be started; `false`: encode on the page's
   * thread; a function: the worker to use (one a bundler built, or a test's).
   */
  worker?: boolean | (() => TraceWorkerLike);
  /** How long the worker may take to start before the page's thread encodes instead (default 5000). */
  startTimeoutMs?: number;
}

export type BrowserTraceMode = "starting" | "worker" | "inline";

const DEFAULT_START_TIMEOUT_MS = 5000;
const FORMATS: readonly BrowserTraceFormat[] = ["json", "perfetto"];

export class BrowserTraceSink implements Sink {
  readonly format: BrowserTraceFormat;
  private currentMode: BrowserTraceMode = "starting";
  private worker: TraceWorkerLike | null = null;
  private inline: ((message: ToTraceWorker) => void) | null = null;
  private process: ProcessInfo | null = null;
  private readonly messages = new BlockMessages();
  /** Copies of the blocks sent while the worker was starting: replayed on the page's thread should it never answer. */
  private pending: BlockMessage[] = [];
  /** Slots of the buffers the worker holds. */
  private slotsHeld = 0;
  /** Copies sent while the worker started that it has not said it is done with. */
  private startCopiesUnfreed = 0;
  /** Events sent to the worker, lost should it fail. */
  private eventsSent = 0;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  private nextRequest = 0;
  /** Requests not yet answered, with the report of the one that finishes the trace. */
  private readonly requests = new Map<number, { resolve: (bytes: Uint8Array) => void; report: RuntimeReport | undefined }>();
  private final: Uint8Array | null = null;
  private finishing: Promise<Uint8Array> | null = null;
  private encoderFailed = false;
  /** Events the trace lost because the worker failed after it started. */
  lostEvents = 0;

  constructor(private readonly options: BrowserTraceOptions = {}) {
    const format = options.format ?? "json";
    if (!FORMATS.includes(format)) throw new TypeError(`spanfn: BrowserTraceSink's format must be "json" or "perfetto", not ${JSON.stringify(format)}`);
    this.format = format;
  }

  /** Where the trace is encoded: in a worker, on the page's thread, or not yet known. */
  get mode(): BrowserTraceMode {
    return this.currentMode;
  }

  init(process: ProcessInfo): void {
    if (this.process !== null) return;
    this.process = process;
    const worker = this.startWorker();
    if (worker === null) {
      this.goInline();
      return;
    }
    this.worker = worker;
    // A worker given up on may still answer: nothing it says counts.
    worker.addEventListener("message", (event) => {
      if (this.worker === worker) this.received(event.data as FromTraceWorker);
    });
    worker.addEventListener("error", (event) => {
      if (this.worker === worker) this.workerFailed(event.message ?? "the trace worker failed to load");
    });
    worker.postMessage(this.startMessage());
    const timer = setTimeout(() => this.workerFailed("the trace worker did not start"), this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    (timer as { unref?: () => void }).unref?.();
    this.startTimer = timer;
  }

  block(block: EventBlock): void {
    const message = (data: Float64Array) => this.messages.next(block, data);
    if (this.currentMode === "inline") {
      // Encoded before this returns.
      this.inline!(message(block.data));
    } else if (this.currentMode === "starting") {
      // Copied, not transferred: kept until the worker answers, to replay here should it not.
      const copy = message(block.data.slice(0, block.length));
      this.pending.push(copy);
      this.worker!.postMessage(copy);
    } else {
      // Posted as a copy, never transferred: the first buffer detached on the page's thread
      // deoptimises every function there that touches a typed array, and V8 checks every such
      // access for a detached buffer from then on. The worker keeps the copy.
      this.slotsHeld += block.data.length;
      this.eventsSent += countRecords(block.data, block.length);
      this.worker!.postMessage(message(block.data));
    }
    // Encoded or copied: the buffer is free for the next block (a shared one is left alone).
    recycleBuffer(state, block.data);
  }

  heldBytes(): number {
    let slots = this.slotsHeld;
    for (const message of this.pending) slots += message.data.length;
    return slots * 8;
  }

  /** Finishes the trace (unfinished spans and the report go in); `trace()` then returns it whole. */
  shutdown(report: RuntimeReport): Promise<void> {
    this.finishing ??= this.request(report).then((bytes) => (this.final = bytes));
    return this.finishing.then(() => undefined);
  }

  /**
   * The trace as bytes (UTF-8 JSON, or Perfetto protobuf): whole once the runtime has shut down,
   * else what is recorded so far (this flushes the runtime first), a trace that opens as it is.
   */
  async trace(): Promise<Uint8Array> {
    if (this.final !== null) return this.final.slice();
    if (this.finishing !== null) return (await this.finishing).slice();
    flush();
    return this.request(undefined);
  }

  /** The JSON trace as text (`format: "json"`). */
  async text(): Promise<string> {
    return new TextDecoder().decode(await this.trace());
  }

  private startWorker(): TraceWorkerLike | null {
    const choice = this.options.worker ?? true;
    if (choice === false) return null;
    try {
      if (typeof choice === "function") return choice();
      const scope = globalThis as unknown as {
        Worker?: new (url: string) => TraceWorkerLike;
        Blob?: new (parts: string[], options: { type: string }) => unknown;
        URL?: { createObjectURL?(blob: unknown): string; revokeObjectURL?(url: string): void };
      };
      if (WORKER_SOURCE === undefined || scope.Worker === undefined || scope.Blob === undefined || typeof scope.URL?.createObjectURL !== "function") return null;
      const url = scope.URL.createObjectURL(new scope.Blob([WORKER_SOURCE], { type: "text/javascript" }));
      try {
        return new scope.Worker(url);
      } finally {
        // The worker has its script's URL already: revoking it does not stop it from loading.
        setTimeout(() => scope.URL?.revokeObjectURL?.(url), 60_000);
      }
    } catch {
      // A Content-Security-Policy that forbids blob: workers throws here.
      return null;
    }
  }

  private startMessage(): ToTraceWorker {
    return { kind: "start", format: this.format, processName: this.options.processName, process: this.process! };
  }

  private received(message: FromTraceWorker): void {
    if (message.kind === "ready") {
      if (this.currentMode !== "starting") return;
      this.currentMode = "worker";
      this.clearStartTimer();
      for (const copy of this.pending) this.eventsSent += countRecords(copy.data, copy.length);
      this.startCopiesUnfreed = this.pending.length;
      this.pending = [];
    } else if (message.kind === "free") {
      // The worker answers in order: the copies sent while it started come back first, and were
      // never counted as held (they stayed in `pending`).
      if (this.startCopiesUnfreed > 0) this.startCopiesUnfreed--;
      else this.slotsHeld = Math.max(0, this.slotsHeld - message.slots);
    } else if (message.kind === "trace") {
      this.answer(message);
    } else {
      this.workerFailed(message.message);
    }
  }

  private answer(reply: TraceReply): void {
    const request = this.requests.get(reply.id);
    this.requests.delete(reply.id);
    request?.resolve(reply.bytes);
  }

  private request(report: RuntimeReport | undefined): Promise<Uint8Array> {
    const id = this.nextRequest++;
    const answered = new Promise<Uint8Array>((resolve) => this.requests.set(id, { resolve, report }));
    const message: ToTraceWorker = report === undefined ? { kind: "trace", id } : { kind: "trace", id, report };
    if (this.currentMode === "inline") this.inline!(message);
    else this.worker!.postMessage(message);
    return answered;
  }

  /**
   * The worker never started, or stopped: the page's thread encodes from now on. Blocks sent
   * while it was starting are replayed; those it had taken after are lost, and counted.
   */
  private workerFailed(reason: string): void {
    if (this.currentMode === "inline") {
      // The encoder itself failed (a bug): say so once rather than lose blocks unseen.
      if (!this.encoderFailed) state.warn(`spanfn: the trace encoder failed (${reason}); the trace may lack events`);
      this.encoderFailed = true;
      return;
    }
    const started = this.currentMode === "worker";
    this.clearStartTimer();
    try {
      this.worker?.terminate();
    } catch {
      // Already gone.
    }
    this.worker = null;
    this.slotsHeld = 0;
    const replay = this.pending;
    this.pending = [];
    this.goInline();
    if (started) {
      this.lostEvents += this.eventsSent;
      state.warn(`spanfn: the trace worker stopped (${reason}): ${this.eventsSent} events it held are lost; the page's thread writes the trace from now on`);
    }
    for (const copy of replay) this.inline!(copy);
    // Requests the worker will not answer now: asked again here, in order.
    for (const [id, { report }] of [...this.requests]) this.inline!(report === undefined ? { kind: "trace", id } : { kind: "trace", id, report });
  }

  private goInline(): void {
    this.currentMode = "inline";
    // A new encoder: each thread's info, clock and metadata go again with its next block.
    this.messages.reset();
    this.inline = createTraceWorker((message) => this.received(message));
    this.inline(this.startMessage());
  }

  private clearStartTimer(): void {
    if (this.startTimer !== null) clearTimeout(this.startTimer);
    this.startTimer = null;
  }
}
