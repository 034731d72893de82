/**
 * `spanfn run`: the program runs in a child Node process with the preload (the register entry),
 * so its own output, arguments and exit code are untouched; spanfn writes only to stderr and the
 * trace file.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunOptions } from "./args.js";
import { UsageError } from "./args.js";
import { envFromOptions } from "./env.js";

const REGISTER = fileURLToPath(new URL("./register.js", import.meta.url));

export function run(options: RunOptions): Promise<number> {
  const script = resolve(options.script);
  if (!existsSync(script)) throw new UsageError(`no such script: ${options.script}`);
  // The options travel as the SPANFN_* variables `node --import @spanfn/cli/register` reads.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(envFromOptions(options))) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(process.execPath, ["--enable-source-maps", "--import", REGISTER, script, ...options.args], { stdio: "inherit", env });
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
