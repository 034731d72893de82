/**
 * Worker threads record into their own streams; their blocks travel to the main thread over a
 * BroadcastChannel and join the main thread's sink. A channel (unlike `parentPort`) leaves the
 * user's own messaging alone and needs no handle on the Worker object.
 */
import { BroadcastChannel, getEnvironmentData, setEnvironmentData } from "node:worker_threads";
import type { ClockInfo } from "../clock.js";
import { recycle, submit } from "../queue.js";
import type { EventBlock, ThreadInfo } from "../events.js";
import type { SpanMetadata } from "../events.js";
import type { OpenSpan } from "../events.js";
import type { RuntimeReport, Sink } from "../sinks/sink.js";
import { state } from "../state.js";

export const CHANNEL = "spanfn:blocks:v0";
/** Set by a main thread that takes worker blocks; workers created after it inherit it. */
const RECEIVING = "spanfn:receiving";
/** How long an exiting worker waits for the main thread to take its last blocks. */
const EXIT_ACK_MS = 1000;

interface ExitMessage {
  readonly kind: "exit";
  readonly thread: ThreadInfo;
  /** What the worker left open when it exited: reported as unfinished with the main thread's. */
  readonly unfinished: OpenSpan[];
  /** What the worker demoted to counters, with its counts: reported with the main thread's. */
  readonly demoted: RuntimeReport["demoted"];
  /** Set to 1 by the main thread once it has taken everything the worker sent. */
  readonly ack: Int32Array;
}

interface BlockMessage {
  readonly kind: "block";
  readonly thread: ThreadInfo;
  readonly clock: ClockInfo;
  /** Metadata entries new since this thread's previous message, starting at `metadataFrom`. */
  readonly metadata: SpanMetadata[];
  readonly metadataFrom: number;
  readonly data: Float64Array;
  readonly sequence: number;
}

/** The sink of a worker thread: posts each block, with the metadata the main thread lacks. */
export class ForwardingSink implements Sink {
  private readonly channel = new BroadcastChannel(CHANNEL);
  private sentMetadata = 0;

  constructor() {
    this.channel.unref();
  }

  block(block: EventBlock): void {
    const message: BlockMessage = {
      kind: "block",
      thread: block.thread,
      clock: block.clock,
      metadata: block.metadata.slice(this.sentMetadata),
      metadataFrom: this.sentMetadata,
      data: block.data.subarray(0, block.length),
      sequence: block.sequence,
    };
    this.channel.postMessage(message);
    this.sentMetadata = block.metadata.length;
    // postMessage copied the events: the buffer is free again.
    recycle(block);
  }

  /**
   * Channel messages are not drained before the main thread sees the Worker's `exit` event, so a
   * program that ends right after its workers would lose their last blocks. The worker waits
   * (at most EXIT_ACK_MS) until the main thread says it has them.
   */
  shutdown(report: RuntimeReport): void {
    const ack = new Int32Array(new SharedArrayBuffer(4));
    const message: ExitMessage = { kind: "exit", thread: state.thread, unfinished: [...report.unfinished], demoted: [...report.demoted], ack };
    this.channel.postMessage(message);
    Atomics.wait(ack, 0, 0, EXIT_ACK_MS);
    this.channel.close();
  }
}

/** On the main thread: takes workers' blocks into this thread's queue and sink. */
export function receiveWorkerBlocks(): void {
  if (state.node.receiver !== null) return;
  const tables = new Map<number, SpanMetadata[]>();
  const receiver = new BroadcastChannel(CHANNEL);
  state.node.receiver = receiver;
  receiver.unref();
  setEnvironmentData(RECEIVING, true);
  receiver.onmessage = (event: unknown) => {
    const message = (event as { data: BlockMessage | ExitMessage }).data;
    if (message.kind === "exit") {
      if (message.unfinished.length > 0) state.foreignOpen.set(message.thread.id, message.unfinished);
      if (message.demoted.length > 0) state.foreignDemoted.set(message.thread.id, message.demoted);
      Atomics.store(message.ack, 0, 1);
      Atomics.notify(message.ack, 0);
      return;
    }
    state.node.workerBlocks = true;
    let table = tables.get(message.thread.id);
    if (table === undefined) {
      table = [];
      tables.set(message.thread.id, table);
    }
    for (let i = 0; i < message.metadata.length; i++) table[message.metadataFrom + i] = message.metadata[i];
    submit({
      thread: message.thread,
      clock: message.clock,
      metadata: table,
      data: message.data,
      length: message.data.length,
      sequence: message.sequence,
    });
  };
}

export function stopReceivingWorkerBlocks(): void {
  state.node.receiver?.close();
  state.node.receiver = null;
  setEnvironmentData(RECEIVING, undefined);
}

/** In a worker: whether the main thread takes this worker's blocks. */
export function mainThreadReceives(): boolean {
  return getEnvironmentData(RECEIVING) === true;
}
