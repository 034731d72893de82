/**
 * The one interface every trace reader reports to (Chrome JSON, Perfetto protobuf, the runtime's
 * own blocks), so that pairing and summarising are written once.
 */

/** What trace readers report, in file order; times in microseconds. */
export interface TraceEventVisitor {
  threadName?(thread: string, name: string): void;
  threadBegin(thread: string, ts: number, name: string, args?: Record<string, unknown>): void;
  threadEnd(thread: string, ts: number, unfinished: boolean): void;
  /** A thread span in one call (Chrome's `X`), before the spans inside it if any; visitors without it get a begin and an end. */
  threadComplete?(thread: string, ts: number, duration: number, name: string, args?: Record<string, unknown>): void;
  asyncBegin(id: string, thread: string, ts: number, name: string, parent: string | null, args?: Record<string, unknown>): void;
  asyncEnd(id: string, ts: number, outcome: string): void;
  report?(args: Record<string, unknown>): void; // the spanfn_report counters, as the Chrome trace's M event args
}
