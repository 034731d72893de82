/**
 * `spanfn run`: the program runs in a child Node process with the preload, so its own output,
 * arguments and exit code are untouched; spanfn writes only to stderr and the trace file.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunOptions } from "./args.js";
import { UsageError } from "./args.js";
import type { PreloadOptions } from "./preload.js";

const PRELOAD = fileURLToPath(new URL("./preload.js", import.meta.url));

export function run(options: RunOptions): Promise<number> {
  const script = resolve(options.script);
  if (!existsSync(script)) throw new UsageError(`no such script: ${options.script}`);
  const preload: PreloadOptions = {
    all: options.all,
    include: options.include,
    exclude: options.exclude,
    nodeModules: options.nodeModules,
    root: process.cwd(),
    out: resolve(options.out),
    top: options.top,
    quiet: options.quiet,
    html: options.html === undefined ? undefined : resolve(options.html),
    otlp: options.otlp,
    writeTrace: options.writeTrace,
    serviceName: basename(script).replace(/\.[^.]*$/, ""),
    demote: options.demote,
    cache: options.cache,
  };
  const child = spawn(process.execPath, ["--enable-source-maps", "--import", PRELOAD, script, ...options.args], {
    stdio: "inherit",
    env: { ...process.env, SPANFN_RUN: JSON.stringify(preload) },
  });
  // A terminal sends signals to both; one sent to spanfn alone is passed on. Either way spanfn
  // waits for the program, which flushes its trace, and then ends the way it ended.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  return new Promise((done) => {
    child.on("exit", (code, signal) => {
      if (signal !== null) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
        return;
      }
      done(code ?? 1);
    });
  });
}
