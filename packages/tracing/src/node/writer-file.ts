/**
 * The trace file the writer thread writes: opened at the thread's start, each block encoded into
 * it as it comes, finished at exit. A failure closes the file; the blocks after it are counted,
 * not written.
 */
import { closeSync, constants, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { EventBlock } from "../events.js";
import { countEvents } from "../records.js";
import { ChromeTraceWriter } from "../sinks/chrome.js";
import { PerfettoTraceWriter } from "../sinks/perfetto.js";
import type { RuntimeReport } from "../sinks/sink.js";
import type { TraceWriter } from "../sinks/trace-writer.js";
import type { WriterSetup } from "./writer-protocol.js";
import { lazyBuiltin } from "./builtin.js";

// Only Perfetto traces are deflated.
const zlib = lazyBuiltin<typeof import("node:zlib")>("node:zlib");

export class WriterFile {
  /** Why the file failed, once it has. */
  failure: string | undefined;
  /** Events of the blocks that came after the failure. */
  lostEvents = 0;
  private fd: number | null = null;
  private encoder: TraceWriter | null = null;

  /** `failed` hears the first failure's message, after the file is closed. */
  constructor(
    private readonly setup: WriterSetup,
    private readonly failed: (message: string) => void,
  ) {}

  /** Opens the file and starts the trace in it; nothing when the setup names no file. */
  open(): void {
    const { setup } = this;
    if (setup.out === undefined) return;
    try {
      const out = setup.out;
      mkdirSync(dirname(out), { recursive: true });
      // Non-blocking: a FIFO nobody reads (or a reader that stopped) fails the writer, counted,
      // where a blocking call would hold this thread past the program's exit.
      this.fd = openSync(out, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NONBLOCK, 0o666);
      const write = (chunk: Uint8Array) => this.write(chunk);
      this.encoder =
        setup.format === "perfetto"
          ? // Deflate's fastest level: nearly the size of the default at a fraction of its time.
            new PerfettoTraceWriter(write, { processName: setup.processName, compress: (bytes) => zlib().deflateSync(bytes, { level: 1 }) })
          : new ChromeTraceWriter(write, { processName: setup.processName, bytes: true, lend: true });
      this.encoder.start(setup.process);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Encodes `block` into the file; false when the file has failed (now or before), its events counted as lost. */
  block(block: EventBlock): boolean {
    if (this.failure === undefined && this.encoder !== null) {
      try {
        this.encoder.block(block);
      } catch (error) {
        this.fail(error);
      }
    }
    if (this.failure === undefined) return true;
    this.lostEvents += countEvents(block);
    return false;
  }

  /** Ends the trace with the runtime's report and closes the file. */
  finish(report: RuntimeReport): void {
    if (this.failure !== undefined || this.encoder === null) return;
    try {
      this.encoder.finish(report);
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Closes the file, keeping the first error only. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = `could not write ${this.setup.out ?? "the trace"}: ${error instanceof Error ? error.message : String(error)}`;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already failing: the first error is the one worth reporting.
      }
      this.fd = null;
    }
    this.failed(this.failure);
  }

  private write(chunk: Uint8Array): void {
    if (this.fd !== null) writeSync(this.fd, chunk);
  }
}
