/**
 * The writer thread: takes sealed blocks from the program's thread, hands each to the trace file
 * (writer-file.ts), the summary (read/block-summary.ts) and the outputs it hosts
 * (writer-outputs.ts), and says which lent buffers it is done with. Everything after recording
 * happens here, so the program's thread pays for recording and one message per block. It runs
 * none of the program's code and loads no preload (the program's thread starts it with an empty
 * `execArgv`).
 *
 * This module is the thread's entry and runs once per writer thread, so its top-level bindings
 * are that thread's own state, shared with no runtime (state.ts is the program's threads').
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { BlockReceiver } from "../block-message.js";
import { countEvents } from "../records.js";
import { WriterFile } from "./writer-file.js";
import { WriterOutputs } from "./writer-outputs.js";
import {
  CONTROL_BLOCKS_DONE,
  CONTROL_COPIED_EVENTS_DONE,
  CONTROL_FAILED,
  CONTROL_SLOTS_DONE,
  CONTROL_STATE,
  WRITER_DONE,
  type BlockMessage,
  type FinishMessage,
  type FlushMessage,
  type FlushReply,
  type FromWriter,
  type ToWriter,
  type WriterReply,
  type WriterSetup,
} from "./writer-protocol.js";
import { BlockSummary } from "../read/block-summary.js";

const setup = workerData as WriterSetup;
const control = new Int32Array(setup.control);
const port = parentPort!;
const received = new BlockReceiver();

const file = new WriterFile(setup, (message) => {
  Atomics.store(control, CONTROL_FAILED, 1);
  send({ kind: "failed", message });
});
const outputs = new WriterOutputs(setup.outputs, { process: setup.process, warn });
const summary = setup.summary ? new BlockSummary(setup.process) : null;

/**
 * Blocks (copied: lent buffers are released at once) and requests that came while the outputs were
 * still loading, in order; null once they are ready.
 */
let early: ToWriter[] | null = outputs.size > 0 ? [] : null;
/**
 * Every warning given, in order. Each goes to the program's thread as it comes, and all of them go
 * again with the reply at finish: a program that never yields to its event loop reads none of the
 * messages, and by then its thread reads nothing else.
 */
const warnings: string[] = [];
let finishing = false;
/** The reply is posted this long before the program's thread stops waiting. */
const REPLY_MARGIN_MS = 50;

function send(message: FromWriter): void {
  port.postMessage(message);
}

function warn(message: string): void {
  warnings.push(message);
  if (!finishing) send({ kind: "warn", message });
}

function onBlock(message: BlockMessage): void {
  const block = received.block(message);
  let events = 0;
  // A block the file could not take is counted there, as lost.
  if (file.block(block)) {
    if (summary !== null) events = summary.block(block);
    else if (!(message.data.buffer instanceof SharedArrayBuffer)) events = countEvents(block);
  }
  if (early !== null) early.push({ ...message, data: message.data.slice(0, message.length) });
  else if (outputs.size > 0) outputs.block(block, message.attached);
  Atomics.add(control, CONTROL_SLOTS_DONE, message.data.length);
  // After the counts: from here on the program's thread may write into a lent buffer again.
  Atomics.add(control, CONTROL_BLOCKS_DONE, 1);
  if (!(message.data.buffer instanceof SharedArrayBuffer)) Atomics.add(control, CONTROL_COPIED_EVENTS_DONE, events);
}

async function onFlush(message: FlushMessage): Promise<void> {
  const deadline = message.deadline - REPLY_MARGIN_MS;
  const done = await outputs.settle((output) => output.flush?.(deadline), deadline);
  const reply: FlushReply = { done, outputs: outputs.reports() };
  message.reply.postMessage(reply);
  message.reply.close();
}

async function onFinish(message: FinishMessage): Promise<void> {
  finishing = true;
  file.finish(message.report);
  const summarised = summary?.finish(message.report);
  // The outputs send the rest while the program's thread waits; this thread's event loop runs.
  const deadline = message.deadline - REPLY_MARGIN_MS;
  if (outputs.size > 0) await outputs.settle((output) => output.finish(message.report, deadline), deadline);
  const reply: WriterReply = {
    lostEvents: file.lostEvents,
    error: file.failure,
    summary: summarised,
    outputs: outputs.reports(),
    warnings,
  };
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
  file.fail(error);
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
file.open();
if (early !== null) {
  void outputs.load().then(() => {
    const waiting = early!;
    early = null;
    for (const message of waiting) {
      try {
        if (message.kind === "block") outputs.block(received.block(message), message.attached);
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
