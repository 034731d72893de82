/**
 * The bundler plugin's options: which files go through the spanfn Babel plugin, what becomes of
 * their TypeScript, and the Babel plugin's own options, passed on. Checked when the plugin is
 * created, so a bad option fails the build before any file is read, naming the option.
 */
import type { SpanFnPluginOptions } from "@spanfn/babel-plugin";
import picomatch from "picomatch";
import { isAbsolute, relative, sep } from "node:path";

/** A glob (relative to `root`, or absolute) or a regular expression tested on the absolute path. */
export type FilePattern = string | RegExp;

export interface SpanFnUnpluginOptions extends Omit<SpanFnPluginOptions, "include" | "exclude"> {
  /**
   * Files to instrument: globs relative to `root` (or absolute), or regular expressions on the
   * absolute path. Default: every `.js`, `.jsx`, `.mjs`, `.cjs`, `.ts`, `.tsx`, `.mts`, `.cts`.
   */
  include?: FilePattern | FilePattern[];
  /** Files to leave alone. node_modules and spanfn's own packages are left alone unless `include` names them. */
  exclude?: FilePattern | FilePattern[];
  /**
   * "keep": the types stay in the code handed on, for the bundler's own TypeScript transform
   * (Vite, webpack and rspack loaders, esbuild); "strip": removed here with
   * `@babel/preset-typescript` (Rollup, which parses no TypeScript). Default: per bundler.
   */
  typescript?: "keep" | "strip";
}

export interface ResolvedOptions {
  readonly babel: SpanFnPluginOptions;
  readonly typescript: "keep" | "strip" | undefined;
  /** Whether the file at this absolute path (query removed) goes through the plugin, with `root` as given. */
  readonly selects: (file: string, root: string) => boolean;
}

const OWN_KEYS: Record<string, string> = {
  include: "a glob string, a RegExp, or an array of them",
  exclude: "a glob string, a RegExp, or an array of them",
  typescript: '"keep" or "strip"',
};

const BABEL_KEYS = ["instrument", "root", "runtimeModule", "promiseTypes", "promiseFunctions", "followImports", "typeChecker"];

export const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

function fail(option: string, got: unknown): never {
  const shown = got instanceof RegExp ? String(got) : JSON.stringify(got);
  throw new Error(`@spanfn/unplugin: option "${option}" must be ${OWN_KEYS[option]}; got ${shown}`);
}

function patterns(option: string, value: unknown): FilePattern[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) if (!(item instanceof RegExp) && (typeof item !== "string" || item === "")) fail(option, value);
  return list as FilePattern[];
}

/** A test of absolute paths from globs and regular expressions; globs match relative to `root` or as absolute paths. */
function matcher(list: FilePattern[]): (file: string, root: string) => boolean {
  const regexps = list.filter((p): p is RegExp => p instanceof RegExp);
  const globs = list.filter((p): p is string => typeof p === "string");
  const glob = globs.length === 0 ? () => false : picomatch(globs, { dot: true });
  return (file, root) => {
    if (regexps.some((r) => { r.lastIndex = 0; return r.test(file); })) return true;
    if (globs.length === 0) return false;
    const rel = relative(root, file).split(sep).join("/");
    return glob(rel) || glob(file.split(sep).join("/"));
  };
}

/** Whether a pattern can select a file under node_modules (a glob naming it, or any RegExp that matches such a path). */
function namesNodeModules(list: FilePattern[]): boolean {
  return list.some((p) => (typeof p === "string" ? p.includes("node_modules") : p.source.includes("node_modules")));
}

export function resolveOptions(raw: unknown, ownDirectories: readonly string[]): ResolvedOptions {
  const options = (raw ?? {}) as Record<string, unknown>;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`@spanfn/unplugin: options must be an object; got ${JSON.stringify(raw)}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(OWN_KEYS, key) && !BABEL_KEYS.includes(key)) {
      throw new Error(`@spanfn/unplugin: unknown option "${key}"; known options: ${[...BABEL_KEYS, ...Object.keys(OWN_KEYS)].join(", ")}`);
    }
  }
  const { include: rawInclude, exclude: rawExclude, typescript, ...babel } = options;
  if (typescript !== undefined && typescript !== "keep" && typescript !== "strip") fail("typescript", typescript);
  const include = patterns("include", rawInclude);
  const exclude = patterns("exclude", rawExclude);
  const isIncluded = include.length === 0 ? (file: string) => SOURCE_FILE.test(file) : matcher(include);
  const isExcluded = matcher(exclude);
  const wantsNodeModules = namesNodeModules(include);

  return {
    babel: babel as SpanFnPluginOptions,
    typescript: typescript as "keep" | "strip" | undefined,
    selects: (file, root) => {
      if (!isAbsolute(file)) return false;
      // spanfn's runtime must never record itself, whatever the patterns say.
      if (ownDirectories.some((dir) => file.startsWith(dir))) return false;
      if (!wantsNodeModules && file.split(/[\\/]/).includes("node_modules")) return false;
      return isIncluded(file, root) && !isExcluded(file, root);
    },
  };
}
