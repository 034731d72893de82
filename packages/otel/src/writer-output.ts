/**
 * OpenTelemetry export as an output of spanfn's writer thread (TraceWriterOptions.outputs):
 * assembly, conversion, batching and OTLP requests all run there, so the program's thread pays
 * for recording and one message per block. When the export queue is full, blocks wait here,
 * copied and compact, and are assembled as batches go out: a burst the collector cannot take at
 * once is sent late rather than dropped, up to a memory cap (beyond it spans are dropped and
 * counted). At exit the program's thread waits while this thread sends the rest.
 */
import { EventKind, forEachRecord, type EventBlock, type RuntimeReport } from "@spanfn/tracing";
import type { WriterOutput, WriterOutputContext } from "@spanfn/tracing/node";
import type { Attributes } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SpanAssembler } from "./assemble.js";
import { ReceivedContexts, type ShippedContext } from "./context.js";
import { ExportedSpan } from "./convert.js";
import { createOtlpExporter, type OtlpConfig } from "./exporter.js";
import { describe, ExportPipeline, type ExportStats } from "./pipeline.js";
import type { ResolvedSettings } from "./settings.js";

/** What installOtel resolves on the program's thread and sends here (plain data). */
export interface OtelOutputOptions {
  readonly otlp: OtlpConfig;
  readonly settings: ResolvedSettings;
  /** The resource's attributes, resolved from the program's environment and process. */
  readonly resource: Attributes;
  /** The thread whose blocks may name outside contexts (the one that captures them). */
  readonly contextThread: number;
  /** Bytes of blocks held back while the export queue is full; beyond, spans are dropped (counted). */
  readonly maxBacklogBytes: number;
}

export function createWriterOutput(options: unknown, context: WriterOutputContext): WriterOutput {
  return new OtelWriterOutput(options as OtelOutputOptions, context);
}

class OtelWriterOutput implements WriterOutput {
  private readonly pipeline: ExportPipeline;
  private readonly assembler: SpanAssembler;
  private readonly contexts = new ReceivedContexts();
  private backlog: EventBlock[] = [];
  private backlogHead = 0;
  private backlogBytes = 0;
  /** Spans recorded that never reached the queue: held back when the deadline came, or the collector was failing. */
  private unsent = 0;
  private unsentFailed = 0;
  private closed = false;
  /** The program is done: a failing collector gets no more of the held blocks. */
  private finishing = false;
  private warnedFailure = false;

  constructor(
    private readonly options: OtelOutputOptions,
    private readonly context: WriterOutputContext,
  ) {
    const resource = resourceFromAttributes(options.resource);
    this.pipeline = new ExportPipeline(
      createOtlpExporter(options.otlp),
      (span) => new ExportedSpan(span, resource),
      options.settings,
      (error, willRetry) => this.exportFailed(error, willRetry),
      () => this.drain(),
    );
    this.assembler = new SpanAssembler(
      (span) => this.pipeline.push(span),
      (id, thread) => (thread === options.contextThread ? this.contexts.resolve(id) : undefined),
    );
  }

  block(block: EventBlock, attached: unknown): void {
    if (attached !== undefined) this.contexts.add(attached as ShippedContext[]);
    if (this.backlogHead === this.backlog.length && this.fits(block)) return this.assemble(block);
    if (this.backlogBytes + block.length * 8 > this.options.maxBacklogBytes) {
      // Past the cap: assembled now, in order, so what follows still pairs; the queue drops and counts.
      this.drainAll();
      return this.assemble(block);
    }
    // The buffer goes back to the program's thread on return.
    this.backlog.push({ ...block, data: block.data.slice(0, block.length) });
    this.backlogBytes += block.length * 8;
  }

  async flush(deadline: number): Promise<void> {
    while (!this.closed) {
      this.drain();
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.pipeline.flush(left))) return;
      // A collector that failed the last batch, retries included, will not take the rest in time.
      if (this.backlogHead === this.backlog.length || this.pipeline.failing) return;
    }
  }

  async finish(report: RuntimeReport, deadline: number): Promise<void> {
    const end = Math.min(deadline, Date.now() + this.options.settings.shutdownTimeoutMillis);
    this.finishing = true;
    await this.flush(end);
    this.closed = true;
    if (this.backlogHead < this.backlog.length) {
      // Blocks still held: their spans, and those they would have ended, are counted, not sent.
      let held = this.assembler.openCount;
      for (let i = this.backlogHead; i < this.backlog.length; i++) held += beginsIn(this.backlog[i]);
      if (this.pipeline.failing) this.unsentFailed += held;
      else this.unsent += held;
      this.backlog = [];
      this.backlogHead = 0;
    } else {
      this.assembler.closeAll(report);
    }
    await this.pipeline.shutdown(Math.max(0, end - Date.now()));
  }

  result(): ExportStats {
    const stats = this.pipeline.snapshot();
    return { ...stats, pending: stats.pending + this.unsent, failed: stats.failed + this.unsentFailed };
  }

  /** Room in the queue for every span the block could end (or an empty queue: a block larger than the queue must go in some time). */
  private fits(block: EventBlock): boolean {
    return this.pipeline.idle || this.pipeline.room >= block.length / 2;
  }

  private assemble(block: EventBlock): void {
    const outsideSeen = this.assembler.add(block);
    if (outsideSeen > 0) this.contexts.release(outsideSeen);
  }

  /** A batch went out: assemble held blocks while the queue has room for them. */
  private drain(): void {
    if (this.closed || (this.finishing && this.pipeline.failing)) return;
    const backlog = this.backlog;
    while (this.backlogHead < backlog.length && this.fits(backlog[this.backlogHead])) {
      const block = backlog[this.backlogHead];
      backlog[this.backlogHead++] = undefined as unknown as EventBlock;
      this.backlogBytes -= block.length * 8;
      this.assemble(block);
    }
    if (this.backlogHead === backlog.length) {
      this.backlog = [];
      this.backlogHead = 0;
    }
  }

  private drainAll(): void {
    for (let i = this.backlogHead; i < this.backlog.length; i++) this.assemble(this.backlog[i]);
    this.backlog = [];
    this.backlogHead = 0;
    this.backlogBytes = 0;
  }

  private exportFailed(error: unknown, willRetry: boolean): void {
    if (this.warnedFailure) return;
    this.warnedFailure = true;
    this.context.warn(
      `spanfn: exporting spans to ${this.options.otlp.url} failed (${describe(error)})${willRetry ? "; retrying with back-off" : ""}. ` +
        "The program goes on; spans that cannot be sent are dropped and counted.",
    );
  }
}

/** Spans begun in a block (a complete thread span counts once). */
function beginsIn(block: EventBlock): number {
  let begins = 0;
  forEachRecord(block, ({ kind }) => {
    if (kind === EventKind.threadBegin || kind === EventKind.threadBeginInside || kind === EventKind.asyncBegin) begins++;
  });
  return begins;
}
