/**
 * A sink that writes the trace file on a thread of its own (writer-thread.ts); encoding and I/O
 * never run on the program's thread, which posts one small message per sealed block. Its buffers
 * are lent, not sent: they live in shared memory, and a counter the writer advances says which
 * are read, so they are reused without a message back, even while the program never yields to
 * its event loop (a fresh buffer per block cost more in page faults than the post itself). At shutdown (including at exit, where no
 * callback will run again) it waits, up to a deadline, for the writer to finish the file, and
 * says in one line what did not make it.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { countRecords } from "../decode.js";
import { isShared, recycleBuffer } from "../dispatch.js";
import type { EventBlock } from "../events.js";
import type { ProcessInfo, RuntimeReport, Sink } from "../sinks/sink.js";
import type { Summary } from "../read/summary.js";
import { state } from "../state.js";
import {
  CONTROL_BLOCKS_DONE,
  CONTROL_TRANSFERRED_EVENTS_DONE,
  CONTROL_FAILED,
  CONTROL_LENGTH,
  CONTROL_SLOTS_DONE,
  CONTROL_STATE,
  WRITER_RUNNING,
  type BlockMessage,
  type FinishMessage,
  type FromWriter,
  type TraceFormat,
  type WriterReply,
  type WriterSetup,
} from "./writer-protocol.js";
import { WRITER_SCRIPT } from "./writer-script.js";

export type { TraceFormat } from "./writer-protocol.js";

export interface TraceWriterOptions {
  /** Shown as the process's name in the viewer. */
  processName?: string;
  /** Chosen from the file's extension when not given: `.pftrace` and `.perfetto-trace` are Perfetto. */
  format?: TraceFormat;
  /** How long shutdown waits for the writer to finish the file (default 10 s). */
  deadlineMs?: number;
  /** Summarise the trace as it is written (`summary()` after shutdown): no reading it back. */
  summary?: boolean;
}

const DEFAULT_DEADLINE_MS = 10_000;

/** The format a trace file's name asks for. */
export function formatOf(path: string): TraceFormat {
  return /\.(?:pftrace|perfetto-trace|perfetto)$/i.test(path) ? "perfetto" : "json";
}

interface ThreadSent {
  metadata: number;
}

export class TraceWriterSink implements Sink {
  readonly format: TraceFormat;
  private worker: Worker | null = null;
  private control = new Int32Array(new SharedArrayBuffer(CONTROL_LENGTH * 4));
  private readonly threads = new Map<number, ThreadSent>();
  /** Slots and events posted, modulo 2^32 like the writer's counts (see writer-protocol.ts). */
  private slotsPosted = 0;
  /** Events of the blocks whose buffers were transferred, modulo 2^32 (lent ones are counted only if the writer never reads them). */
  private eventsTransferred = 0;
  private blocksPosted = 0;
  /** Shared buffers the writer may still read, oldest first, with the number and length of the block each holds. */
  private readonly lent: { data: Float64Array; block: number; length: number }[] = [];
  private failure: string | undefined;
  private finished = false;
  private summarised: Summary | undefined;

  constructor(
    readonly path: string,
    private readonly options: TraceWriterOptions = {},
  ) {
    this.format = options.format ?? formatOf(path);
  }

  init(process: ProcessInfo): void {
    if (this.worker !== null) return;
    const setup: WriterSetup = {
      out: this.path,
      format: this.format,
      processName: this.options.processName,
      process,
      control: this.control.buffer as SharedArrayBuffer,
      summary: this.options.summary === true,
    };
    // No execArgv: the writer must not load the program's preload (spanfn run's instrumentation).
    const worker = new Worker(WRITER_SCRIPT, { workerData: setup, execArgv: [], stdout: false, stderr: false });
    worker.on("message", (message: FromWriter) => {
      if (message.kind === "free") recycleBuffer(message.data);
      else this.failed(message.message);
    });
    worker.on("error", (error) => this.failed(`the trace writer stopped: ${error.message}`));
    // After the listeners, which take a reference of their own: the writer never keeps the program alive.
    worker.unref();
    this.worker = worker;
  }

  block(block: EventBlock): void {
    const worker = this.worker;
    if (worker === null) throw new Error(`spanfn: trace file ${this.path} is not open`);
    if (this.failure !== undefined || Atomics.load(this.control, CONTROL_FAILED) === 1) {
      throw new Error(this.failure ?? `spanfn: could not write ${this.path}`);
    }
    const threadId = block.thread.id;
    let sent = this.threads.get(threadId);
    const first = sent === undefined;
    if (sent === undefined) this.threads.set(threadId, (sent = { metadata: 0 }));
    // A buffer another sink still reads (TeeSink) is copied; any other is handed over.
    const data = isShared(block) ? block.data.slice(0, block.length) : block.data;
    const message: BlockMessage = {
      kind: "block",
      threadId,
      ...(first ? { thread: block.thread, clock: block.clock } : {}),
      metadata: block.metadata.length > sent.metadata ? block.metadata.slice(sent.metadata) : [],
      metadataFrom: sent.metadata,
      data,
      length: block.length,
      sequence: block.sequence,
    };
    this.slotsPosted = (this.slotsPosted + data.length) | 0;
    sent.metadata = block.metadata.length;
    if (data.buffer instanceof SharedArrayBuffer) {
      worker.postMessage(message);
      this.lent.push({ data, block: this.blocksPosted, length: block.length });
    } else {
      // Counted now: once transferred, the events can no longer be read here.
      this.eventsTransferred = (this.eventsTransferred + countRecords(data, block.length)) | 0;
      worker.postMessage(message, [data.buffer as ArrayBuffer]);
    }
    this.blocksPosted = (this.blocksPosted + 1) | 0;
    this.reclaim();
  }

  /** Takes back the buffers the writer has read, and makes sure the next seal gets a shared one. */
  private reclaim(): void {
    const done = Atomics.load(this.control, CONTROL_BLOCKS_DONE);
    const lent = this.lent;
    while (lent.length > 0 && ((done - lent[0].block) | 0) > 0) recycleBuffer(lent.shift()!.data);
    if (state.spare.length === 0) recycleBuffer(new Float64Array(new SharedArrayBuffer(state.blockSlots * 8)));
  }

  heldBytes(): number {
    return ((this.slotsPosted - Atomics.load(this.control, CONTROL_SLOTS_DONE)) | 0) * 8;
  }

  /**
   * Posts the report and waits for the writer to finish the file. Waiting blocks this thread;
   * the writer runs meanwhile on its own, which is what makes this safe in an `exit` handler.
   */
  shutdown(report: RuntimeReport): void {
    const worker = this.worker;
    if (worker === null || this.finished) return;
    this.finished = true;
    const { port1, port2 } = new MessageChannel();
    const finish: FinishMessage = { kind: "finish", report, reply: port2 };
    worker.postMessage(finish, [port2]);
    const deadlineMs = this.options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const deadline = Date.now() + deadlineMs;
    for (let left = deadlineMs; left > 0 && Atomics.load(this.control, CONTROL_STATE) === WRITER_RUNNING; left = deadline - Date.now()) {
      Atomics.wait(this.control, CONTROL_STATE, WRITER_RUNNING, left);
    }
    const reply = receiveMessageOnPort(port1)?.message as WriterReply | undefined;
    this.summarised = reply?.summary;
    port1.close();
    void worker.terminate();
    this.worker = null;
    const unwritten = this.unwrittenEvents();
    const lost = (reply?.lostEvents ?? 0) + (reply === undefined ? unwritten : 0);
    const error = reply?.error ?? this.failure;
    if (reply === undefined) {
      state.warn(`spanfn: the trace writer did not finish ${this.path} within ${deadlineMs} ms: ${lost} events not written`);
    } else if (lost > 0) {
      state.warn(`spanfn: ${error ?? `the trace writer failed on ${this.path}`}; ${lost} events not written`);
    }
  }

  /**
   * Events the writer has not written: those of lent buffers it has not read, counted where they
   * still are, and of transferred ones, from what was posted less what the writer wrote of them.
   */
  private unwrittenEvents(): number {
    const done = Atomics.load(this.control, CONTROL_BLOCKS_DONE);
    let unread = 0;
    for (const { data, block, length } of this.lent) if (((done - block) | 0) <= 0) unread += countRecords(data, length);
    return unread + ((this.eventsTransferred - Atomics.load(this.control, CONTROL_TRANSFERRED_EVENTS_DONE)) | 0);
  }

  /** The trace as written, summarised: after shutdown, when asked for and the writer finished. */
  summary(): Summary | undefined {
    return this.summarised;
  }

  private failed(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
  }
}
