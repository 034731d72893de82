/**
 * Modules are loaded synchronously on the program's thread, but Babel need not load there: the
 * thread that runs the ESM hooks (loader.ts) already loads it on a cache miss, and compiles for
 * the require hook too; where Node runs the hooks on the program's thread and has no hooks
 * thread, a thread of spanfn's own (compile-thread.ts) is started on the first miss. The
 * program's thread posts the module and waits on a shared flag; the compiling thread compiles it
 * and raises the flag. So a run whose modules are all cached never loads Babel at all, and a
 * program that loads Babel itself never finds a copy half-loaded by spanfn.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { InstrumentOptions } from "./transform.js";
import type { Compiled } from "./cache.js";

/** What the hooks thread needs to serve compiles: transferred to it through `register`'s data. */
export interface CompileService {
  port: MessagePort;
  /** Int32 slot 0: FLAG_IDLE, FLAG_TAKEN or FLAG_DONE. */
  flag: SharedArrayBuffer;
}

interface CompileRequest {
  id: number;
  source: string;
  filename: string;
  commonjs: boolean;
}

type CompileReply = { id: number; compiled: Compiled } | { id: number; error: { message: string; code?: string; stack?: string } };

const FLAG_IDLE = 0;
const FLAG_TAKEN = 1;
const FLAG_DONE = 2;

/**
 * How long the hooks thread may take to pick a request up (not to compile it) before the
 * program's thread gives up on it and compiles for itself: it answers at once unless it is gone.
 */
const PICKUP_MS = 5_000;

export type Compile = (source: string, filename: string, options: InstrumentOptions, commonjs: boolean) => Compiled;

/**
 * The program's side: a compile that asks the hooks thread, and the service to hand it. When the
 * hooks thread does not pick a request up, `fallback` compiles here, then and from then on.
 */
export function remoteCompiler(fallback: Compile, pickupMs = PICKUP_MS): { service: CompileService; compile: Compile } {
  const channel = new MessageChannel();
  const port = channel.port1;
  // The hooks thread's port lives as long as the program; this end never keeps it alive.
  port.unref();
  const flag = new SharedArrayBuffer(4);
  const slot = new Int32Array(flag);
  let next = 0;
  let gone = false;
  const compile: Compile = (source, filename, options, commonjs) => {
    if (gone) return fallback(source, filename, options, commonjs);
    const id = ++next;
    Atomics.store(slot, 0, FLAG_IDLE);
    port.postMessage({ id, source, filename, commonjs } satisfies CompileRequest);
    if (Atomics.wait(slot, 0, FLAG_IDLE, pickupMs) === "timed-out" && Atomics.load(slot, 0) === FLAG_IDLE) {
      gone = true;
      return fallback(source, filename, options, commonjs);
    }
    while (Atomics.load(slot, 0) !== FLAG_DONE) Atomics.wait(slot, 0, FLAG_TAKEN);
    for (;;) {
      const reply = receiveMessageOnPort(port)?.message as CompileReply | undefined;
      if (reply === undefined) {
        // Raised before the reply arrived: cannot happen with one port, but never spin forever.
        gone = true;
        return fallback(source, filename, options, commonjs);
      }
      if (reply.id !== id) continue;
      if ("compiled" in reply) return reply.compiled;
      throw Object.assign(new Error(reply.error.message), { code: reply.error.code, stack: reply.error.stack });
    }
  };
  return { service: { port: channel.port2, flag }, compile };
}

/** The hooks thread's side: answers each request with `compile`'s code or error. */
export function serveCompiles(service: CompileService, options: InstrumentOptions, compile: Compile): void {
  const slot = new Int32Array(service.flag);
  service.port.on("message", (request: CompileRequest) => {
    Atomics.store(slot, 0, FLAG_TAKEN);
    Atomics.notify(slot, 0);
    let reply: CompileReply;
    try {
      reply = { id: request.id, compiled: compile(request.source, request.filename, options, request.commonjs) };
    } catch (error) {
      const { message, code, stack } = error as { message?: string; code?: string; stack?: string };
      reply = { id: request.id, error: { message: String(message ?? error), code, stack } };
    }
    service.port.postMessage(reply);
    Atomics.store(slot, 0, FLAG_DONE);
    Atomics.notify(slot, 0);
  });
  // Kept referenced: a thread with nothing else to do stays to answer (Node ends the hooks thread
  // with the program).
}

export interface CompileThreadData {
  service: CompileService;
  options: InstrumentOptions;
}

/**
 * `remote`'s compile, served by a compile thread (`script`: compile-thread.ts) started on its
 * first request, so a run whose modules are all cached starts none. A thread that cannot be
 * started leaves `fallback` to compile on this one.
 */
export function onCompileThread(remote: { service: CompileService; compile: Compile }, options: InstrumentOptions, fallback: Compile, script: URL): Compile {
  let state: "idle" | "started" | "failed" = "idle";
  return (source, filename, compileOptions, commonjs) => {
    if (state === "idle") state = startCompileThread(script, { service: remote.service, options }) ? "started" : "failed";
    return state === "started" ? remote.compile(source, filename, compileOptions, commonjs) : fallback(source, filename, compileOptions, commonjs);
  };
}

function startCompileThread(script: URL, data: CompileThreadData): boolean {
  try {
    // No preload of its own: it runs spanfn's toolchain only. The program's `--import` flags are
    // in execArgv, or in NODE_OPTIONS, which a worker applies from its env: without both, a
    // preload given there would start a compile thread of its own, and so on without end.
    const { NODE_OPTIONS: _, ...env } = process.env;
    const worker = new Worker(script, { workerData: data, transferList: [data.service.port], execArgv: [], env });
    // It ends with the program; one that fails leaves its requests unanswered, and the program's
    // thread compiles for itself after the pickup wait.
    worker.unref();
    worker.on("error", () => {});
    return true;
  } catch {
    return false;
  }
}
