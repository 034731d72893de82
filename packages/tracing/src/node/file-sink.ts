import { closeSync, openSync, writeSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { recycle } from "../queue.js";
import type { EventBlock } from "../events.js";
import { ChromeTraceWriter, type ChromeTraceOptions } from "../sinks/chrome.js";
import type { ProcessInfo, RuntimeReport, Sink } from "../sinks/sink.js";

/**
 * Writes a Chrome trace file as blocks arrive, with synchronous writes so that what was flushed
 * is on disk even if the process dies right after; memory stays at one block's text.
 */
export class ChromeTraceFileSink implements Sink {
  private fd: number | null = null;
  private readonly writer: ChromeTraceWriter;

  constructor(
    readonly path: string,
    options: ChromeTraceOptions = {},
  ) {
    this.writer = new ChromeTraceWriter(
      (chunk: Uint8Array) => {
        if (this.fd !== null) writeSync(this.fd, chunk);
      },
      { ...options, bytes: true, lend: true },
    );
  }

  init(process: ProcessInfo): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, "w");
    this.writer.start(process);
  }

  block(block: EventBlock): void {
    if (this.fd === null) throw new Error(`spanfn: trace file ${this.path} is not open`);
    this.writer.block(block);
    recycle(block);
  }

  shutdown(report: RuntimeReport): void {
    if (this.fd === null) return;
    this.writer.finish(report);
    closeSync(this.fd);
    this.fd = null;
  }
}
