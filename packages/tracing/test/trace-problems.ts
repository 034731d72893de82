/**
 * What is wrong with a trace: one checker for the semantics suite (events from the in-memory
 * sink) and the real-code suite (a Chrome trace file of millions of events, fed line by line).
 *
 * A trace is well-formed when thread spans are balanced and nested per thread; every async span
 * is begun once and ended once (an end the runtime wrote at exit for a span still open,
 * `unfinished`, is no end); its parent is a span still open at that moment, with a consistent
 * depth; and every thread span the runtime closed early because its function returned a promise
 * (`endReturn`: the thread-end is followed on its thread by an async begin of the same function)
 * is covered by that async span until the promise settled.
 */
import type { ChromeTraceEvent, SpanEventKind } from "../src/index.js";

export interface CheckedEvent {
  readonly kind: SpanEventKind;
  /** Unknown for a Chrome `E` event, which names nothing. */
  readonly name: string | undefined;
  readonly thread: number;
  readonly spanId: number;
  readonly parentId: number;
  readonly depth: number;
  readonly outcome?: string;
  /** Where the function is: two functions may share a name (`{ a: { value() {} }, b: { value() {} } }`). */
  readonly file?: string;
  readonly line?: number;
}

interface OpenAsync {
  /** `name (file:line)`. */
  readonly name: string;
  readonly depth: number;
  /** Opened by the runtime at a function's return, to last until its promise settles. */
  readonly fromReturn: boolean;
}

/** A function as the checker names it: `name (file:line)` where the event says where. */
function site(e: CheckedEvent): string {
  const name = e.name ?? "?";
  return e.file === undefined ? name : `${name} (${e.file}:${e.line ?? "?"})`;
}

/** Past this many, problems are counted, not listed: a broken trace of millions would flood. */
const LISTED = 40;

export class TraceChecker {
  private readonly listed: string[] = [];
  private problemCount = 0;
  private readonly threadStacks = new Map<number, string[]>();
  private readonly open = new Map<number, OpenAsync>();
  private readonly ended = new Set<number>();
  /** Per thread: the function whose thread span just ended, until the thread's next event. */
  private readonly justEnded = new Map<number, string>();
  /** Functions (`name (file:line)`) whose thread span was followed by an async span from their return. */
  readonly promiseReturning = new Set<string>();
  /** Async spans `finish` was told may stay open, by name: how many did. */
  readonly leftOpen = new Map<string, number>();
  events = 0;
  threadSpans = 0;
  asyncSpans = 0;

  constructor(private readonly begunBefore: ReadonlySet<number> = new Set()) {}

  private problem(text: string): void {
    if (this.problemCount++ < LISTED) this.listed.push(text);
  }

  add(e: CheckedEvent): void {
    this.events++;
    const after = this.justEnded.get(e.thread);
    this.justEnded.delete(e.thread);
    switch (e.kind) {
      case "thread-begin": {
        let stack = this.threadStacks.get(e.thread);
        if (stack === undefined) this.threadStacks.set(e.thread, (stack = []));
        stack.push(site(e));
        this.threadSpans++;
        break;
      }
      case "thread-end": {
        const innermost = this.threadStacks.get(e.thread)?.pop();
        if (innermost === undefined || (e.name !== undefined && innermost !== site(e))) {
          this.problem(`thread-end ${e.name ?? ""} on thread ${e.thread} while the innermost open thread span is ${innermost ?? "none"}`);
        } else this.justEnded.set(e.thread, innermost);
        break;
      }
      case "async-begin": {
        const name = site(e);
        if (this.open.has(e.spanId) || this.ended.has(e.spanId) || this.begunBefore.has(e.spanId)) {
          this.problem(`async span #${e.spanId} (${name}) begun twice`);
        }
        // A parent is a span whose code is running (or waiting on this child): begun, not ended.
        const parent = this.open.get(e.parentId);
        if (e.parentId !== 0 && parent === undefined) {
          const status = this.ended.has(e.parentId) ? "had already ended" : this.begunBefore.has(e.parentId) ? "belongs to an earlier program" : "never began before it";
          this.problem(`async span #${e.spanId} (${name}) has parent #${e.parentId}, which ${status}`);
        }
        const parentDepth = e.parentId === 0 ? 0 : parent?.depth;
        if (parentDepth !== undefined && e.depth !== parentDepth + 1) {
          this.problem(`async span #${e.spanId} (${name}) has depth ${e.depth}; its parent's is ${parentDepth}`);
        }
        const fromReturn = after === name;
        if (fromReturn) this.promiseReturning.add(name);
        this.open.set(e.spanId, { name, depth: e.depth, fromReturn });
        this.asyncSpans++;
        break;
      }
      case "async-end": {
        // The runtime closes what is still open at exit as "unfinished": that is no end.
        if (e.outcome === "unfinished") break;
        if (this.open.delete(e.spanId)) this.ended.add(e.spanId);
        else this.problem(`async span #${e.spanId} (${e.name ?? "?"}) ${this.ended.has(e.spanId) ? "ended twice" : "ended without a begin"}`);
        break;
      }
    }
  }

  /**
   * The problems found; call once every event was added. `mayStayOpen` names the async spans a
   * program leaves open on purpose (a function returning a promise that never settles): they are
   * counted in `leftOpen` instead.
   */
  finish(mayStayOpen: (name: string) => boolean = () => false): string[] {
    for (const [thread, stack] of this.threadStacks) {
      if (stack.length > 0) this.problem(`thread spans never ended on thread ${thread}: ${stack.join(" > ")}`);
    }
    for (const [id, span] of this.open) {
      if (mayStayOpen(span.name)) {
        this.leftOpen.set(span.name, (this.leftOpen.get(span.name) ?? 0) + 1);
        continue;
      }
      this.problem(
        span.fromReturn
          ? `${span.name} returned a promise (async span #${id}) that never settled: its thread span ended, nothing covers the rest`
          : `async span #${id} (${span.name}) never ended`,
      );
    }
    const more = this.problemCount - this.listed.length;
    return more > 0 ? [...this.listed, `… and ${more} more`] : [...this.listed];
  }
}

/** The problems of a whole trace held in memory. */
export function traceProblems(events: Iterable<CheckedEvent>, begunBefore?: ReadonlySet<number>): string[] {
  const checker = new TraceChecker(begunBefore);
  for (const e of events) checker.add(e);
  return checker.finish();
}

const KINDS: Partial<Record<ChromeTraceEvent["ph"], SpanEventKind>> = { B: "thread-begin", E: "thread-end", b: "async-begin", e: "async-end" };

/**
 * A Chrome trace event as the checker reads it; `X` becomes a begin and an end, `M` nothing.
 * An `E` the runtime wrote at exit for a thread span still open (`unfinished`) is no end.
 */
export function fromChrome(e: ChromeTraceEvent): CheckedEvent[] {
  const args = (e.args ?? {}) as { parent?: number; depth?: number; outcome?: string; unfinished?: boolean; file?: string; line?: number };
  if (e.ph === "X") {
    // As its B and E would be: a worker's linked root span names its parent in args.
    const base = { name: e.name, thread: e.tid, spanId: 0, parentId: args.parent ?? 0, depth: 0, file: args.file, line: args.line };
    return [{ kind: "thread-begin", ...base }, { kind: "thread-end", ...base }];
  }
  const kind = KINDS[e.ph];
  if (kind === undefined || (e.ph === "E" && args.unfinished === true)) return [];
  return [
    {
      kind,
      name: e.name,
      thread: e.tid,
      spanId: e.id === undefined ? 0 : Number(e.id),
      parentId: args.parent ?? 0,
      depth: args.depth ?? 0,
      outcome: args.outcome,
      file: args.file,
      line: args.line,
    },
  ];
}
