/**
 * @spanfn/unplugin: the spanfn Babel plugin as a plugin of Vite, Rollup, webpack, rspack and
 * esbuild (through `unplugin`). It instruments each source file as read from disk, before any
 * other transform (`enforce: "pre"` where the bundler orders plugins), so line numbers are the
 * source's and the TypeScript types that tell which functions return promises are still there.
 */
import { createUnplugin, type UnpluginFactory } from "unplugin";
import { dirname, join, relative, sep } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { resolveOptions, type SpanFnUnpluginOptions } from "./options.js";
import { requireHere } from "./require.js";
import { instrumentFile } from "./transform.js";
import { registerLoaderTransform } from "./loader.js";

/** The loader's CommonJS build, which webpack and rspack load alike (from either build of this file). */
const LOADER = requireHere.resolve("../cjs/loader.js");

export type { SpanFnUnpluginOptions, FilePattern } from "./options.js";

/** spanfn's own code, where the bundler finds it: a workspace links it, so by its real path. */
function ownDirectories(): string[] {
  const dirs: string[] = [];
  for (const name of ["@spanfn/tracing", "@spanfn/babel-plugin", "@spanfn/unplugin"]) {
    try {
      const root = dirname(requireHere.resolve(`${name}/package.json`));
      dirs.push(join(root, "dist") + sep, join(root, "src") + sep);
    } catch {
      // Not installed beside this plugin: the bundle cannot contain it from here either.
    }
  }
  return dirs;
}

/** Frameworks that parse no TypeScript themselves: the types are stripped here by default. */
const STRIPS_BY_DEFAULT = new Set(["rollup"]);

export const spanfnFactory: UnpluginFactory<SpanFnUnpluginOptions | undefined> = (rawOptions, meta) => {
  const options = resolveOptions(rawOptions, ownDirectories());
  validateBabelOptions(options.babel);
  const framework = meta.framework;
  const stripTypes = options.typescript === undefined ? STRIPS_BY_DEFAULT.has(framework) : options.typescript === "strip";
  let root = options.babel.root ?? process.cwd();
  const setRoot = (dir: string | undefined) => {
    if (options.babel.root === undefined && dir) root = dir;
  };
  const runtimeModule = options.babel.runtimeModule ?? "@spanfn/tracing";

  /** The file's instrumented code, or null to leave it; a file Babel cannot read is left, with a warning. */
  const instrument = async (code: string, file: string, inputMap: object | undefined, warn: (message: string) => void) => {
    try {
      return await instrumentFile({ code, file, root, babel: options.babel, stripTypes, esmOnly: framework === "vite", inputMap });
    } catch (error) {
      const problem = describe(error, file, root);
      // Babel could not parse what the bundler may: leave the file as it was and say why (a
      // real syntax error is the bundler's to report, in its own words).
      if (problem.parse || (problem.internal && options.babel.instrument === "all")) {
        warn(`${problem.message}\n  ${relative(root, file)} is bundled without spans.`);
        return null;
      }
      throw problem.error;
    }
  };

  /** webpack and rspack run the plugin's own loader (see loader.ts), first among the `pre` loaders. */
  const addLoader = (compiler: { context: string; options: { module: { rules: unknown[] } } }) => {
    setRoot(compiler.context);
    const key = registerLoaderTransform(instrument);
    compiler.options.module.rules.unshift({
      enforce: "pre",
      test: (resource: string) => options.selects(fileOf(resource), root),
      use: [{ loader: LOADER, options: { key } }],
    });
  };
  const webpackLike = framework === "webpack" || framework === "rspack";

  return {
    name: "spanfn",
    enforce: "pre",
    transformInclude(id) {
      return !webpackLike && !ASSET_QUERY.test(id) && options.selects(fileOf(id), root);
    },
    async transform(code, id) {
      const output = await instrument(code, fileOf(id), undefined, (message) => this.warn(message));
      if (output === null) return null;
      // An edit to a contract in another file changes this file's spans: it is rebuilt then too.
      for (const dependency of output.dependencies) this.addWatchFile(dependency);
      return { code: output.code, map: output.map as never };
    },
    vite: {
      config() {
        // The runtime import is added by this plugin, after Vite scanned for dependencies:
        // named up front, the dev server pre-bundles it at start rather than reloading the page.
        return runtimeModule.startsWith(".") || runtimeModule.startsWith("/") ? {} : { optimizeDeps: { include: [runtimeModule] } };
      },
      configResolved(config: { root: string }) {
        setRoot(config.root);
      },
    },
    webpack(compiler) {
      addLoader(compiler as never);
    },
    rspack(compiler) {
      addLoader(compiler as never);
    },
  };
};

/** Throws the error bad options would give at the first file; the entries call it before unplugin, which makes webpack's, rspack's and esbuild's plugin only when the bundler applies it. */
export function checkOptions(rawOptions: unknown): void {
  validateBabelOptions(resolveOptions(rawOptions, []).babel);
}

/** Bad Babel-plugin options fail when the bundler plugin is created, not at the first file. */
function validateBabelOptions(babel: SpanFnUnpluginOptions): void {
  const plugin = requireHere("@spanfn/babel-plugin") as { default?: (api: unknown, options: unknown) => unknown };
  const create = (plugin.default ?? plugin) as (api: unknown, options: unknown) => unknown;
  try {
    create({ assertVersion() {}, types: requireHere("@babel/core").types }, babel);
  } catch (error) {
    throw new Error(`@spanfn/unplugin: ${(error as Error).message.replace(/^@spanfn\/babel-plugin: /, "")}`);
  }
}

/** Vite's imports of a file as something other than its module (`?raw`: its text; `?url`). */
const ASSET_QUERY = /[?&](?:raw|url|inline)(?:[&=#]|$)/;

/** The file behind a module id: without a query (`?v=…`, `?t=…` after an HMR update) or a hash. */
function fileOf(id: string): string {
  const at = id.search(/[?#]/);
  return at === -1 ? id : id.slice(0, at);
}

interface Problem {
  error: Error;
  message: string;
  parse: boolean;
  internal: boolean;
}

/**
 * An error of Babel's, as `file:line:column: message` with Babel's code frame; `loc` and `id`
 * let Rollup and Vite (its overlay) point at the place themselves.
 */
function describe(error: unknown, file: string, root: string): Problem {
  const babelError = error as Error & { code?: string; loc?: { line: number; column: number } };
  const text = String(babelError?.message ?? error);
  // Babel starts its messages with the absolute file name; the relative one follows instead.
  const body = text.startsWith(`${file}: `) ? text.slice(file.length + 2) : text;
  const place = babelError?.loc ?? placeOf(body);
  const at = place ? `:${place.line}:${place.column + 1}` : "";
  const message = `@spanfn/unplugin: ${relative(root, file) || file}${at}: ${body}`;
  const wrapped = Object.assign(new Error(message), { id: file, ...(place ? { loc: { file, line: place.line, column: place.column } } : {}) });
  return {
    error: wrapped,
    message,
    parse: babelError?.code === "BABEL_PARSE_ERROR",
    internal: !body.includes("@spanfn/babel-plugin:"),
  };
}

/**
 * `:line:column` where Babel's error points: the `(line:column)` a parse error's first line ends
 * with, or the line and caret of the code frame (a plugin's error).
 */
function placeOf(message: string): { line: number; column: number } | null {
  // Babel colours its code frames wherever picocolors sees colour support (`CI` set, a TTY).
  const plain = stripVTControlCharacters(message);
  const parsed = /\((\d+):(\d+)\)\s*$/.exec(plain.split("\n")[0] ?? "");
  if (parsed) return { line: Number(parsed[1]), column: Number(parsed[2]) };
  const frame = /^> +(\d+) \|.*\n +\| ( *)\^/m.exec(plain);
  return frame ? { line: Number(frame[1]), column: frame[2].length } : null;
}

export const unplugin = createUnplugin(spanfnFactory);
export default unplugin;
