import { decodeBlocks, type SpanEvent } from "../decode.js";
import type { EventBlock } from "../events.js";
import type { RuntimeReport, Sink } from "./sink.js";

/** Keeps every block in memory; tests read them back as plain events. */
export class InMemorySink implements Sink {
  readonly blocks: EventBlock[] = [];
  lastReport: RuntimeReport | null = null;

  block(block: EventBlock): void {
    this.blocks.push(block);
  }

  shutdown(report: RuntimeReport): void {
    this.lastReport = report;
  }

  /** Every event received so far, decoded, in arrival order (per thread: recording order). */
  events(): SpanEvent[] {
    return decodeBlocks(this.blocks);
  }

  clear(): void {
    this.blocks.length = 0;
  }
}
