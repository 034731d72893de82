/**
 * Loaded into the traced program with `--import` (and into its worker threads, which inherit
 * it): installs the runtime with a trace file and the exit summary, and the hooks that pass
 * the program's modules through the spanfn plugin as they load.
 */
import { readFileSync } from "node:fs";
import Module, { register } from "node:module";
import { install } from "@spanfn/tracing/node";
import { isMainThread } from "node:worker_threads";
import { formatSummary, summarize } from "./summary.js";
import { writeHtml } from "./report.js";
import { parseChromeTrace } from "@spanfn/tracing";
import { instrument, wanted, type InstrumentOptions } from "./transform.js";

export interface PreloadOptions extends InstrumentOptions {
  out: string;
  top: number;
  quiet: boolean;
  html: string | undefined;
  demote: boolean;
}

const options = JSON.parse(process.env.SPANFN_RUN ?? "null") as PreloadOptions | null;

if (options !== null) {
  install({
    out: options.out,
    demote: options.demote,
    processName: process.argv[1] ?? "node",
    onExit: (report) => {
      if (!isMainThread || (options.quiet && options.html === undefined)) return;
      try {
        const events = parseChromeTrace(readFileSync(options.out, "utf8"));
        const summary = summarize(events);
        if (options.html !== undefined) writeHtml(options.html, events, summary);
        if (options.quiet) return;
        const html = options.html === undefined ? "" : ` and ${options.html}`;
        process.stderr.write(`\nspanfn: trace written to ${options.out}${html}\n${formatSummary(summary, { top: options.top })}`);
      } catch (error) {
        process.stderr.write(`spanfn: could not summarise ${options.out}: ${(error as Error).message}\n`);
      }
      void report;
    },
  });
  register(new URL("./loader.js", import.meta.url), { data: options });
  installRequireHook(options);
}

/** CommonJS modules (and `.ts` files of CommonJS packages) go through the plugin as they are required. */
function installRequireHook(instrumentOptions: InstrumentOptions): void {
  const extensions = (Module as unknown as { _extensions: Record<string, (module: unknown, filename: string) => void> })._extensions;
  const javascript = extensions[".js"];
  for (const extension of [".js", ".cjs", ".ts", ".cts", ".tsx"]) {
    const original = extensions[extension] ?? javascript;
    extensions[extension] = (module, filename) => {
      if (!wanted(filename, instrumentOptions)) return original(module, filename);
      const source = readFileSync(filename, "utf8");
      const code = instrument(source, filename, instrumentOptions, true);
      (module as { _compile(code: string, filename: string): void })._compile(code, filename);
    };
  }
}
