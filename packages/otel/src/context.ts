/**
 * Joining a trace the program already has: when a spanfn span with no spanfn parent begins
 * while an OpenTelemetry span is active, the runtime records a number naming that span's
 * context, and the assembler makes it the parent. Numbers only grow and are used in recording
 * order, so once a block is assembled every number it used (but the latest) can be released.
 */
import { context, createTraceState, isSpanContextValid, trace, type SpanContext } from "@opentelemetry/api";

/** A captured context as it travels to the writer thread with a block: plain data. */
export interface ShippedContext {
  readonly id: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState: string | undefined;
  readonly isRemote: boolean;
}

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

  /**
   * The contexts captured since the last call, as plain data, forgotten here (the writer thread
   * resolves them from then on); undefined when there are none, which is nearly always unless
   * the program uses OpenTelemetry. A block is posted after every root span in it began, so the
   * contexts it names always travel with it or before it.
   */
  take(): ShippedContext[] | undefined {
    if (this.contexts.size === 0) return undefined;
    const shipped: ShippedContext[] = [];
    for (const [id, c] of this.contexts) {
      shipped.push({ id, traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags, traceState: c.traceState?.serialize(), isRemote: c.isRemote === true });
    }
    this.contexts.clear();
    return shipped;
  }
}

/** The writer thread's side of OutsideContexts: contexts shipped with the blocks, by number. */
export class ReceivedContexts {
  private readonly contexts = new Map<number, SpanContext>();
  private latest = 0;

  add(shipped: readonly ShippedContext[]): void {
    for (const { id, traceId, spanId, traceFlags, traceState, isRemote } of shipped) {
      this.contexts.set(id, { traceId, spanId, traceFlags, isRemote, ...(traceState === undefined ? {} : { traceState: createTraceState(traceState) }) });
      if (id > this.latest) this.latest = id;
    }
  }

  resolve(id: number): SpanContext | undefined {
    return this.contexts.get(id);
  }

  /** Forgets numbers up to `id` but the latest, which a root span begun later may still name. */
  release(id: number): void {
    for (const key of this.contexts.keys()) {
      if (key > id) break;
      if (key !== this.latest) this.contexts.delete(key);
    }
  }
}
