/**
 * Between the assembler and an exporter: a bounded queue (the program never waits on the
 * collector, and memory stays capped: spans beyond the cap are dropped and counted), batches
 * sent one at a time, retry with exponential back-off and jitter on failures worth retrying,
 * and a flush that ends by its deadline whatever the collector does.
 */
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { FinishedSpan } from "./assemble.js";

export interface PipelineOptions {
  /** Spans waiting for export at most; more are dropped (counted). */
  maxQueueSize: number;
  maxExportBatchSize: number;
  /** Longest a span waits before its batch is sent. */
  scheduledDelayMillis: number;
  /** Deadline for one batch, retries included. */
  exportTimeoutMillis: number;
  /** Attempts per batch (first try included). */
  maxAttempts: number;
  initialBackoffMillis: number;
  maxBackoffMillis: number;
  /**
   * Batches in flight at once (default 1). Two let the next batch be serialized while the
   * collector reads the last, where the exporter's thread has nothing else to do.
   */
  maxConcurrentExports?: number;
}

export interface ExportStats {
  /** Spans the exporter accepted. */
  exported: number;
  /** Spans dropped because the queue was full. */
  droppedQueueFull: number;
  /** Spans in batches that failed for good (after retries, or not retryable). */
  failed: number;
  /** Spans still queued or in flight. */
  pending: number;
  batches: number;
  retries: number;
  lastError: string | undefined;
}

export type ToReadable = (span: FinishedSpan) => ReadableSpan;

interface ExportOutcome {
  ok: boolean;
  error?: unknown;
}

export class ExportPipeline {
  private queue: FinishedSpan[] = [];
  private inFlight = 0;
  private readonly exporting = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Flushes waiting: a collector that cannot be reached is then not retried (see `send`). */
  private flushing = 0;
  /** Wakes batches waiting out a back-off: a flush has begun, and they should try now, once. */
  private readonly backingOff = new Set<() => void>();
  /** The last export attempt failed, and none has succeeded since. */
  failing = false;
  /** ...with no HTTP answer at all: nothing is listening, or the network is down. */
  private unreachable = false;
  private readonly stats = { exported: 0, droppedQueueFull: 0, failed: 0, batches: 0, retries: 0, lastError: undefined as string | undefined };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly toReadable: ToReadable,
    private readonly options: PipelineOptions,
    /** Told of every failed attempt, and whether it will be retried. */
    private readonly onFailure: (error: unknown, willRetry: boolean) => void = () => {},
    /** Told when a batch is done and the queue has room again: a producer holding spans back refills it here. */
    private readonly onRoom: () => void = () => {},
  ) {}

  /** Spans the queue takes before it drops. */
  get room(): number {
    return this.options.maxQueueSize - this.queue.length;
  }

  /** Nothing queued, nothing in flight. */
  get idle(): boolean {
    return this.queue.length === 0 && this.exporting.size === 0;
  }

  push(span: FinishedSpan): void {
    if (this.queue.length >= this.options.maxQueueSize) {
      this.stats.droppedQueueFull++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.options.maxExportBatchSize) this.kick();
    else this.schedule();
  }

  snapshot(): ExportStats {
    return { ...this.stats, pending: this.queue.length + this.inFlight };
  }

  /**
   * Sends everything queued now and waits for it, up to `timeoutMillis`; true when all of it was
   * handed over (exported or failed for good) in time. While it waits, a referenced timer keeps
   * the process alive: the flush at `beforeExit` must not be cut short by the loop emptying.
   */
  async flush(timeoutMillis: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMillis;
    const keepAlive = setTimeout(() => {}, timeoutMillis);
    this.flushing++;
    for (const wake of this.backingOff) wake();
    try {
      while (this.queue.length > 0 || this.exporting.size > 0) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) return false;
        this.kick();
        if (this.exporting.size === 0) break;
        const finished = await Promise.race([Promise.race(this.exporting).then(() => true), sleep(remaining, false).then(() => false)]);
        if (!finished) return false;
      }
      return true;
    } finally {
      this.flushing--;
      clearTimeout(keepAlive);
    }
  }

  /** Stops the timer and takes what was never handed to the exporter (for a last synchronous send). */
  takeQueued(): FinishedSpan[] {
    this.stop();
    const queued = this.queue;
    this.queue = [];
    return queued;
  }

  /** Counts spans a last-chance send at exit delivered, or lost. */
  record(exported: number, failed: number, error?: unknown): void {
    this.stats.exported += exported;
    this.stats.failed += failed;
    if (error !== undefined) this.stats.lastError = describe(error);
  }

  async shutdown(timeoutMillis: number): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    await this.flush(timeoutMillis);
    this.stop();
    // Never handed to the exporter: failed. A batch still in flight stays pending: it may yet arrive.
    this.stats.failed += this.queue.length;
    this.queue = [];
    try {
      await Promise.race([this.exporter.shutdown(), sleep(Math.max(0, deadline - Date.now()), false)]);
    } catch (error) {
      this.stats.lastError = describe(error);
    }
  }

  /** No more batches are scheduled or started after the one in flight. */
  private stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, this.options.scheduledDelayMillis);
    this.timer.unref?.();
  }

  private kick(): void {
    const concurrency = this.options.maxConcurrentExports ?? 1;
    if (this.exporting.size >= concurrency || this.queue.length === 0) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    while (this.exporting.size < concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxExportBatchSize);
      this.inFlight += batch.length;
      const sending: Promise<void> = this.send(batch).finally(() => {
        this.inFlight -= batch.length;
        this.exporting.delete(sending);
        if (this.stopped) return;
        this.onRoom();
        if (this.queue.length >= this.options.maxExportBatchSize) this.kick();
        else if (this.queue.length > 0) this.schedule();
      });
      this.exporting.add(sending);
    }
  }

  private async send(batch: FinishedSpan[]): Promise<void> {
    const { exportTimeoutMillis, maxAttempts, initialBackoffMillis, maxBackoffMillis } = this.options;
    const deadline = Date.now() + exportTimeoutMillis;
    if (this.flushing > 0 && this.unreachable) {
      // The program is ending and the collector could not be reached: no more attempts, each of
      // which would wait out the exporter's own timeout.
      this.stats.failed += batch.length;
      return;
    }
    const spans = batch.map(this.toReadable);
    this.stats.batches++;
    let backoff = initialBackoffMillis;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.exportOnce(spans, Math.max(1, deadline - Date.now()));
      if (outcome.ok) {
        this.failing = false;
        this.unreachable = false;
        this.stats.exported += batch.length;
        return;
      }
      this.failing = true;
      this.stats.lastError = describe(outcome.error);
      const wait = Math.min(backoff, maxBackoffMillis) * (0.8 + 0.4 * Math.random());
      // Someone is waiting on a flush (the program is ending): an unreachable collector will
      // not come back in time, while one answering 429/5xx might.
      const unreachable = httpStatus(outcome.error) === undefined;
      this.unreachable = unreachable;
      const retry =
        attempt < maxAttempts && isRetryable(outcome.error) && Date.now() + wait < deadline && !this.stopped && !(this.flushing > 0 && unreachable);
      this.onFailure(outcome.error, retry);
      if (!retry) {
        this.stats.failed += batch.length;
        return;
      }
      this.stats.retries++;
      await this.backOff(wait);
      backoff *= 2;
    }
  }

  /** Sleeps `ms`, or until a flush begins. */
  private backOff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.backingOff.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      this.backingOff.add(wake);
    });
  }

  private exportOnce(spans: ReadableSpan[], timeoutMillis: number): Promise<ExportOutcome> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: ExportOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => finish({ ok: false, error: new Error(`export timed out after ${timeoutMillis} ms`) }), timeoutMillis);
      timer.unref?.();
      try {
        this.exporter.export(spans, (result) => finish({ ok: result.code === 0, error: result.error }));
      } catch (error) {
        finish({ ok: false, error });
      }
    });
  }
}

/**
 * Worth another try: throttling (429), server errors (5xx), and failures with no HTTP status
 * at all (connection refused, reset, timed out). Other 4xx answers will not change on retry.
 */
export function isRetryable(error: unknown): boolean {
  const code = httpStatus(error);
  return code === undefined || code === 429 || code >= 500;
}

/** The HTTP status an exporter's error carries (OTLP exporters put it in `code`), if any. */
function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

export function describe(error: unknown): string {
  if (error === undefined) return "export failed";
  if (error instanceof Error) {
    const code = httpStatus(error);
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    const message = error.message === "" && code !== undefined ? `HTTP ${code}` : error.message;
    return `${message}${code !== undefined && !message.includes(String(code)) ? ` (HTTP ${code})` : ""}${detail}`;
  }
  return String(error);
}

function sleep(ms: number, ref: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!ref) timer.unref?.();
  });
}
