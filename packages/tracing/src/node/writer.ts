/**
 * A sink that writes the trace file on a thread of its own (writer-thread.ts), and feeds the
 * outputs that thread hosts (writer-output.ts: OpenTelemetry export, say); encoding, I/O and
 * export never run on the program's thread, which posts one small message per sealed block. Its
 * buffers are lent, not sent: they live in shared memory, and a counter the writer advances says
 * which are read, so they are reused without a message back, even while the program never yields
 * to its event loop (a fresh buffer per block cost more in page faults than the post itself). A
 * block not in shared memory (a thread's first, small ones) goes as a copy, never transferred:
 * the first buffer detached on a thread deoptimises every function there that touches a typed
 * array, and V8 checks every such access for a detached buffer from then on. At shutdown
 * (including at exit, where no callback will run again) it waits, up to a deadline, for the
 * writer to finish the file and the outputs to finish sending, and says in one line what did not
 * make it.
 *
 * Blocks wait here until they reach START_AFTER_SLOTS (or half the memory cap), or two seconds
 * after the first, or the outputs are asked to flush; then the writer thread takes them, and
 * every block after them as it comes. Without outputs the thread starts only then: a program that
 * ends first has its trace written at exit on its own thread, by the same code the thread runs.
 * That costs the program less than a thread running beside it: the thread's start, its garbage
 * collection and the compiling of its code take time on the cores the program runs on, and on a
 * machine whose cores are shared the program slows by more than that time. Outputs send over the
 * network, which needs the thread's event loop even at exit: their thread starts at once, while
 * the program is still loading, and waits for the blocks like the file.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { countEvents, countRecords } from "../records.js";
import { BlockMessages } from "../block-message.js";
import { isShared } from "../queue.js";
import { recycleBuffer } from "../buffer.js";
import type { EventBlock } from "../events.js";
import type { ProcessInfo, RuntimeReport, Sink } from "../sinks/sink.js";
import type { Summary } from "../read/summary.js";
import { state } from "../state.js";
import {
  CONTROL_BLOCKS_DONE,
  CONTROL_COPIED_EVENTS_DONE,
  CONTROL_FAILED,
  CONTROL_LENGTH,
  CONTROL_SLOTS_DONE,
  CONTROL_STATE,
  WRITER_RUNNING,
  type BlockMessage,
  type FinishMessage,
  type FlushMessage,
  type FlushReply,
  type FromWriter,
  type OutputReport,
  type TraceFormat,
  type WriterOutputSpec,
  type WriterReply,
  type WriterSetup,
} from "./writer-protocol.js";
import { WRITER_SCRIPT } from "./writer-script.js";
import { WriterFile } from "./writer-file.js";
import { BlockSummary } from "../read/block-summary.js";

export type { TraceFormat, WriterOutputSpec, OutputReport, FlushReply } from "./writer-protocol.js";
export type { WriterOutput, WriterOutputContext, WriterOutputFactory } from "./writer-output.js";

export interface TraceWriterOptions {
  /** Shown as the process's name in the viewer. */
  processName?: string;
  /** Chosen from the file's extension when not given: `.pftrace` and `.perfetto-trace` are Perfetto. */
  format?: TraceFormat;
  /** How long shutdown waits for the writer to finish the file (default 10 s). */
  deadlineMs?: number;
  /** Summarise the trace as it is written (`summary()` after shutdown): no reading it back. */
  summary?: boolean;
  /** Outputs the writer thread hosts besides the trace file (`results()` after shutdown). */
  outputs?: readonly WriterOutputSpec[];
  /**
   * Called on the program's thread as each block is posted: what it returns (structured-cloneable)
   * travels with the block to the outputs. Keep it cheap: it runs once per block.
   */
  attach?: (block: EventBlock) => unknown;
  /** Where the outputs' warnings go (default: the runtime's `warn`). */
  warn?: (message: string) => void;
}

const DEFAULT_DEADLINE_MS = 10_000;
/** Blocks wait for the writer thread at most this long after the first of them. */
const START_AFTER_MS = 2000;
/** Waiting blocks go to the writer thread once this many slots wait (8 MB), or half the memory cap if that is less. */
const START_AFTER_SLOTS = 1 << 20;

/** The events of `blocks`, for the loss counters. */
function eventsIn(blocks: readonly EventBlock[]): number {
  let events = 0;
  for (const block of blocks) events += countEvents(block);
  return events;
}

/** Makes sure the thread's next block is written in shared memory, which the writer thread is lent. */
function keepSharedSpare(): void {
  if (state.spare.length === 0) recycleBuffer(state, new Float64Array(new SharedArrayBuffer(state.blockSlots * 8)));
}

/** The format a trace file's name asks for. */
export function formatOf(path: string): TraceFormat {
  return /\.(?:pftrace|perfetto-trace|perfetto)$/i.test(path) ? "perfetto" : "json";
}

export class TraceWriterSink implements Sink {
  readonly format: TraceFormat;
  private worker: Worker | null = null;
  /** Known from `init`: the sink is in use. */
  private process: ProcessInfo | null = null;
  /** Blocks handed over before the writer thread started, and their slots. */
  private waiting: EventBlock[] = [];
  private waitingSlots = 0;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  /** The writer thread takes blocks as they come; until then they wait here. */
  private taking = false;
  /** Why the writer thread could not start, if it could not. */
  private cannotStart: string | undefined;
  /** Events of waiting blocks the writer thread could not be handed (counted at shutdown). */
  private unhanded = 0;
  private control = new Int32Array(new SharedArrayBuffer(CONTROL_LENGTH * 4));
  private readonly messages = new BlockMessages();
  /** Slots posted, modulo 2^32 like the writer's count (see writer-protocol.ts). */
  private slotsPosted = 0;
  /** Events of the blocks sent as copies, modulo 2^32 (lent ones are counted only if the writer never reads them). */
  private eventsCopied = 0;
  private blocksPosted = 0;
  /** Shared buffers the writer may still read, oldest first, with the number and length of the block each holds. */
  private readonly lent: { data: Float64Array; block: number; length: number }[] = [];
  private failure: string | undefined;
  /** Warnings read from the writer's messages: its reply at shutdown repeats them, and more. */
  private warningsRead = 0;
  /** The writer thread itself stopped: nothing posted to it is read. */
  private stopped = false;
  private finished = false;
  private summarised: Summary | undefined;
  private outputReports: readonly OutputReport[] | undefined;
  /** What the writer writes, for messages: the file, else its outputs. */
  private readonly target: string;

  /** `path` undefined: no trace file, only the outputs. */
  constructor(
    readonly path: string | undefined,
    private readonly options: TraceWriterOptions = {},
  ) {
    if (path === undefined && (options.outputs ?? []).length === 0) throw new TypeError("spanfn: a trace writer needs a trace file or an output");
    this.format = options.format ?? (path === undefined ? "json" : formatOf(path));
    this.target = path ?? (options.outputs ?? []).map((output) => output.module).join(", ");
  }

  init(process: ProcessInfo): void {
    if (this.process !== null) return;
    this.process = process;
    if (this.hasOutputs()) this.ensureStarted();
  }

  private hasOutputs(): boolean {
    return (this.options.outputs ?? []).length > 0;
  }

  private setup(process: ProcessInfo): WriterSetup {
    return {
      out: this.path,
      outputs: this.options.outputs ?? [],
      format: this.format,
      processName: this.options.processName,
      process,
      control: this.control.buffer as SharedArrayBuffer,
      summary: this.options.summary === true,
    };
  }

  /**
   * Starts the writer thread, which is not one of the program's to record (worker-links.ts). A
   * block that comes from inside `new Worker` (a flush) waits with the others.
   */
  private start(): void {
    if (this.worker !== null || state.node.startingOwnThread || this.process === null || this.finished) return;
    const setup = this.setup(this.process);
    // The writer must not load the program's preloads (spanfn run's instrumentation among them):
    // no execArgv, and no NODE_OPTIONS, which a worker applies from its env.
    const { NODE_OPTIONS: _, ...env } = process.env;
    state.node.startingOwnThread = true;
    let worker: Worker;
    try {
      worker = new Worker(WRITER_SCRIPT, { workerData: setup, execArgv: [], env, stdout: false, stderr: false });
    } finally {
      state.node.startingOwnThread = false;
    }
    worker.on("message", (message: FromWriter) => {
      // After shutdown the reply has told every warning.
      if (this.finished) return;
      if (message.kind === "warn") {
        this.warningsRead++;
        this.warnOutput(message.message);
      } else this.failed(message.message);
    });
    worker.on("error", (error) => {
      this.stopped = true;
      this.failed(`the trace writer stopped: ${error.message}`);
    });
    // After the listeners, which take a reference of their own: the writer never keeps the program alive.
    worker.unref();
    this.worker = worker;
  }

  /**
   * Hands the writer thread the blocks that waited for it, starting it if it has not started, and
   * every block after them as it comes. Called from `block` (in the middle of a flush), the start
   * timer, `flushOutputs` or `shutdown`.
   */
  private handOver(): void {
    if (this.taking || this.finished) return;
    this.stopStartTimer();
    // A writer thread that cannot start leaves the blocks waiting, to be written at exit on this thread.
    if (!this.ensureStarted()) return;
    this.taking = true;
    const waiting = this.waiting;
    this.waiting = [];
    this.waitingSlots = 0;
    for (let i = 0; i < waiting.length; i++) {
      try {
        this.post(waiting[i]);
      } catch (error) {
        // As the runtime counts a block its sink refused: this one and those after it.
        const lost = eventsIn(waiting.slice(i));
        this.failed(`could not hand the trace writer ${lost} events: ${(error as Error).message}`);
        this.unhanded += lost;
        return;
      }
    }
  }

  block(block: EventBlock): void {
    if (!this.taking && this.process !== null && !this.finished) {
      this.wait(block);
      return;
    }
    this.post(block);
  }

  /** Keeps a block until the writer thread takes them, and hands them over once enough wait or long enough. */
  private wait(block: EventBlock): void {
    // A buffer another sink still reads (TeeSink) is copied; any other is this sink's until written.
    this.waiting.push(isShared(block) ? { ...block, data: block.data.slice(0, block.length) } : block);
    this.waitingSlots += block.data.length;
    // The blocks after this one are written in shared memory, to be lent once the thread starts.
    keepSharedSpare();
    if (this.cannotStart !== undefined) return;
    // Waiting blocks count against the cap: they are handed over while half of it is left.
    if (this.waitingSlots >= Math.min(START_AFTER_SLOTS, state.maxBufferedBytes / 16)) this.handOver();
    else if (this.startTimer === null) {
      this.startTimer = setTimeout(() => this.handOver(), START_AFTER_MS);
      this.startTimer.unref();
    }
  }

  private stopStartTimer(): void {
    if (this.startTimer !== null) clearTimeout(this.startTimer);
    this.startTimer = null;
  }

  /** Starts the writer thread unless it runs; false when it does not (why it could not start is kept). */
  private ensureStarted(): boolean {
    if (this.cannotStart !== undefined) return false;
    try {
      this.start();
    } catch (error) {
      this.cannotStart = (error as Error).message;
    }
    return this.worker !== null;
  }

  private post(block: EventBlock): void {
    const worker = this.worker;
    if (worker === null) throw new Error(`spanfn: the trace writer for ${this.target} is not running`);
    // A trace file that failed stops the posting only when there is nothing else to feed: the
    // outputs go on, and the writer counts what the file missed.
    const fileFailed = this.failure !== undefined || Atomics.load(this.control, CONTROL_FAILED) === 1;
    if (this.stopped || (fileFailed && !this.hasOutputs())) {
      throw new Error(this.failure ?? `spanfn: could not write ${this.target}`);
    }
    // A buffer another sink still reads (TeeSink) goes as a copy, as does one not in shared memory
    // (posting a plain buffer copies it); a shared one is lent.
    const lend = block.data.buffer instanceof SharedArrayBuffer && !isShared(block);
    const data = lend || !isShared(block) ? block.data : block.data.slice(0, block.length);
    const next = this.messages.next(block, data);
    const message: BlockMessage = this.options.attach === undefined ? next : { ...next, attached: this.options.attach(block) };
    this.slotsPosted = (this.slotsPosted + data.length) | 0;
    if (lend) this.lent.push({ data, block: this.blocksPosted, length: block.length });
    else this.eventsCopied = (this.eventsCopied + countRecords(data, block.length)) | 0;
    worker.postMessage(message);
    this.blocksPosted = (this.blocksPosted + 1) | 0;
    this.reclaim();
  }

  /** Takes back the buffers the writer has read, and makes sure the next seal gets a shared one. */
  private reclaim(): void {
    const done = Atomics.load(this.control, CONTROL_BLOCKS_DONE);
    const lent = this.lent;
    while (lent.length > 0 && ((done - lent[0].block) | 0) > 0) recycleBuffer(state, lent.shift()!.data);
    keepSharedSpare();
  }

  heldBytes(): number {
    return (((this.slotsPosted - Atomics.load(this.control, CONTROL_SLOTS_DONE)) | 0) + this.waitingSlots) * 8;
  }

  /**
   * Posts the report and waits for the writer to finish the file. Waiting blocks this thread;
   * the writer runs meanwhile on its own, which is what makes this safe in an `exit` handler.
   */
  shutdown(report: RuntimeReport): void {
    // Outputs send over the network, which only the thread's event loop can do while this one waits.
    if (this.hasOutputs()) this.handOver();
    const worker = this.worker;
    if (worker === null) {
      this.finishHere(report);
      return;
    }
    if (this.finished) return;
    this.finished = true;
    const { port1, port2 } = new MessageChannel();
    const deadlineMs = this.options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const deadline = Date.now() + deadlineMs;
    const finish: FinishMessage = { kind: "finish", report, deadline, reply: port2 };
    worker.postMessage(finish, [port2]);
    for (let left = deadlineMs; left > 0 && Atomics.load(this.control, CONTROL_STATE) === WRITER_RUNNING; left = deadline - Date.now()) {
      Atomics.wait(this.control, CONTROL_STATE, WRITER_RUNNING, left);
    }
    const reply = receiveMessageOnPort(port1)?.message as WriterReply | undefined;
    this.summarised = reply?.summary;
    this.outputReports = reply?.outputs;
    for (const warning of reply?.warnings.slice(this.warningsRead) ?? []) this.warnOutput(warning);
    port1.close();
    void worker.terminate();
    this.worker = null;
    const unwritten = this.unwrittenEvents();
    const lost = (reply?.lostEvents ?? 0) + (reply === undefined ? unwritten : 0) + this.unhanded;
    const error = reply?.error ?? this.failure;
    if (reply === undefined) {
      const what = this.path === undefined ? "its outputs" : this.path;
      state.warn(`spanfn: the trace writer did not finish ${what} within ${deadlineMs} ms` + (this.path === undefined ? "" : `: ${lost} events not written`));
    } else if (lost > 0) {
      this.warnLost(error, lost);
    }
    for (const output of reply?.outputs ?? []) {
      if (output.error !== undefined) this.warnOutput(`spanfn: writer output ${output.module} failed: ${output.error}; ${output.lostEvents} events not given to it`);
    }
  }

  /** Shutdown before the writer thread started: the blocks that waited for it, written here. */
  private finishHere(report: RuntimeReport): void {
    if (this.process === null || this.finished) return;
    this.finished = true;
    this.stopStartTimer();
    const setup = this.setup(this.process);
    const file = new WriterFile(setup, () => {});
    const summary = setup.summary ? new BlockSummary(setup.process) : null;
    file.open();
    for (const block of this.waiting) if (file.block(block) && summary !== null) summary.block(block);
    file.finish(report);
    this.summarised = summary?.finish(report);
    // Outputs run only on the thread: here because it could not start, so they got nothing.
    const outputs = this.options.outputs ?? [];
    const events = outputs.length === 0 ? 0 : eventsIn(this.waiting);
    const error = `the trace writer thread could not start (${this.cannotStart})`;
    this.outputReports = outputs.map(({ module }) => ({ module, result: undefined, error, lostEvents: events }));
    this.waiting = [];
    this.waitingSlots = 0;
    if (file.lostEvents > 0) this.warnLost(file.failure, file.lostEvents);
    else if (this.cannotStart !== undefined && this.path !== undefined) state.warn(`spanfn: ${error}; ${this.path} was written at exit instead`);
    for (const output of this.outputReports) this.warnOutput(`spanfn: writer output ${output.module} failed: ${error}; ${events} events not given to it`);
  }

  /**
   * Posts what is recorded so far (the caller flushes the runtime first) and asks the outputs
   * to send it; resolves with their reports, `done` false when the deadline came first.
   */
  flushOutputs(timeoutMs: number): Promise<FlushReply> {
    // Asked to send now: the thread does not wait for more blocks.
    this.handOver();
    const worker = this.worker;
    if (worker === null) return Promise.resolve({ done: this.outputReports !== undefined, outputs: this.outputReports ?? [] });
    const { port1, port2 } = new MessageChannel();
    const flush: FlushMessage = { kind: "flush", deadline: Date.now() + timeoutMs, reply: port2 };
    worker.postMessage(flush, [port2]);
    return new Promise((resolve) => {
      // The writer answers by the deadline; should it have stopped, the timer answers instead.
      const timer = setTimeout(() => {
        port1.close();
        resolve({ done: false, outputs: [] });
      }, timeoutMs + 1000);
      port1.once("message", (reply: FlushReply) => {
        clearTimeout(timer);
        port1.close();
        resolve(reply);
      });
    });
  }

  /** How each output did (its `result()`): after shutdown, once the writer answered. */
  results(): readonly OutputReport[] | undefined {
    return this.outputReports;
  }

  /**
   * Events the writer has not written: those of lent buffers it has not read, counted where they
   * still are, and of copies, from what was posted less what the writer wrote of them.
   */
  private unwrittenEvents(): number {
    const done = Atomics.load(this.control, CONTROL_BLOCKS_DONE);
    let unread = 0;
    for (const { data, block, length } of this.lent) if (((done - block) | 0) <= 0) unread += countRecords(data, length);
    return unread + ((this.eventsCopied - Atomics.load(this.control, CONTROL_COPIED_EVENTS_DONE)) | 0);
  }

  /** The trace as written, summarised: after shutdown, when asked for and the writer finished. */
  summary(): Summary | undefined {
    return this.summarised;
  }

  /** The one line saying what the trace file missed, and why. */
  private warnLost(error: string | undefined, lost: number): void {
    state.warn(`spanfn: ${error ?? `the trace writer failed on ${this.path}`}; ${lost} events not written`);
  }

  private warnOutput(message: string): void {
    (this.options.warn ?? state.warn)(message);
  }

  private failed(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
  }
}
