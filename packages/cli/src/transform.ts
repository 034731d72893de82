/**
 * What `spanfn run` does to each module the program loads: the spanfn plugin (plus TypeScript
 * and, for CommonJS that uses `import`, the module transform), inline source maps so stack
 * traces keep the original lines, and the runtime imported from spanfn's own copy.
 */
import type { PluginItem, transformSync as TransformSync } from "@babel/core";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { stampOf, type Compiled, type TransformCache } from "./cache.js";
import { nearestPackageJson } from "./package-json.js";
import type { GetTsconfig } from "./paths.js";

const require = createRequire(import.meta.url);

/**
 * Babel and the plugin, loaded on the first module the cache does not hold, so a warm cache
 * spares the thread that runs the ESM hooks from loading them at all. The program's own threads
 * ask that thread to compile (remote-compile.ts) and load them only if it does not answer.
 */
let toolchainModules: { transformSync: typeof TransformSync; spanfn: unknown } | undefined;

export function loadToolchain(): { transformSync: typeof TransformSync; spanfn: unknown } {
  if (toolchainModules !== undefined) return toolchainModules;
  const babel = require("@babel/core") as { transformSync: typeof TransformSync };
  const plugin = require("@spanfn/babel-plugin") as { default?: unknown };
  toolchainModules = { transformSync: babel.transformSync, spanfn: plugin.default ?? plugin };
  return toolchainModules;
}

/**
 * get-tsconfig, for tsconfig `paths` (paths.ts), at the first tsconfig.json. Its CommonJS build,
 * which Node loads in about half the time of its ES build. (The preload's `paths` hook leaves
 * spanfn's own requires alone, so this and the lookups below may run after it is installed.)
 */
export function loadGetTsconfig(): GetTsconfig {
  return require("get-tsconfig") as GetTsconfig;
}

export interface InstrumentOptions {
  all: boolean;
  include: string[];
  exclude: string[];
  nodeModules: boolean;
  root: string;
}

/**
 * The runtime the generated code imports: this CLI's own, whatever the program has installed.
 * An ES module imports its ES build, the very module the preload has loaded already; CommonJS
 * requires its CommonJS build. Found at the first module instrumented on this thread: a program's
 * thread whose modules are all ES modules (the hooks thread compiles them) never looks.
 */
let runtime: { commonjs: string; module: string } | undefined;

function runtimeFor(commonjs: boolean): string {
  runtime ??= { commonjs: require.resolve("@spanfn/tracing"), module: esmEntry("@spanfn/tracing") };
  return commonjs ? runtime.commonjs : runtime.module;
}

/**
 * The file Node imports for `name` (its main entry, as an ES module, in Node), from its exports:
 * on Node 20, Node's hooks thread has no `import.meta.resolve`.
 */
function esmEntry(name: string): string {
  const manifest = require.resolve(`${name}/package.json`);
  const { exports } = require(manifest) as { exports: { ".": { node: { import: { default: string } } } } };
  return join(dirname(manifest), exports["."].node.import.default);
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

export function isTypeScript(filename: string): boolean {
  return TYPESCRIPT.test(filename);
}

/**
 * The module's instrumented code: from `cache` when it holds this source's, else compiled now (by
 * `compiler`: here, or on the thread that runs the ESM hooks, remote-compile.ts).
 */
export function instrument(
  source: string,
  filename: string,
  options: InstrumentOptions,
  commonjs: boolean,
  cache: TransformCache | null = null,
  compiler: typeof compile = compile,
): string {
  let key: string | undefined;
  try {
    if (cache !== null) key = cacheKey(filename, options, commonjs);
  } catch {
    // The toolchain's files could not be read: a cache problem, so the module is compiled as
    // without one.
  }
  if (cache === null || key === undefined) return compiler(source, filename, options, commonjs).code;
  return cache.cached(key, source, () => compiler(source, filename, options, commonjs));
}

/**
 * Everything besides the source that the code `compile` makes depends on. The generated code
 * names the file and imports the runtime by path, so both are part of it.
 */
function cacheKey(filename: string, options: InstrumentOptions, commonjs: boolean): string {
  const { all, include, exclude, nodeModules, root } = options;
  return JSON.stringify([toolchain(), filename, commonjs, all, include, exclude, nodeModules, root, runtimeFor(commonjs)]);
}

let toolchainStamp: string | Error | undefined;

/**
 * The versions of what transforms the code, and the size and modification time of each of the
 * plugin's built files and this one's (a rebuild changes them; reading them whole would cost
 * every run more than the check is worth). Found once per thread, on the first module it
 * instruments: a program's thread whose modules are all ES modules never looks.
 */
function toolchain(): string {
  toolchainStamp ??= stampToolchain();
  if (toolchainStamp instanceof Error) throw toolchainStamp;
  return toolchainStamp;
}

function stampToolchain(): string | Error {
  try {
    const packages = ["@babel/core", "@babel/preset-typescript", "@babel/plugin-transform-modules-commonjs", "@spanfn/babel-plugin", "@spanfn/cli"];
    const versions = packages.map((name) => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version);
    // Its CommonJS build (what require resolves to) is made with the ESM one this CLI imports.
    const pluginDir = dirname(require.resolve("@spanfn/babel-plugin"));
    const built = readdirSync(pluginDir)
      .filter((name) => name.endsWith(".js"))
      .sort()
      .map((name) => join(pluginDir, name));
    const stamps = [...built, fileURLToPath(import.meta.url)].map((file) => {
      const stamp = stampOf(file);
      if (stamp === undefined) throw new Error(`cannot read ${file}`);
      return stamp;
    });
    return JSON.stringify({ versions, stamps });
  } catch (error) {
    // instrument() then compiles each module as without a cache.
    return error as Error;
  }
}

/**
 * Babel with the spanfn plugin (and TypeScript's types removed, and ESM made CommonJS when asked):
 * the code, and the other files the plugin read for it (contracts in other modules).
 */
export function compile(source: string, filename: string, options: InstrumentOptions, commonjs: boolean): Compiled {
  const { transformSync, spanfn } = loadToolchain();
  const presets: PluginItem[] = [];
  if (isTypeScript(filename)) presets.push([require.resolve("@babel/preset-typescript"), { onlyRemoveTypeImports: false }]);
  const plugins: PluginItem[] = [
    [
      spanfn as PluginItem,
      {
        instrument: options.all ? "all" : "marked",
        include: includeGlobs(options),
        exclude: options.exclude,
        root: options.root,
        runtimeModule: runtimeFor(commonjs),
      },
    ],
  ];
  if (commonjs) plugins.push(require.resolve("@babel/plugin-transform-modules-commonjs"));
  // Node decodes an inline source map for every module that has one, at load (the run enables
  // source maps): across node_modules that is a real share of start-up. A package's code keeps
  // its lines instead, so its stack frames name the right line without a map.
  const library = isLibrary(filename);
  let result;
  try {
    result = transformSync(source, {
    filename,
    babelrc: false,
    configFile: false,
    sourceType: commonjs ? "unambiguous" : "module",
    presets,
    plugins,
    sourceMaps: library ? false : "inline",
    retainLines: library,
    // Babel's default ("auto") prints a note on the program's stderr for every file over 500 KB
    // (typescript.js, bundles) before compacting it; deciding here says the same without a word.
    compact: source.length > 500_000,
  });
  } catch (error) {
    // A syntax error in JavaScript is the program's own: let Node report it, with its file and
    // line, as it would without spanfn. TypeScript Node cannot parse: Babel's message says where.
    if ((error as { code?: string }).code === "BABEL_PARSE_ERROR" && !isTypeScript(filename)) return { code: source, dependencies: [] };
    throw error;
  }
  const dependencies = (result?.metadata as { spanfn?: { dependencies?: string[] } } | undefined)?.spanfn?.dependencies ?? [];
  return { code: result?.code ?? source, dependencies };
}

function includeGlobs(options: InstrumentOptions): string[] | undefined {
  // --include globs alone select the files (`--include 'node_modules/p-map/**'` is p-map, not all
  // of node_modules); the plugin instruments node_modules only where a glob names it. Without
  // globs, --node-modules means every file, node_modules included.
  if (options.include.length > 0) return [...options.include];
  return options.nodeModules ? ["**", "**/node_modules/**"] : undefined;
}

/**
 * spanfn's own code, never instrumented: a file of any copy of a spanfn package (its `dist` or
 * `src`), this CLI's and the program's own alike. The program's `@spanfn/tracing` (a version of
 * its own, a workspace's) shares the runtime's state with this one, and instrumented, would
 * record spans in the middle of recording them.
 */
function isSpanfnPackage(filename: string): boolean {
  // A package.json without a name (a build folder's `{"type": "commonjs"}`) is not the package's.
  const manifest = nearestPackageJson(dirname(filename), (found) => typeof found.name === "string");
  if (manifest === null || !String(manifest.name).startsWith("@spanfn/")) return false;
  return filename.startsWith(join(manifest.dir, "dist") + sep) || filename.startsWith(join(manifest.dir, "src") + sep);
}

/** A package's file: under a node_modules folder, whichever the path separator. */
const isLibrary = (filename: string): boolean => /[\\/]node_modules[\\/]/.test(filename);

/** Files spanfn passes through Babel: the program's own, and node_modules only when asked. */
export function wanted(filename: string, options: InstrumentOptions): boolean {
  if (!/\.(?:[cm]?[jt]sx?)$/.test(filename)) return false;
  if (isSpanfnPackage(filename)) return false;
  if (isLibrary(filename) && !options.nodeModules) return isTypeScript(filename);
  return true;
}
