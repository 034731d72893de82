import { decodeBlocks, type SpanEvent } from "../decode.js";
import type { EventBlock } from "../events.js";
import { flush, getSink } from "../queue.js";
import { finishedSpans, formatSpanTree, type FinishedSpan } from "./finished-spans.js";
import type { RuntimeReport, Sink } from "./sink.js";

/**
 * Keeps every block in memory; tests read them back as events, or as finished spans with their
 * parents and children (`spans()`, `span(name)`, `tree()`).
 */
export class InMemorySink implements Sink {
  readonly blocks: EventBlock[] = [];
  lastReport: RuntimeReport | null = null;
  /** The spans last built, and how many blocks they were built from: the same objects until more arrive. */
  private built: { blocks: number; spans: FinishedSpan[] } | null = null;

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

  /**
   * Every span recorded so far, in the order they began. When this is the runtime's sink, what
   * is still in the runtime's buffer is flushed to it first, so nothing recorded is missed. The
   * same objects come back until more is recorded, so spans from two calls compare with `toBe`.
   */
  spans(): FinishedSpan[] {
    if (getSink() === this) flush();
    if (this.built === null || this.built.blocks !== this.blocks.length) {
      this.built = { blocks: this.blocks.length, spans: finishedSpans(this.events()) };
    }
    return this.built.spans;
  }

  /**
   * The first span named `name`: its full name (`module::Class.method`) or the part after `::`.
   * Throws, listing the names there are, when there is none.
   */
  span(name: string): FinishedSpan {
    const spans = this.spans();
    const found = spans.find((s) => s.name === name) ?? spans.find((s) => s.name.includes("::") && s.name.slice(s.name.indexOf("::") + 2) === name);
    if (found !== undefined) return found;
    const names = [...new Set(spans.map((s) => s.name))];
    throw new Error(`spanfn: no span named "${name}"; recorded: ${names.length === 0 ? "none" : names.join(", ")}`);
  }

  /** The spans as an indented tree, one line each (`durations: false` for a stable snapshot). */
  tree(options: { durations?: boolean } = {}): string {
    return formatSpanTree(this.spans(), options);
  }

  clear(): void {
    this.blocks.length = 0;
    this.built = null;
  }
}
