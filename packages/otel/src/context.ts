/**
 * Joining a trace the program already has: when a spanfn span with no spanfn parent begins
 * while an OpenTelemetry span is active, the runtime records a number naming that span's
 * context, and the assembler makes it the parent. Numbers only grow and are used in recording
 * order, so once a block is assembled every number it used (but the latest) can be released.
 */
import { context, isSpanContextValid, trace, type SpanContext } from "@opentelemetry/api";

export class OutsideContexts {
  private readonly contexts = new Map<number, SpanContext>();
  private next = 1;
  private last: SpanContext | undefined;
  private lastId = 0;
  /** Lookups that threw (a broken context manager): counted, never passed to the program. */
  errors = 0;

  /** The runtime's `linkRootSpans` hook: called as each root span begins, on the hot path. */
  readonly capture = (): number => {
    let active: SpanContext | undefined;
    try {
      active = trace.getSpanContext(context.active());
    } catch {
      this.errors++;
      return 0;
    }
    if (active === undefined || !isSpanContextValid(active)) return 0;
    const last = this.last;
    if (last !== undefined && (last === active || (last.spanId === active.spanId && last.traceId === active.traceId))) return this.lastId;
    const id = this.next++;
    this.contexts.set(id, active);
    this.last = active;
    this.lastId = id;
    return id;
  };

  resolve(id: number): SpanContext | undefined {
    return this.contexts.get(id);
  }

  /** Forgets numbers up to `id`, except the latest, which the next root span may still reuse. */
  release(id: number): void {
    for (const key of this.contexts.keys()) {
      if (key > id) break;
      if (key !== this.lastId) this.contexts.delete(key);
    }
  }

  get size(): number {
    return this.contexts.size;
  }
}
