/**
 * @spanfn/tracing: the runtime every instrumented function calls. Browser-safe: nothing here
 * needs Node; Node's extras (exit flush, trace files, worker threads, AsyncLocalStorage) live in
 * `@spanfn/tracing/node`.
 */
export { begin, beginGated, beginWord, beginOutermost, beginEarly, end, reenter, linkRootSpans } from "./thread-spans.js";
export { NOT_RECORDED } from "./layout.js";
export { beginAsync, suspend, resume, fail, endAsync, detachAsync, reenterAsync, adopt, leave, currentSpanId } from "./async-spans.js";
export { registerSpans, siteGates, siteCalls, defineSpan, getMetadata, type SpanMetadata, type SpanSite, type SpanOptions } from "./metadata.js";
export { Level, parseLevel, levelName, type LevelName, type LevelValue } from "./levels.js";
export { configure, type RuntimeOptions } from "./configure.js";
export { flush, flushAsync, setSink, getSink, recycle, share } from "./queue.js";
export { report, shutdown } from "./report.js";
export { setFlushInterval } from "./flush-timer.js";
export { threadSpan, instrumentPromise } from "./manual.js";
export type { DemoteOptions, DemotedSite, LearnedDemotion } from "./events.js";
export { endReturn } from "./settle.js";
export { forAwait } from "./for-await.js";
export { chainThen, chainCatch, chainNew } from "./chain.js";
export { spanFn, type SpanFnDecorator } from "./decorator.js";
export { decodeBlock, decodeBlocks, type SpanEvent, type SpanEventKind } from "./decode.js";
export { forEachRecord, RecordReader, type BlockRecord, type ReadOptions } from "./records.js";
export { EventKind, type EventBlock, type ThreadInfo, type Outcome } from "./events.js";
export { now, clockInfo, type ClockInfo } from "./clock.js";
export type { AsyncSpan } from "./state.js";
/** @deprecated The same value under its old name: use NOT_RECORDED. */
export { NOT_RECORDED as UNRECORDED } from "./layout.js";
export type { OpenSpan } from "./events.js";
export type { Sink, ProcessInfo, RuntimeReport } from "./events.js";
export { InMemorySink } from "./sinks/memory.js";
export { finishedSpans, formatSpanTree, type FinishedSpan } from "./sinks/finished-spans.js";
export { NullSink } from "./sinks/null.js";
export { TeeSink } from "./sinks/tee.js";
export {
  ChromeTraceSink,
  ChromeTraceWriter,
  parseChromeTrace,
  TRACE_CATEGORY,
  WORKER_FLOW_CATEGORY,
  type ChromeTraceEvent,
  type ChromeTraceOptions,
  type ChromeTraceBytesOptions,
} from "./sinks/chrome.js";
export type { TraceEventVisitor } from "./read/visitor.js";
export { SpanPairer, type CompletedSpan } from "./read/spans.js";
export { SummaryBuilder, type Summary, type SpanStats } from "./read/summary.js";
export { PerfettoTraceSink, PerfettoTraceWriter, type PerfettoTraceOptions } from "./sinks/perfetto.js";
export type { TraceWriter } from "./sinks/trace-writer.js";
export { BrowserTraceSink, type BrowserTraceOptions, type BrowserTraceFormat, type BrowserTraceMode, type TraceWorkerLike } from "./browser/trace-sink.js";
