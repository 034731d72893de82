/**
 * `spanfn run`: the program runs with the preload (the register entry), its own output,
 * arguments and exit code untouched; spanfn writes only to stderr and the trace file. It runs in
 * this process (run-here.ts) when this process was started plainly; otherwise (Node options of
 * its own, or the preload already loaded here) in a child Node process.
 */
import { existsSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunOptions } from "./args.js";
import { UsageError } from "./args.js";
import { enableCodeCache, openCache } from "./cache.js";
import { envFromOptions, optionsFromEnv, setVariables } from "./env.js";
import { declaredFormat, nearestPackageJson } from "./package-json.js";
import { preloaded } from "./preloaded.js";
import { runHere } from "./run-here.js";

const REGISTER = fileURLToPath(new URL("./register.js", import.meta.url));
/** The Node options a program under `spanfn run` is started with, in this process or a child. */
const PRELOAD = ["--enable-source-maps", "--import", REGISTER] as const;

export function run(options: RunOptions): Promise<number> {
  const script = resolve(options.script);
  if (!existsSync(script)) throw new UsageError(`no such script: ${options.script}`);
  // The options travel as the SPANFN_* variables `node --import @spanfn/cli/register` reads.
  const variables = envFromOptions(options);
  // Node options given to this process (`node --conditions=… spanfn run`) would reach the
  // program here but not its workers, whose options the preload's replace: such a run keeps the
  // child, which gets neither, as it always has.
  if (process.execArgv.length === 0 && !preloaded() && formatIsCertain(script)) {
    setVariables(process.env, variables);
    enableCodeCacheEarly(script);
    return runHere(script, options.args, PRELOAD, REGISTER);
  }
  return runInChild(script, options.args, setVariables({ ...process.env }, variables));
}

/**
 * V8's code cache, on before the preload loads (Node 22.1 and later), where the preload would turn
 * it on: spanfn's own modules then load compiled, as the program's do.
 */
function enableCodeCacheEarly(script: string): void {
  // What is wrong with the variables the preload tells, once.
  const options = optionsFromEnv(process.env, () => {}, process.cwd(), script);
  if (!options.enabled || !options.cache) return;
  const cache = openCache({ dir: options.cacheDir, root: options.root });
  if (cache !== null) enableCodeCache(cache.dir);
}

/**
 * Whether Node, starting `script` with no preload, takes it for what the preload's hooks take it
 * for (a process started with a preload loads every main module through the ES module loader,
 * and so through the hooks): its extension says, or its package.json's "type" does. Without
 * either, Node goes by its syntax: the hooks ask Node's loader for it, but a main run here starts
 * in the CommonJS loader, whose require hook takes the file for CommonJS. Such a program keeps
 * the child.
 */
function formatIsCertain(script: string): boolean {
  // Node runs an .mts main as an ES module by its package's type, or where it strips types itself.
  if (extname(script) === ".mts") return nearestPackageJson(dirname(script))?.type === "module" || Boolean((process.features as { typescript?: unknown }).typescript);
  return declaredFormat(script) !== undefined;
}

async function runInChild(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Loaded here: a program run in this process never needs it.
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [...PRELOAD, script, ...args], { stdio: "inherit", env });
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
