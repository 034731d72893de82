/**
 * The plugin's specification: every folder under fixtures/ with an `input.(ts|js)` is a case.
 * `output.js` is the exact transform; `error.txt`, the error it must raise instead; `events.txt`,
 * the spans the transformed code records when run (its `run` export is called and awaited).
 * `options.json` files apply to their folder and everything below it.
 * UPDATE_FIXTURES=1 writes missing or changed expectations instead of failing.
 */
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { PluginItem } from "@babel/core";
import { configure, flush, InMemorySink, setSink } from "../../tracing/src/index.js";
import { compile, evaluate, render } from "./run-output.js";

const ROOT = join(__dirname, "../../../fixtures");
const UPDATE = process.env.UPDATE_FIXTURES === "1";

interface CaseOptions {
  plugin?: Record<string, unknown>;
  presets?: string[];
  filename?: string;
  /** Run the plugin this many times in a row (idempotence). */
  passes?: number;
}

function cases(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (existsSync(join(path, "input.ts")) || existsSync(join(path, "input.js"))) found.push(path);
    else found.push(...cases(path));
  }
  return found;
}

function optionsFor(dir: string): CaseOptions {
  const chain: string[] = [];
  for (let d = dir; d.startsWith(ROOT); d = join(d, "..")) chain.unshift(d);
  let merged: CaseOptions = {};
  for (const d of chain) {
    const file = join(d, "options.json");
    if (existsSync(file)) {
      const own = JSON.parse(readFileSync(file, "utf8")) as CaseOptions;
      merged = { ...merged, ...own, plugin: { ...merged.plugin, ...own.plugin } };
    }
  }
  return merged;
}

const PRESETS: Record<string, PluginItem> = {
  typescript: [require.resolve("@babel/preset-typescript"), { allowDeclareFields: true }],
  env: [require.resolve("@babel/preset-env"), { targets: { node: "20" } }],
};

function expectFile(path: string, actual: string): void {
  if (UPDATE && (!existsSync(path) || readFileSync(path, "utf8") !== actual)) writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`missing ${relative(ROOT, path)}; run with UPDATE_FIXTURES=1 to create it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

const sink = new InMemorySink();
beforeEach(() => {
  setSink(sink);
  configure({ enabled: true });
  flush();
  sink.clear();
});
afterAll(() => setSink(null));

describe.each(cases(ROOT).map((dir) => [relative(ROOT, dir), dir]))("%s", (_name, dir) => {
  const options = optionsFor(dir);
  const inputName = existsSync(join(dir, "input.ts")) ? "input.ts" : "input.js";
  const input = readFileSync(join(dir, inputName), "utf8");
  const filename = join("/project", options.filename ?? `src/${relative(ROOT, dir)}.${inputName.endsWith(".ts") ? "ts" : "js"}`);
  const presets = (options.presets ?? (inputName.endsWith(".ts") ? ["typescript"] : [])).map((p) => PRESETS[p]);
  const transform = (extraPlugins: PluginItem[] = []) => {
    let code = input;
    for (let pass = 0; pass < (options.passes ?? 1); pass++) {
      code = compile(code, filename, options.plugin ?? {}, { presets, plugins: pass === (options.passes ?? 1) - 1 ? extraPlugins : [] }).code!;
    }
    return code;
  };

  if (existsSync(join(dir, "error.txt"))) {
    test("fails with the expected error", () => {
      const expected = readFileSync(join(dir, "error.txt"), "utf8").trim();
      expect(() => transform()).toThrow(expected);
    });
    return;
  }

  test("output", () => {
    expectFile(join(dir, "output.js"), `${transform()}\n`);
  });

  const eventsFile = join(dir, "events.txt");
  if (existsSync(eventsFile) || (UPDATE && /export (async )?function run\b/.test(input))) {
    test("recorded spans", async () => {
      const exports = evaluate(transform([require.resolve("@babel/plugin-transform-modules-commonjs")]));
      if (typeof exports.run === "function") await (exports.run as () => unknown)();
      await new Promise((resolve) => setTimeout(resolve, 0));
      flush();
      expectFile(eventsFile, render(sink.events()));
    });
  }
});
