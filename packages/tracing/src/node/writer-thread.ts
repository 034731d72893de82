/**
 * The writer thread: takes sealed blocks from the program's thread, encodes them into the trace
 * file and hands their buffers back. Everything after recording happens here, so the program's
 * thread pays for recording and one message per block. It runs none of the program's code and
 * loads no preload (the program's thread starts it with an empty `execArgv`).
 */
import { closeSync, constants, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import type { ClockInfo } from "../clock.js";
import type { EventBlock, ThreadInfo } from "../events.js";
import type { SpanMetadata } from "../metadata.js";
import { countRecords } from "../decode.js";
import { deflateSync } from "node:zlib";
import { ChromeTraceWriter } from "../sinks/chrome.js";
import { PerfettoTraceWriter } from "../sinks/perfetto.js";
import { reportArgs } from "../sinks/report-args.js";
import type { TraceWriter } from "../sinks/trace-writer.js";
import { visitBlock, visitUnfinished, type TraceFrame } from "../read/blocks.js";
import { SpanPairer } from "../read/spans.js";
import { SummaryBuilder } from "../read/summary.js";
import {
  CONTROL_BLOCKS_DONE,
  CONTROL_TRANSFERRED_EVENTS_DONE,
  CONTROL_FAILED,
  CONTROL_SLOTS_DONE,
  CONTROL_STATE,
  WRITER_DONE,
  type BlockMessage,
  type FinishMessage,
  type FromWriter,
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
let encoder: TraceWriter;

/** The summary, aggregated from the blocks as they pass, as `spanfn report` would from the file. */
const frame: TraceFrame = { pid: setup.process.pid, originMs: setup.process.clock.timeOrigin };
const summary = setup.summary ? new SummaryBuilder() : null;
const pairer = summary === null ? null : new SpanPairer((span) => summary.add(span));

function send(message: FromWriter, transfer?: ArrayBuffer[]): void {
  port.postMessage(message, transfer);
}

function writeChunk(chunk: string | Uint8Array): void {
  if (fd === null) return;
  if (typeof chunk === "string") writeSync(fd, chunk);
  else writeSync(fd, chunk);
}

function fail(error: unknown): void {
  if (failure !== undefined) return;
  failure = `could not write ${setup.out}: ${error instanceof Error ? error.message : String(error)}`;
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
  try {
    mkdirSync(dirname(setup.out), { recursive: true });
    // Non-blocking: a FIFO nobody reads (or a reader that stopped) fails the writer, counted,
    // where a blocking call would hold this thread past the program's exit.
    fd = openSync(setup.out, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NONBLOCK, 0o666);
    encoder =
      setup.format === "perfetto"
        ? // Deflate's fastest level: nearly the size of the default at a fraction of its time.
          new PerfettoTraceWriter(writeChunk, { processName: setup.processName, compress: (bytes) => deflateSync(bytes, { level: 1 }) })
        : new ChromeTraceWriter(writeChunk, { processName: setup.processName });
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

function onBlock(message: BlockMessage): void {
  const table = tableOf(message);
  const block: EventBlock = { ...table, data: message.data, length: message.length, sequence: message.sequence };
  let events = 0;
  if (failure === undefined) {
    try {
      encoder.block(block);
    } catch (error) {
      fail(error);
    }
  }
  if (failure !== undefined) lostEvents += countOrZero(block);
  else if (pairer !== null) events = summarise(block);
  else if (!(message.data.buffer instanceof SharedArrayBuffer)) events = countOrZero(block);
  Atomics.add(control, CONTROL_SLOTS_DONE, message.data.length);
  // After the counts: from here on the program's thread may write into a lent buffer again.
  Atomics.add(control, CONTROL_BLOCKS_DONE, 1);
  if (message.data.buffer instanceof SharedArrayBuffer) return;
  Atomics.add(control, CONTROL_TRANSFERRED_EVENTS_DONE, events);
  send({ kind: "free", data: message.data }, [message.data.buffer as ArrayBuffer]);
}

function summarise(block: EventBlock): number {
  const events = visitBlock(frame, block, pairer!);
  summary!.event(events);
  return events;
}

function countOrZero(block: EventBlock): number {
  try {
    return countRecords(block.data, block.length);
  } catch {
    return 0;
  }
}

function onFinish(message: FinishMessage): void {
  if (failure === undefined) {
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
  const reply: WriterReply = { lostEvents, error: failure, summary: summarised };
  message.reply.postMessage(reply);
  message.reply.close();
  done();
  port.close();
}

function done(): void {
  Atomics.store(control, CONTROL_STATE, WRITER_DONE);
  Atomics.notify(control, CONTROL_STATE);
}

open();
port.on("message", (message: ToWriter) => {
  try {
    if (message.kind === "block") onBlock(message);
    else onFinish(message);
  } catch (error) {
    // A bug here must not leave the program's thread waiting at exit for an answer.
    fail(error);
    done();
  }
});
