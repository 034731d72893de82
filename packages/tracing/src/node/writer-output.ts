/**
 * What an output hosted by the writer thread is (TraceWriterOptions.outputs): an ES module
 * exporting `createWriterOutput`, which the writer thread imports and calls once. The output then
 * sees every block in order, off the program's thread, and finishes while the program's thread
 * waits at shutdown; the writer thread's event loop runs meanwhile, so network I/O completes.
 */
import type { EventBlock } from "../events.js";
import type { ProcessInfo, RuntimeReport } from "../sinks/sink.js";

export interface WriterOutputContext {
  readonly process: ProcessInfo;
  /** One line on the program's stderr. */
  warn(message: string): void;
}

export interface WriterOutput {
  /**
   * A sealed block, with what the program's thread attached to it (TraceWriterOptions.attach).
   * Its buffer goes back to the program's thread on return: keep a copy of anything needed later.
   */
  block(block: EventBlock, attached: unknown): void;
  /** Sends what is held, by `deadline` (epoch milliseconds). */
  flush?(deadline: number): Promise<void>;
  /** The program is done: send the rest by `deadline` (epoch milliseconds). */
  finish(report: RuntimeReport, deadline: number): void | Promise<void>;
  /** How it went (structured-cloneable), read after `flush` and `finish`. */
  result?(): unknown;
}

export type WriterOutputFactory = (options: unknown, context: WriterOutputContext) => WriterOutput | Promise<WriterOutput>;

/** The name an output module exports its factory under. */
export const WRITER_OUTPUT_FACTORY = "createWriterOutput";
