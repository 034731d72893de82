/**
 * Flushes at the end of the process: normal exit, `process.exit()`, an uncaught exception (all
 * reach the `exit` event), and SIGINT/SIGTERM/SIGHUP, which would otherwise kill the process
 * without one. A signal is re-raised after the flush when nobody else handles it, so the exit
 * status is the one the program would have had.
 */
import { shutdown } from "../dispatch.js";
import type { RuntimeReport } from "../sinks/sink.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

let installed = false;
let done = false;
let onReport: ((report: RuntimeReport) => void) | null = null;

function finish(): void {
  if (done) return;
  done = true;
  const report = shutdown(true);
  onReport?.(report);
}

function onSignal(signal: NodeJS.Signals): void {
  finish();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

export function installExitHooks(report?: (report: RuntimeReport) => void): void {
  if (report !== undefined) onReport = report;
  if (installed) return;
  installed = true;
  process.on("exit", finish);
  for (const signal of SIGNALS) process.once(signal, onSignal);
}

export function uninstallExitHooks(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", finish);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}
