/**
 * One stream to several sinks (a trace file and an exporter, say). Each sink sees every block;
 * one that throws does not keep the block from the others, and its error still reaches the
 * runtime's accounting. A block is only read by sinks, never changed, so sharing it is safe; it
 * is marked shared, so a member that recycles buffers cannot hand it back while another keeps it.
 */
import { share } from "../queue.js";
import type { EventBlock } from "../events.js";
import type { ProcessInfo, RuntimeReport, Sink } from "./sink.js";

export class TeeSink implements Sink {
  readonly sinks: readonly Sink[];

  constructor(sinks: readonly Sink[]) {
    this.sinks = [...sinks];
  }

  init(process: ProcessInfo): void {
    this.each((sink) => sink.init?.(process));
  }

  block(block: EventBlock): void | Promise<void> {
    if (this.sinks.length > 1) share(block);
    return this.each((sink) => sink.block(block));
  }

  shutdown(report: RuntimeReport): void | Promise<void> {
    return this.each((sink) => sink.shutdown?.(report));
  }

  /** Calls every sink; waits for those that return promises; the first failure is passed on. */
  private each(call: (sink: Sink) => void | PromiseLike<void>): void | Promise<void> {
    let failure: { error: unknown } | undefined;
    const waiting: PromiseLike<void>[] = [];
    for (const sink of this.sinks) {
      try {
        const result = call(sink);
        if (result !== undefined && typeof result.then === "function") waiting.push(result);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (waiting.length === 0) {
      if (failure !== undefined) throw failure.error;
      return;
    }
    return Promise.allSettled(waiting).then((results) => {
      if (failure !== undefined) throw failure.error;
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (rejected !== undefined) throw rejected.reason;
    });
  }
}
