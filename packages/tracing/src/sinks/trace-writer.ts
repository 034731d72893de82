/**
 * What every trace format's encoder looks like (Chrome JSON, Perfetto), and the sink that keeps
 * an encoder's output in memory: one shape, so the writer thread and the in-memory sinks take
 * any format.
 */
import { recycle } from "../queue.js";
import type { EventBlock } from "../events.js";
import type { ProcessInfo, RuntimeReport, Sink } from "./sink.js";

export interface TraceWriter {
  /** Opens the trace with the process's metadata. */
  start(process: ProcessInfo): void;
  block(block: EventBlock): void;
  /** Ends what is still open (marked unfinished), records the report, closes the trace. */
  finish(report: RuntimeReport): void;
}

/** Builds a whole trace in memory, chunk by chunk; for browsers, tests, and small programs. */
export class InMemoryTraceSink<Chunk> implements Sink {
  protected readonly chunks: Chunk[] = [];
  private readonly writer: TraceWriter;
  finished = false;

  constructor(makeWriter: (write: (chunk: Chunk) => void) => TraceWriter) {
    this.writer = makeWriter((chunk) => this.chunks.push(chunk));
  }

  init(process: ProcessInfo): void {
    this.writer.start(process);
  }

  block(block: EventBlock): void {
    this.writer.block(block);
    recycle(block);
  }

  shutdown(report: RuntimeReport): void {
    this.writer.finish(report);
    this.finished = true;
  }
}
