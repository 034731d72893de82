/**
 * The writer thread: takes sealed blocks from the program's thread, encodes them into the trace
 * file, feeds them to the outputs it hosts (writer-output.ts), and hands their buffers back.
 * Everything after recording happens here, so the program's thread pays for recording and one
 * message per block. It runs none of the program's code and loads no preload (the program's
 * thread starts it with an empty `execArgv`).
 */
import { closeSync, constants, mkdirSync, openSync, readlinkSync, writeSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname, isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { ClockInfo } from "../clock.js";
import type { EventBlock, ThreadInfo } from "../events.js";
import type { SpanMetadata } from "../events.js";
import { countEvents } from "../records.js";
import { deflateSync } from "node:zlib";
import { ChromeTraceWriter } from "../sinks/chrome.js";
import { PerfettoTraceWriter } from "../sinks/perfetto.js";
import { reportArgs } from "../sinks/report-args.js";
import type { TraceWriter } from "../sinks/trace-writer.js";
import { visitBlock, visitUnfinished, type TraceFrame } from "../read/blocks.js";
import { SpanPairer } from "../read/spans.js";
import { SummaryBuilder } from "../read/summary.js";
import type { RuntimeReport } from "../sinks/sink.js";
import { WRITER_OUTPUT_FACTORY, type WriterOutput, type WriterOutputContext } from "./writer-output.js";
import {
  CONTROL_BLOCKS_DONE,
  CONTROL_TRANSFERRED_EVENTS_DONE,
  CONTROL_FAILED,
  CONTROL_SLOTS_DONE,
  CONTROL_STATE,
  WRITER_DONE,
  type BlockMessage,
  type FinishMessage,
  type FlushMessage,
  type FlushReply,
  type FromWriter,
  type OutputReport,
  type ToWriter,
  type WriterReply,
  type WriterSetup,
} from "./writer-protocol.js";

interface ThreadTable {
  readonly thread: ThreadInfo;
  readonly clock: ClockInfo;
  readonly metadata: SpanMetadata[];
}

const setup = workerData as WriterSetup;
const control = new Int32Array(setup.control);
const port = parentPort!;
const threads = new Map<number, ThreadTable>();

let fd: number | null = null;
let failure: string | undefined;
let lostEvents = 0;
let encoder: TraceWriter | null = null;

/** An output this thread hosts; once failed it gets nothing more, and what it missed is counted. */
interface HostedOutput {
  readonly module: string;
  instance: WriterOutput | null;
  failed: boolean;
  error: string | undefined;
  lostEvents: number;
}

const hosted: HostedOutput[] = setup.outputs.map(({ module }) => ({ module, instance: null, failed: false, error: undefined, lostEvents: 0 }));
/**
 * Blocks (copied: their buffers go back at once) and requests that came while the outputs were
 * still loading, in order; null once they are ready.
 */
let early: ToWriter[] | null = hosted.length > 0 ? [] : null;
/** Warnings given while finishing: they go with the reply, as the program's thread reads nothing else by then. */
let finishWarnings: string[] | null = null;
/** The reply is posted this long before the program's thread stops waiting. */
const REPLY_MARGIN_MS = 50;

/** The summary, aggregated from the blocks as they pass, as `spanfn report` would from the file. */
const frame: TraceFrame = { pid: setup.process.pid, originMs: setup.process.clock.timeOrigin };
const summary = setup.summary ? new SummaryBuilder() : null;
const pairer = summary === null ? null : new SpanPairer((span) => summary.add(span));

function send(message: FromWriter, transfer?: ArrayBuffer[]): void {
  port.postMessage(message, transfer);
}

function warn(message: string): void {
  if (finishWarnings !== null) finishWarnings.push(message);
  else send({ kind: "warn", message });
}

function writeChunk(chunk: string | Uint8Array): void {
  if (fd === null) return;
  if (typeof chunk === "string") writeSync(fd, chunk);
  else writeSync(fd, chunk);
}

function fail(error: unknown): void {
  if (failure !== undefined) return;
  failure = `could not write ${setup.out ?? "the trace"}: ${error instanceof Error ? error.message : String(error)}`;
  Atomics.store(control, CONTROL_FAILED, 1);
  if (fd !== null) {
    try {
      closeSync(fd);
    } catch {
      // Already failing: the first error is the one worth reporting.
    }
    fd = null;
  }
  send({ kind: "failed", message: failure });
}

function open(): void {
  if (setup.out === undefined) return;
  try {
    const out = setup.out;
    mkdirSync(dirname(out), { recursive: true });
    // Non-blocking: a FIFO nobody reads (or a reader that stopped) fails the writer, counted,
    // where a blocking call would hold this thread past the program's exit.
    fd = openSync(out, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NONBLOCK, 0o666);
    encoder =
      setup.format === "perfetto"
        ? // Deflate's fastest level: nearly the size of the default at a fraction of its time.
          new PerfettoTraceWriter(writeChunk, { processName: setup.processName, compress: (bytes) => deflateSync(bytes, { level: 1 }) })
        : new ChromeTraceWriter(writeChunk, { processName: setup.processName, bytes: true, lend: true });
    encoder.start(setup.process);
  } catch (error) {
    fail(error);
  }
}

function tableOf(message: BlockMessage): ThreadTable {
  let table = threads.get(message.threadId);
  if (table === undefined) {
    table = { thread: message.thread!, clock: message.clock!, metadata: [] };
    threads.set(message.threadId, table);
  }
  const { metadata } = table;
  for (let i = 0; i < message.metadata.length; i++) metadata[message.metadataFrom + i] = message.metadata[i];
  return table;
}

/** The block a message carries, read against its thread's table (taking in its new metadata). */
function blockOf(message: BlockMessage): EventBlock {
  return { ...tableOf(message), data: message.data, length: message.length, sequence: message.sequence };
}

function onBlock(message: BlockMessage): void {
  const block = blockOf(message);
  let events = 0;
  if (failure === undefined && encoder !== null) {
    try {
      encoder.block(block);
    } catch (error) {
      fail(error);
    }
  }
  if (failure !== undefined) lostEvents += countEvents(block);
  else if (pairer !== null) events = summarise(block);
  else if (!(message.data.buffer instanceof SharedArrayBuffer)) events = countEvents(block);
  if (early !== null) early.push({ ...message, data: message.data.slice(0, message.length) });
  else if (hosted.length > 0) feedOutputs(block, message.attached);
  Atomics.add(control, CONTROL_SLOTS_DONE, message.data.length);
  // After the counts: from here on the program's thread may write into a lent buffer again.
  Atomics.add(control, CONTROL_BLOCKS_DONE, 1);
  if (message.data.buffer instanceof SharedArrayBuffer) return;
  Atomics.add(control, CONTROL_TRANSFERRED_EVENTS_DONE, events);
  send({ kind: "free", data: message.data }, [message.data.buffer as ArrayBuffer]);
}

function feedOutputs(block: EventBlock, attached: unknown): void {
  let events = -1;
  for (const output of hosted) {
    if (!output.failed) {
      try {
        output.instance!.block(block, attached);
        continue;
      } catch (error) {
        outputFailed(output, error);
      }
    }
    if (events < 0) events = countEvents(block);
    output.lostEvents += events;
  }
}

function outputFailed(output: HostedOutput, error: unknown): void {
  if (output.failed) return;
  output.failed = true;
  output.error = error instanceof Error ? error.message : String(error);
}

/** An absolute path as the file URL `import()` takes; URLs and package names as they are. */
function importable(module: string): string {
  return isAbsolute(module) ? pathToFileURL(module).href : module;
}

async function loadOutputs(): Promise<void> {
  const context: WriterOutputContext = { process: setup.process, warn };
  await Promise.all(
    hosted.map(async (output, i) => {
      try {
        const exports = (await import(importable(output.module))) as Record<string, unknown>;
        // A CommonJS module's exports may come as its default export only.
        const factory = exports[WRITER_OUTPUT_FACTORY] ?? (exports.default as Record<string, unknown> | undefined)?.[WRITER_OUTPUT_FACTORY];
        if (typeof factory !== "function") throw new Error(`${output.module} does not export ${WRITER_OUTPUT_FACTORY}()`);
        const instance = (await factory(setup.outputs[i].options, context)) as WriterOutput;
        if (typeof instance?.block !== "function" || typeof instance.finish !== "function") {
          throw new Error(`${WRITER_OUTPUT_FACTORY}() of ${output.module} did not return an output (block and finish)`);
        }
        output.instance = instance;
      } catch (error) {
        outputFailed(output, error);
      }
    }),
  );
}

/** Runs each output's part (flush or finish) until all are done or the deadline; true when all were. */
async function settle(run: (output: WriterOutput) => void | Promise<void> | undefined, deadline: number): Promise<boolean> {
  const all = Promise.all(
    hosted.map(async (output) => {
      if (output.failed) return;
      try {
        await run(output.instance!);
      } catch (error) {
        outputFailed(output, error);
      }
    }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  const finished = await Promise.race([all.then(() => true), late]);
  clearTimeout(timer);
  return finished;
}

function reports(): OutputReport[] {
  return hosted.map((output) => {
    let result: unknown;
    try {
      result = output.instance?.result?.();
    } catch (error) {
      outputFailed(output, error);
    }
    return { module: output.module, result, error: output.error, lostEvents: output.lostEvents };
  });
}

async function onFlush(message: FlushMessage): Promise<void> {
  const deadline = message.deadline - REPLY_MARGIN_MS;
  const done = await settle((output) => output.flush?.(deadline), deadline);
  const reply: FlushReply = { done, outputs: reports() };
  message.reply.postMessage(reply);
  message.reply.close();
}

function summarise(block: EventBlock): number {
  const events = visitBlock(frame, block, pairer!);
  summary!.event(events);
  return events;
}

async function onFinish(message: FinishMessage): Promise<void> {
  finishWarnings = [];
  if (failure === undefined && encoder !== null) {
    try {
      encoder.finish(message.report);
      if (fd !== null) closeSync(fd);
      fd = null;
    } catch (error) {
      fail(error);
    }
  }
  let summarised;
  if (summary !== null && pairer !== null) {
    const report = message.report;
    visitUnfinished(frame, report.unfinished, (report.clock.timeOrigin - frame.originMs + report.at) * 1000, pairer);
    summary.report(reportArgs(report));
    summarised = summary.finish(pairer.openCount());
  }
  // The outputs send the rest while the program's thread waits; this thread's event loop runs.
  const deadline = message.deadline - REPLY_MARGIN_MS;
  if (hosted.length > 0) await settle((output) => output.finish(message.report, deadline), deadline);
  const reply: WriterReply = { lostEvents, error: failure, summary: summarised, outputs: reports(), warnings: finishWarnings };
  message.reply.postMessage(reply);
  message.reply.close();
  done();
  port.close();
}

function done(): void {
  Atomics.store(control, CONTROL_STATE, WRITER_DONE);
  Atomics.notify(control, CONTROL_STATE);
}

function handle(message: ToWriter): void {
  if (message.kind === "block") onBlock(message);
  else if (early !== null) early.push(message);
  else if (message.kind === "flush") void onFlush(message).catch(stopped);
  else void onFinish(message).catch(stopped);
}

/** A bug here must not leave the program's thread waiting at exit for an answer. */
function stopped(error: unknown): void {
  fail(error);
  done();
}

/**
 * Where the system allows it (Linux names this thread in /proc), the writer runs at a lower
 * priority than the program: when the two want the same core, the program's thread gets it, and
 * the writer catches up while the program waits (at exit it waits for the writer). The writer
 * keeps its own core when one is free.
 */
function yieldToProgram(): void {
  try {
    const task = /\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"));
    if (task !== null) setPriority(Number(task[1]), WRITER_NICE);
  } catch {
    // Not Linux, or not allowed: the writer runs at the program's priority.
  }
}

const WRITER_NICE = 10;

yieldToProgram();
open();
if (early !== null) {
  void loadOutputs().then(() => {
    const waiting = early!;
    early = null;
    for (const message of waiting) {
      try {
        if (message.kind === "block") feedOutputs(blockOf(message), message.attached);
        else handle(message);
      } catch (error) {
        stopped(error);
      }
    }
  });
}
port.on("message", (message: ToWriter) => {
  try {
    handle(message);
  } catch (error) {
    stopped(error);
  }
});
