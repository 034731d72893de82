/**
 * Flushes at the end of the process: normal exit, `process.exit()`, an uncaught exception (all
 * reach the `exit` event), and SIGINT/SIGTERM/SIGHUP, which would otherwise kill the process
 * without one. A signal is re-raised after the flush when nobody else handles it, so the exit
 * status is the one the program would have had.
 */
import { shutdown } from "../report.js";
import type { RuntimeReport } from "../sinks/sink.js";
import { state, type ExitHooks } from "../state.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The thread's exit hooks, made once: the listeners live in the state, so any copy can remove them. */
function exitHooks(): ExitHooks {
  const existing = state.node.exitHooks;
  if (existing !== null) return existing;
  const hooks: ExitHooks = {
    installed: false,
    done: false,
    onReport: null,
    finish: () => {
      if (hooks.done) return;
      hooks.done = true;
      const report = shutdown(true);
      hooks.onReport?.(report);
    },
    onSignal: (signal) => {
      hooks.finish();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    },
  };
  state.node.exitHooks = hooks;
  return hooks;
}

export function installExitHooks(report?: (report: RuntimeReport) => void): void {
  const hooks = exitHooks();
  if (report !== undefined) hooks.onReport = report;
  if (hooks.installed) return;
  hooks.installed = true;
  process.on("exit", hooks.finish);
  for (const signal of SIGNALS) process.once(signal, hooks.onSignal);
}

export function uninstallExitHooks(): void {
  const hooks = state.node.exitHooks;
  if (hooks === null || !hooks.installed) return;
  hooks.installed = false;
  process.off("exit", hooks.finish);
  for (const signal of SIGNALS) process.off(signal, hooks.onSignal);
}
