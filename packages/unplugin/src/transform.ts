/**
 * One file through the spanfn Babel plugin, as the bundler read it from disk: TypeScript and JSX
 * are parsed, not compiled, so the plugin sees the return types and `implements` clauses it
 * detects promise-returning functions by; the types stay for the bundler's own TypeScript
 * transform unless the plugin is told to strip them. Only the instrumentation is done here: the
 * project's Babel config is not read (its presets are the bundler's business).
 */
import { transformAsync, type PluginItem, type TransformOptions } from "@babel/core";
import type { SpanFnPluginOptions } from "@spanfn/babel-plugin";
import { requireHere } from "./require.js";

/** The Babel plugin's function, however its module system hands it over. */
export function loadSpanFnPlugin(): PluginItem {
  const loaded = requireHere("@spanfn/babel-plugin") as { default?: PluginItem };
  return loaded.default ?? (loaded as PluginItem);
}

export interface TransformRequest {
  code: string;
  /** Absolute path, query removed. */
  file: string;
  root: string;
  babel: SpanFnPluginOptions;
  stripTypes: boolean;
  /** ES modules only (Vite); otherwise `.js`, `.cjs` and `.cts` may be CommonJS. */
  esmOnly: boolean;
  /** The map of a transform before this one (a webpack loader's), composed with this step's. */
  inputMap?: object;
}

export interface TransformOutput {
  code: string;
  map: object | null;
  /** Other files whose contracts decided this file's spans (the Babel plugin's `metadata.spanfn`): the bundler watches them. */
  dependencies: string[];
}

const TYPESCRIPT = /\.[cm]?tsx?$/;
const COMPILED_ASYNC = /__awaiter|_asyncToGenerator|_regenerator|regeneratorRuntime/;

export function isTypeScript(file: string): boolean {
  return TYPESCRIPT.test(file);
}

/** Babel parser plugins for a file, chosen by its extension as TypeScript and bundlers do. */
function parserPlugins(file: string): NonNullable<NonNullable<TransformOptions["parserOpts"]>["plugins"]> {
  if (file.endsWith(".tsx")) return ["typescript", "jsx"];
  if (/\.[cm]ts$/.test(file)) return [["typescript", { disallowAmbiguousJSXLike: true }]];
  if (file.endsWith(".ts")) return ["typescript"];
  // JSX in `.js` is common under webpack; it cannot change how plain JavaScript parses.
  return ["jsx"];
}

let plugin: PluginItem | undefined;

/** The instrumented code and its map, or null when the plugin left the file as it was. */
export async function instrumentFile(request: TransformRequest): Promise<TransformOutput | null> {
  const { code, file, root, babel, stripTypes, esmOnly, inputMap } = request;
  const typescript = isTypeScript(file);
  const strip = stripTypes && typescript;
  // What the Babel plugin itself checks first: in marked mode a file with no marker and no
  // compiled async code is left alone, so it need not be parsed and printed again here.
  if (!strip && (babel.instrument ?? "marked") === "marked" && !code.includes("spanFn") && !COMPILED_ASYNC.test(code)) return null;
  plugin ??= loadSpanFnPlugin();
  // The bundler already chose the file: under node_modules the Babel plugin must not refuse it.
  const babelOptions: SpanFnPluginOptions = { root, ...babel };
  if (file.split(/[\\/]/).includes("node_modules")) babelOptions.include = ["**", "**/node_modules/**"];
  const presets: PluginItem[] = [];
  if (strip) presets.push([requireHere.resolve("@babel/preset-typescript"), { allowDeclareFields: true }]);
  const result = await transformAsync(code, {
    filename: file,
    root,
    babelrc: false,
    configFile: false,
    sourceType: esmOnly || /\.(?:mjs|mts|tsx?|jsx)$/.test(file) ? "module" : "unambiguous",
    parserOpts: { plugins: strip ? [] : parserPlugins(file) },
    presets,
    plugins: [[plugin, babelOptions]],
    sourceMaps: true,
    sourceFileName: file,
    // Vite, Rollup and esbuild chain maps themselves: this step maps its output to the code it
    // was given, or through a webpack loader's map before it.
    inputSourceMap: (inputMap ?? false) as never,
    // Keep JSX, modern syntax and comments for the bundler's transforms after this one.
    retainLines: false,
    compact: false,
    comments: true,
  });
  if (result === null || result.code == null) return null;
  const read = (result.metadata as { spanfn?: { dependencies?: string[] } } | undefined)?.spanfn?.dependencies ?? [];
  return { code: result.code, map: (result.map as object | null | undefined) ?? null, dependencies: read.filter((dependency) => dependency !== file) };
}
