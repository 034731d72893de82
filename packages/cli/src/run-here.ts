/**
 * `spanfn run` in spanfn's own process: the program starts as `node --enable-source-maps --import
 * @spanfn/cli/register SCRIPT ARGS` would start it, without a second Node process to start
 * first. What the program can see is what it would see in that process: its script and
 * arguments in `process.argv`, the preload in `process.execArgv` (which `fork` passes on), source
 * maps on, the SPANFN_* variables, and a preload in each worker thread it starts.
 */
import Module, { syncBuiltinESMExports } from "node:module";
import { pathToFileURL } from "node:url";
import workerThreads, { type WorkerOptions } from "node:worker_threads";

/**
 * Runs `script` here, as Node started with the options `preload` (which import `register`) would
 * run it; the SPANFN_* variables are already in `process.env`. The promise never settles: the
 * process ends the way the program ends (its exit code, an uncaught error, a signal).
 */
export async function runHere(script: string, args: readonly string[], preload: readonly string[], register: string): Promise<never> {
  process.argv.splice(1, process.argv.length - 1, script, ...args);
  process.execArgv.push(...preload);
  preloadInWorkers(preload);
  await import(pathToFileURL(register).href);
  process.setSourceMapsEnabled(true);
  // Outside any promise: what the program's CommonJS main module throws is uncaught, and Node
  // reports it as it reports any program's.
  process.nextTick(() => (Module as unknown as { runMain(): void }).runMain());
  return new Promise<never>(() => {});
}

/**
 * A worker gets its parent's command-line options, never `process.execArgv`, unless its options
 * name an `execArgv`; the NODE_OPTIONS of its environment apply either way. So each worker the
 * program starts without an `execArgv` of its own is given the preload's, as it would have
 * inherited them from a process started with it.
 */
function preloadInWorkers(preload: readonly string[]): void {
  const Original = workerThreads.Worker;
  class Worker extends Original {
    constructor(filename: string | URL, options?: WorkerOptions) {
      super(filename, options?.execArgv === undefined ? { ...options, execArgv: [...preload] } : options);
    }
  }
  (workerThreads as { Worker: typeof Original }).Worker = Worker;
  // ES modules' `import { Worker } from "node:worker_threads"` reads the new one too.
  syncBuiltinESMExports();
}
