/**
 * What `spanfn run` does to each module the program loads: the spanfn plugin (plus TypeScript
 * and, for CommonJS that uses `import`, the module transform), inline source maps so stack
 * traces keep the original lines, and the runtime imported from spanfn's own copy.
 */
import { transformSync, type PluginItem } from "@babel/core";
import spanfn from "@spanfn/babel-plugin";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";

const require = createRequire(import.meta.url);

export interface InstrumentOptions {
  all: boolean;
  include: string[];
  exclude: string[];
  nodeModules: boolean;
  root: string;
}

/** The runtime the generated code imports: this CLI's own, whatever the program has installed. */
export const RUNTIME = require.resolve("@spanfn/tracing");

const TYPESCRIPT = /\.[cm]?tsx?$/;

export function isTypeScript(filename: string): boolean {
  return TYPESCRIPT.test(filename);
}

export function instrument(source: string, filename: string, options: InstrumentOptions, commonjs: boolean): string {
  const presets: PluginItem[] = [];
  if (isTypeScript(filename)) presets.push([require.resolve("@babel/preset-typescript"), { onlyRemoveTypeImports: false }]);
  const plugins: PluginItem[] = [
    [
      spanfn,
      {
        instrument: options.all ? "all" : "marked",
        include: includeGlobs(options),
        exclude: options.exclude,
        root: options.root,
        runtimeModule: RUNTIME,
      },
    ],
  ];
  if (commonjs) plugins.push(require.resolve("@babel/plugin-transform-modules-commonjs"));
  let result;
  try {
    result = transformSync(source, {
    filename,
    babelrc: false,
    configFile: false,
    sourceType: commonjs ? "unambiguous" : "module",
    presets,
    plugins,
    sourceMaps: "inline",
    retainLines: false,
    // Babel's default ("auto") prints a note on the program's stderr for every file over 500 KB
    // (typescript.js, bundles) before compacting it; deciding here says the same without a word.
    compact: source.length > 500_000,
  });
  } catch (error) {
    // A syntax error in JavaScript is the program's own: let Node report it, with its file and
    // line, as it would without spanfn. TypeScript Node cannot parse: Babel's message says where.
    if ((error as { code?: string }).code === "BABEL_PARSE_ERROR" && !isTypeScript(filename)) return source;
    throw error;
  }
  return result?.code ?? source;
}

function includeGlobs(options: InstrumentOptions): string[] | undefined {
  // --include globs alone select the files (`--include 'node_modules/p-map/**'` is p-map, not all
  // of node_modules); the plugin instruments node_modules only where a glob names it. Without
  // globs, --node-modules means every file, node_modules included.
  if (options.include.length > 0) return [...options.include];
  return options.nodeModules ? ["**", "**/node_modules/**"] : undefined;
}

/** spanfn's own code: never instrumented (the runtime would trace itself). */
const OWN = ["@spanfn/tracing", "@spanfn/babel-plugin", "@spanfn/cli"].flatMap((name) => {
  const root = dirname(require.resolve(`${name}/package.json`));
  return [join(root, "dist") + sep, join(root, "src") + sep];
});

/** Files spanfn passes through Babel: the program's own, and node_modules only when asked. */
export function wanted(filename: string, options: InstrumentOptions): boolean {
  if (!/\.(?:[cm]?[jt]sx?)$/.test(filename)) return false;
  if (OWN.some((dir) => filename.startsWith(dir))) return false;
  if (filename.includes(`${"/"}node_modules${"/"}`) && !options.nodeModules) return isTypeScript(filename);
  return true;
}
