/**
 * @spanfn/tracing/node: what a Node program needs around the core runtime: a trace file, flush
 * at exit, worker threads joining the main thread's trace, and AsyncLocalStorage propagation.
 */
import { configure, type RuntimeOptions } from "../configure.js";
import { setFlushInterval } from "../flush-timer.js";
import { setSink } from "../queue.js";
import type { RuntimeReport, Sink } from "../sinks/sink.js";
import { state } from "../state.js";
import { installExitHooks } from "./exit.js";
import { ChromeTraceFileSink } from "./file-sink.js";
import { TraceWriterSink } from "./writer.js";
import { WRITER_SCRIPT } from "./writer-script.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { identifyThread, isMainThread } from "./thread.js";
import { ForwardingSink, mainThreadReceives, receiveWorkerBlocks } from "./worker.js";
import { enableAsyncContext } from "./async-context.js";
import { useExactSettlement } from "./settlement.js";
import { linkWorkers } from "./worker-links.js";

export { ChromeTraceFileSink } from "./file-sink.js";
export {
  TraceWriterSink,
  formatOf,
  type TraceFormat,
  type TraceWriterOptions,
  type WriterOutputSpec,
  type OutputReport,
  type FlushReply,
  type WriterOutput,
  type WriterOutputContext,
  type WriterOutputFactory,
} from "./writer.js";
export { installExitHooks, uninstallExitHooks } from "./exit.js";
export { enableAsyncContext, disableAsyncContext, asyncContextEnabled } from "./async-context.js";
export { useExactSettlement } from "./settlement.js";
export { ForwardingSink, receiveWorkerBlocks, stopReceivingWorkerBlocks } from "./worker.js";

export interface InstallOptions extends Omit<RuntimeOptions, "sink"> {
  /**
   * Write a trace to this file (main thread): Perfetto's protobuf format for `.pftrace`, Chrome
   * JSON otherwise. A writer thread encodes and writes it, off the program's thread.
   */
  out?: string;
  /** "thread" (default): the trace file is written on a writer thread; "inline": on this thread. */
  writer?: "thread" | "inline";
  /** Or hand blocks to this sink (main thread); `out` wins if both are given. */
  sink?: Sink;
  /** Flush every this many ms (default 1000; 0 = only when a block fills and at exit). */
  flushIntervalMs?: number;
  /** Propagate the current span through AsyncLocalStorage (slower; see README). */
  asyncContext?: boolean;
  /**
   * How a promise returned by a function without `async` is watched until it settles:
   * "exact" (default: `v8.promiseHooks`, nothing attached, rejection reporting unchanged) or
   * "reaction" (one `then` reaction: much cheaper, but the promise counts as handled).
   */
  settlement?: "exact" | "reaction";
  /** Name of the process in the trace viewer. */
  processName?: string;
  /**
   * Called at exit with the runtime's report; default prints one line to stderr when events were
   * lost, and one when no function was instrumented (a build without the plugin).
   */
  onExit?: (report: RuntimeReport) => void;
}

/**
 * Sets up tracing for this Node thread. On the main thread: the sink (or trace file), worker
 * blocks joining it, periodic flush, flush at exit. On a worker: blocks go to the main thread.
 */
export function install(options: InstallOptions = {}): void {
  identifyThread();
  const { out, sink, writer = "thread", flushIntervalMs = 1000, asyncContext = false, settlement = "exact", processName, onExit, ...runtime } = options;
  if (settlement !== "exact" && settlement !== "reaction") {
    throw new TypeError(`spanfn: option "settlement" must be "exact" or "reaction"; got ${JSON.stringify(settlement)}`);
  }
  if (writer !== "thread" && writer !== "inline") {
    throw new TypeError(`spanfn: option "writer" must be "thread" or "inline"; got ${JSON.stringify(writer)}`);
  }
  configure(runtime);
  useExactSettlement(settlement === "exact");
  if (asyncContext) enableAsyncContext();
  if (isMainThread) {
    const chosen = out !== undefined ? traceFileSink(out, writer, processName) : sink;
    if (chosen !== undefined) setSink(chosen);
    receiveWorkerBlocks();
  } else {
    if (sink !== undefined) setSink(sink);
    else if (state.sink === null) setSink(new ForwardingSink());
    if (runtime.enabled === undefined) configure({ enabled: true });
  }
  setFlushInterval(flushIntervalMs);
  installExitHooks(onExit ?? printReport);
  linkWorkers();
}

/** install()'s default at exit: what the trace misses, or that nothing was there to record. */
function printReport(report: RuntimeReport): void {
  printLosses(report);
  // Comment markers are read by the Babel plugin alone: without it in the build, nothing says so.
  if (isMainThread && state.enabled && state.metadata.length === 0 && !state.node.workerBlocks) {
    process.stderr.write(
      "spanfn: no function was instrumented, so the trace holds no spans: /** @spanFn */ markers are read at build time by @spanfn/babel-plugin (or @spanfn/unplugin in a bundler; spanfn run applies it)\n",
    );
  }
}

function traceFileSink(out: string, writer: "thread" | "inline", processName: string | undefined): Sink {
  if (writer === "thread" && writerCanStart()) return new TraceWriterSink(out, { processName });
  return new ChromeTraceFileSink(out, { processName });
}

/**
 * Whether the writer thread's script is on disk in this package's layout, the package's Node entry
 * beside its folder. A bundle of the program carries neither (Rollup, esbuild), or the script
 * alone as an asset (webpack, rspack): the trace is then written on this thread, as with
 * `writer: "inline"`, rather than not at all.
 */
function writerCanStart(): boolean {
  try {
    return existsSync(fileURLToPath(WRITER_SCRIPT)) && existsSync(fileURLToPath(new URL("../index.node.js", WRITER_SCRIPT)));
  } catch {
    return false;
  }
}

/** One line on stderr when the trace is missing something, and why. */
export function printLosses(report: RuntimeReport): void {
  const line = describeLosses(report);
  if (line !== "") process.stderr.write(`${line}\n`);
}

export function describeLosses(report: RuntimeReport): string {
  const parts: string[] = [];
  if (report.droppedSpans > 0) parts.push(`${report.droppedSpans} spans dropped (buffers full: raise maxBufferedBytes)`);
  if (report.sinkErrors > 0) parts.push(`${report.sinkErrors} sink errors lost ${report.lostEvents} events`);
  if (report.earlySpans > 0) parts.push(`${report.earlySpans} calls not recorded: they ran before their module's body (an import cycle)`);
  if (report.lostEnds > 0) parts.push(`${report.lostEnds} span ends lost to a throw past the stack limit (each ended with the span around it)`);
  if (report.unfinished.length > 0) {
    const names = [...new Set(report.unfinished.map((s) => s.name))];
    const shown = names.slice(0, 5).join(", ") + (names.length > 5 ? `, +${names.length - 5} more` : "");
    parts.push(`${report.unfinished.length} spans unfinished at exit (${shown})`);
  }
  const lines = parts.length === 0 ? [] : [`spanfn: ${parts.join("; ")}`];
  // A site with no file was defined at run time: a method the @spanFn decorator wrapped without
  // the Babel plugin, which cannot see a return type, so annotating it would change nothing.
  const built = report.promiseReturningSync.filter((f) => f.file !== "");
  const decorated = report.promiseReturningSync.filter((f) => f.file === "");
  if (built.length > 0) {
    lines.push(
      `spanfn: ${built.length} functions without async returned promises (${listed(built.map((f) => `${f.name} (${f.file}:${f.line})`))}); their spans began at the return: annotate the return type as Promise<…> to time them from the call`,
    );
  }
  if (decorated.length > 0) {
    lines.push(
      `spanfn: ${decorated.length} methods decorated with @spanFn returned promises without async (${listed(decorated.map((f) => f.name))}); their spans began at the return: the decorator ran without the Babel plugin, which times them from the call (add @spanfn/babel-plugin to the build, or @spanfn/unplugin to a bundler), or make them async`,
    );
  }
  return lines.join("\n");
}

function listed(names: string[]): string {
  return names.slice(0, 5).join(", ") + (names.length > 5 ? `, +${names.length - 5} more` : "");
}

/**
 * Worker threads set themselves up as soon as the runtime loads there: their blocks go to the
 * main thread when it takes them (it called `install()`); otherwise the worker records nothing,
 * rather than filling buffers nobody reads.
 */
export function attachWorkerThread(): void {
  identifyThread();
  if (isMainThread || state.sink !== null) return;
  if (!mainThreadReceives()) {
    configure({ enabled: false });
    return;
  }
  setSink(new ForwardingSink());
  setFlushInterval(1000);
  installExitHooks(() => {});
  linkWorkers();
}
