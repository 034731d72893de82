import { InMemorySink, flush, registerSpans, setSink, type AsyncSpan, type SpanEvent } from "../src/index.js";
import { Row } from "../src/layout.js";
import { state } from "../src/state.js";

/** The id of an open async span (0 for one not recorded); read it before the span ends. */
export function idOf(span: AsyncSpan): number {
  return span < 0 ? 0 : state.asyncRows[span * Row.size];
}

/** The parent id of an open async span. */
export function parentOf(span: AsyncSpan): number {
  return span < 0 ? 0 : state.asyncRows[span * Row.size + Row.parent];
}

/** A fresh in-memory sink installed as the runtime's sink. */
export function memorySink(): InMemorySink {
  const sink = new InMemorySink();
  setSink(sink);
  return sink;
}

/** Registers sites named after `names` (line = index + 1) and returns name -> metadata id. */
export function sites<const N extends string>(names: readonly N[], level?: number): Record<N, number> {
  const first = registerSpans("test/target", "test/file.ts", names.map((n, i) => [n, i + 1, level] as const));
  return Object.fromEntries(names.map((n, i) => [n, first + i])) as Record<N, number>;
}

/** Flushes and returns the events recorded into `sink` since it was last cleared. */
export function take(sink: InMemorySink): SpanEvent[] {
  flush();
  const events = sink.events();
  sink.clear();
  return events;
}

/** `kind:name` for each event: the shape of a trace at a glance. */
export function shape(events: readonly SpanEvent[]): string[] {
  return events.map((e) => `${e.kind}:${e.name}`);
}
