/**
 * Runs code the plugin emitted against this process's runtime and renders what it recorded:
 * the fixtures' `events.txt` and the semantics suite read the same rendering.
 */
import { transformSync, type PluginItem } from "@babel/core";
import { runInNewContext } from "node:vm";
import * as tracing from "../../tracing/src/index.js";
import plugin from "../src/index.js";
import type { SpanFnPluginOptions } from "../src/index.js";
import { renderEvents } from "../../../fixtures/runner.cjs";

export interface Compiled {
  code: string;
}

export function compile(
  source: string,
  filename: string,
  pluginOptions: SpanFnPluginOptions | null,
  extra: { presets?: PluginItem[]; plugins?: PluginItem[]; root?: string; sourceMaps?: boolean } = {},
) {
  const plugins: PluginItem[] = [];
  if (pluginOptions !== null) plugins.push([plugin, pluginOptions]);
  plugins.push(...(extra.plugins ?? []));
  const result = transformSync(source, {
    filename,
    root: extra.root ?? "/project",
    cwd: extra.root ?? "/project",
    babelrc: false,
    configFile: false,
    presets: extra.presets ?? [],
    plugins,
    sourceMaps: extra.sourceMaps ?? false,
    generatorOpts: { retainLines: false },
  });
  if (!result?.code) throw new Error(`no output for ${filename}`);
  return result;
}

/**
 * Evaluates CommonJS code with `@spanfn/tracing` bound to this process's runtime. `realm: "vm"`
 * runs it in a fresh `vm` context: its globals (`TypeError`, `Promise`, `Object`) are not the
 * runtime's, as for a program the runtime was loaded beside rather than with.
 */
export function evaluate(code: string, modules: Record<string, unknown> = {}, realm: "same" | "vm" = "same"): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const require = (name: string) => {
    if (name === "@spanfn/tracing") return tracing;
    if (name in modules) return modules[name];
    throw new Error(`fixture requires unknown module ${name}`);
  };
  const factory =
    realm === "vm"
      ? (runInNewContext(`(function (require, module, exports) {\n${code}\n})`, { setTimeout, clearTimeout }) as (...args: unknown[]) => void)
      : new Function("require", "module", "exports", code);
  factory(require, module, module.exports);
  return module.exports;
}

/** The fixtures' text rendering of a trace (see fixtures/runner.cjs). */
export function render(events: readonly tracing.SpanEvent[]): string {
  return renderEvents(events);
}
