/**
 * Loaded into the traced program with `--import`, or imported by `spanfn run` before it
 * (run-here.ts), and into its worker threads: installs the runtime with a trace file and the
 * exit summary, and the hooks that pass the program's modules through the spanfn plugin as they
 * load.
 */
import { readFileSync, rmSync } from "node:fs";
import Module, { register } from "node:module";
import { install, TraceWriterSink } from "@spanfn/tracing/node";
import { isMainThread } from "node:worker_threads";
import { formatSummary, summarize as summarizeEvents } from "./summary.js";
import type { DemoteOptions, RuntimeReport, Sink, Summary } from "@spanfn/tracing";
import { getSink, parseChromeTrace } from "@spanfn/tracing";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, instrument, loadGetTsconfig, wanted, type InstrumentOptions } from "./transform.js";
import { onCompileThread, remoteCompiler, type Compile } from "./remote-compile.js";
import { ModuleHooks, registerHooksOf, registerInThread } from "./module-hooks.js";
import { enableCodeCache, openCache, type TransformCache } from "./cache.js";
import type { LoaderData } from "./loader.js";
import { optionsFromEnv, type PreloadOptions } from "./env.js";
import { TsconfigPaths } from "./paths.js";
import { learnedPath, readLearned, writeLearned } from "./learned.js";
import { markPreloaded } from "./preloaded.js";

export type { PreloadOptions } from "./env.js";

markPreloaded();
const warn = (message: string) => {
  if (isMainThread) process.stderr.write(`spanfn: ${message}\n`);
};
const options = optionsFromEnv(process.env, warn);
// The HTML report's code (and the trace readers it brings) is loaded only when one is asked for;
// at exit it is too late to load anything.
const htmlReport = options.enabled && options.html !== undefined && isMainThread ? await import("./report.js") : null;

/**
 * While spanfn's own code loads modules on this thread, the hooks pass them by. Babel, compiling
 * here when the compiling thread did not answer, requires parts of itself and its plugins lazily,
 * in the middle of a transform; get-tsconfig loads at the first tsconfig.json. Those modules are
 * spanfn's toolchain, not the program: instrumenting them would record spanfn's own work, and
 * Babel refuses to compile a plugin it is loading ("Reentrant plugin detected").
 */
let ownLoading = false;
function asOwnLoading<A extends unknown[], R>(load: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    ownLoading = true;
    try {
      return load(...args);
    } finally {
      ownLoading = false;
    }
  };
}
const compileHere: Compile = asOwnLoading(compile);

/** spanfn's own modules: the folder this one is in, which the bundle shares with the rest of the CLI. */
const OWN_FOLDER = dirname(fileURLToPath(import.meta.url)) + sep;

if (options.enabled) await start(options);

async function start(options: PreloadOptions): Promise<void> {
  const processName = process.argv[1] ?? "node";
  const cache = options.cache ? openTransformCache(options) : null;
  const learning = learningOf(options, cache);
  // Workers forward their blocks to the main thread, which exports them with its own.
  if (options.otlp !== undefined && isMainThread) await installExport(options, processName, learning);
  else {
    // The writer thread summarises the trace as it writes it (workers forward to the main thread).
    const sink = isMainThread ? new TraceWriterSink(options.out, { processName, summary: !options.quiet }) : undefined;
    // The sink in place at exit, seen before the runtime's exit hook (registered by install())
    // finishes it and lets it go; told about after that hook, once the trace is finished.
    let atExit: Sink | null = null;
    if (sink !== undefined) process.on("exit", () => (atExit = getSink()));
    install({ sink, demote: learning.demote, processName, onExit: (report) => summarize(options, sink, learning.keep(report)) });
    if (sink !== undefined) process.on("exit", () => explainOwnInstall(options, sink, atExit));
  }
  if (cache !== null) enableCodeCache(cache.dir);
  // Babel loads on the first module not in the cache, on the hooks thread or a compile thread;
  // never on this one.
  const remote = remoteCompiler(compileHere);
  const paths = new TsconfigPaths(warn, asOwnLoading(loadGetTsconfig));
  const registerHooks = registerHooksOf(Module);
  let compiler = remote.compile;
  if (registerHooks !== undefined) {
    compiler = onCompileThread(remote, options, compileHere, new URL("./compile-thread.js", import.meta.url));
    registerInThread(registerHooks, new ModuleHooks(options, cache, compiler, paths), () => ownLoading);
  } else {
    const data: LoaderData = { ...options, cacheDir: cache?.dir ?? null, compiles: remote.service };
    register(new URL("./loader.js", import.meta.url), { data, transferList: [remote.service.port] });
  }
  installRequireHook(options, cache, compiler);
  installPathsHook(paths);
}

/** The cache this thread and the loader's share; its problems are told once, by the main thread. */
function openTransformCache(options: PreloadOptions): TransformCache | null {
  return openCache({ dir: options.cacheDir, root: options.root, warn });
}

interface Learning {
  /** The runtime's demotion option, with what earlier runs of this program demoted. */
  demote: boolean | DemoteOptions;
  /** At exit, on the main thread: keeps what this run demoted for the next; returns how many of those were learned. */
  keep(report: RuntimeReport): number;
}

/**
 * What earlier runs of this program demoted (learned.ts), kept in the transform cache's
 * directory: none without the cache or demotion.
 */
function learningOf(options: PreloadOptions, cache: TransformCache | null): Learning {
  if (!options.demote || cache === null) return { demote: options.demote, keep: () => 0 };
  const file = learnedPath(cache.dir, options.root, process.argv[1] ?? "");
  const learned = readLearned(file, options.root);
  return {
    demote: learned.length === 0 ? true : { learned },
    keep(report) {
      if (!isMainThread) return 0;
      try {
        writeLearned(file, options.root, report.demoted);
      } catch (error) {
        warn(`could not keep what this run demoted for the next in ${file}: ${(error as Error).message}`);
      }
      // Counted as the summary counts demoted functions: by name (sites of one name are one row).
      return new Set(report.demoted.filter((site) => site.learned === true).map((site) => site.name)).size;
    },
  };
}

/** `--otlp`: spans go to the collector as they end; a trace file too when one was asked for. */
async function installExport(options: PreloadOptions, processName: string, learning: Learning): Promise<void> {
  const fallBack = () => {
    if (options.writeTrace) install({ out: options.out, demote: learning.demote, processName, onExit: (report) => summarize(options, undefined, learning.keep(report)) });
    else install({ processName, enabled: false, onExit: () => {} });
  };
  // An optional peer: the CLI does not bring OpenTelemetry to the programs that never export.
  let otelModule: typeof import("@spanfn/otel");
  try {
    otelModule = await import("@spanfn/otel");
  } catch (error) {
    const missing = (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes("@spanfn/otel");
    process.stderr.write(
      missing
        ? "spanfn: exporting to OpenTelemetry (--otlp, SPANFN_OTLP) needs the @spanfn/otel package beside @spanfn/cli: npm install --save-dev @spanfn/otel; running without OpenTelemetry export\n"
        : `spanfn: @spanfn/otel could not be loaded: ${(error as Error).message}; running without OpenTelemetry export\n`,
    );
    fallBack();
    return;
  }
  let otel;
  // As for a trace file: the sink in place at exit, seen before the runtime's exit hook lets it go.
  let atExit: Sink | null = null;
  process.on("exit", () => (atExit = getSink()));
  try {
    otel = otelModule.installOtel({
      url: options.otlp === "" ? undefined : options.otlp,
      serviceName: options.serviceName,
      out: options.writeTrace ? options.out : undefined,
      demote: learning.demote,
      processName,
      summary: options.writeTrace && !options.quiet,
      onExit: (report, sink) => {
        const learned = learning.keep(report);
        const stats = sink.stats();
        if (!options.quiet) process.stderr.write(`\nspanfn: ${stats.exported} spans exported to ${sink.destinationName}\n`);
        if (options.writeTrace) summarize(options, sink, learned);
      },
    });
  } catch (error) {
    // A bad endpoint or protocol: say so once and run the program untraced rather than not at all.
    process.stderr.write(`${(error as Error).message}; running without OpenTelemetry export\n`);
    fallBack();
    return;
  }
  if (otel === null && !options.quiet) process.stderr.write("spanfn: OTEL_SDK_DISABLED=true: not exporting spans\n");
  const ours = getSink();
  if (otel !== null && ours !== null) process.on("exit", () => explainOwnExportInstall(options, ours, atExit));
}

/**
 * Under --otlp, the program called `install()` itself and so replaced the exporting sink: none
 * of its spans reach the collector. Say where they went instead.
 */
function explainOwnExportInstall(options: PreloadOptions, ours: Sink, theirs: Sink | null): void {
  if (theirs === ours || theirs === null) return;
  const path = (theirs as { path?: unknown }).path;
  const where = typeof path === "string" ? `to ${resolve(path)}` : "to the sink it gave install()";
  if (options.writeTrace && (typeof path !== "string" || resolve(path) !== options.out)) rmSync(options.out, { force: true });
  process.stderr.write(
    `spanfn: the program called install() itself, so its spans went ${where} and none were exported to OpenTelemetry (--otlp); ` +
      `leave install() out under spanfn run\n`,
  );
}

/**
 * At exit: the summary on stderr, as the writer thread aggregated it (or read back from the trace
 * file when another sink wrote it), and the HTML report, which needs the events themselves.
 */
function summarize(options: PreloadOptions, writer?: { summary?(): Summary | undefined }, learned = 0): void {
  if (!isMainThread || (options.quiet && options.html === undefined)) return;
  try {
    let summary = writer?.summary?.();
    if (options.html !== undefined || summary === undefined) {
      const events = parseChromeTrace(readFileSync(options.out, "utf8"));
      summary ??= summarizeEvents(events);
      if (options.html !== undefined) htmlReport?.writeHtml(options.html, events, summary);
    }
    if (options.quiet) return;
    const html = options.html === undefined ? "" : ` and ${options.html}`;
    process.stderr.write(`\nspanfn: trace written to ${options.out}${html}\n${formatSummary(summary, { top: options.top, learned })}`);
  } catch (error) {
    process.stderr.write(`spanfn: could not summarise ${options.out}: ${(error as Error).message}\n`);
  }
}

/**
 * The program called `install()` itself and so replaced spanfn run's sink: its spans went where
 * its own install said, and spanfn run's trace file holds none. Say which file holds the trace,
 * and leave no header-only file behind; when both are the same file, it is the program's trace,
 * summarised as usual.
 */
function explainOwnInstall(options: PreloadOptions, ours: TraceWriterSink, theirs: Sink | null): void {
  if (theirs === ours || theirs === null) return;
  const path = (theirs as { path?: unknown } | null)?.path;
  const where = typeof path === "string" ? resolve(path) : undefined;
  if (where === options.out) {
    process.stderr.write(`spanfn: the program called install() itself, with the same trace file: ${options.out} is its trace\n`);
    summarize(options);
    return;
  }
  if (options.writeTrace) rmSync(options.out, { force: true });
  const theirTrace = where === undefined ? "to the sink it gave install()" : `to ${where}`;
  process.stderr.write(
    `spanfn: the program called install() itself, so its spans went ${theirTrace}, not to ${options.out} (removed: it held no spans); ` +
      `leave install() out under spanfn run, or pass it the same file\n`,
  );
}

/** CommonJS modules (and `.ts` files of CommonJS packages) go through the plugin as they are required. */
function installRequireHook(instrumentOptions: InstrumentOptions, cache: TransformCache | null, compiler: Compile): void {
  const extensions = (Module as unknown as { _extensions: Record<string, (module: unknown, filename: string) => void> })._extensions;
  const javascript = extensions[".js"];
  for (const extension of [".js", ".cjs", ".ts", ".cts", ".tsx"]) {
    const original = extensions[extension] ?? javascript;
    extensions[extension] = (module, filename) => {
      if (ownLoading || !wanted(filename, instrumentOptions)) return original(module, filename);
      const code = instrument(readFileSync(filename, "utf8"), filename, instrumentOptions, true, cache, compiler);
      (module as { _compile(code: string, filename: string): void })._compile(code, filename);
    };
  }
}

/**
 * `require("@lib/hi")` through tsconfig `paths`: each file the pattern names, tried as Node tries a
 * path. Not spanfn's own requires (its toolchain, found as it is first needed): the paths are the
 * program's.
 */
function installPathsHook(paths: TsconfigPaths): void {
  type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
  const modules = Module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = modules._resolveFilename;
  modules._resolveFilename = function (request, parent, ...rest) {
    const from = parent?.filename;
    if (typeof from === "string" && !from.startsWith(OWN_FOLDER)) {
      for (const candidate of paths.candidates(request, from)) {
        try {
          return resolveFilename.call(this, candidate, parent, ...rest);
        } catch {
          // Not this one: the next pattern's, else Node's own resolution.
        }
      }
    }
    return resolveFilename.call(this, request, parent, ...rest);
  };
}
