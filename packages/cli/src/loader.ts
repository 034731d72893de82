/**
 * ESM hooks (registered with `module.register` by preload.ts): resolve the imports TypeScript
 * accepts (extensionless, `.js` naming a `.ts` file, tsconfig `paths` aliases), and pass the
 * program's own modules through the spanfn plugin. CommonJS files are left to the require hook.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compile, instrument, wanted, type InstrumentOptions } from "./transform.js";
import { openCache, type TransformCache } from "./cache.js";
import { serveCompiles, type CompileService } from "./remote-compile.js";
import { filesFor, firstFile, isBare, TsconfigPaths } from "./paths.js";

export interface LoaderData extends InstrumentOptions {
  /** The transform cache's directory, as the preload chose it; null: no cache. */
  cacheDir: string | null;
  /** Where the program's thread asks for its CommonJS modules' compiles. */
  compiles: CompileService;
}

let options: InstrumentOptions;
let cache: TransformCache | null = null;

export function initialize(data: LoaderData): void {
  options = data;
  // The preload has made the directory and warned about any problem: a later one goes unsaid
  // here, where it would repeat the main thread's.
  if (data.cacheDir !== null) cache = openCache({ dir: data.cacheDir });
  serveCompiles(data.compiles, options, compile);
}

type Next<C, R> = (specifier: string, context: C) => Promise<R>;
interface ResolveContext {
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadContext {
  format?: string | null;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | null;
  shortCircuit?: boolean;
}

const paths = new TsconfigPaths((message) => process.stderr.write(`spanfn: ${message}\n`));

export async function resolve(specifier: string, context: ResolveContext, next: Next<ResolveContext, ResolveResult>): Promise<ResolveResult> {
  const parent = context.parentURL?.startsWith("file:") ? fileURLToPath(context.parentURL) : undefined;
  if (parent !== undefined && isBare(specifier)) {
    const aliased = paths.resolveFile(specifier, parent);
    if (aliased !== undefined) return { url: pathToFileURL(aliased).href, shortCircuit: true };
  }
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!(specifier.startsWith("./") || specifier.startsWith("../")) || parent === undefined) throw error;
    const found = firstFile(filesFor(fileURLToPath(new URL(specifier, context.parentURL))));
    if (found !== undefined) return { url: pathToFileURL(found).href, shortCircuit: true };
    throw error;
  }
}

/** `module` or `commonjs`, as Node decides it: by extension, else by the nearest package.json. */
function formatOf(path: string): "module" | "commonjs" {
  const extension = extname(path);
  if (extension === ".mjs" || extension === ".mts") return "module";
  if (extension === ".cjs" || extension === ".cts") return "commonjs";
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type === "module" ? "module" : "commonjs";
      } catch {
        return "commonjs";
      }
    }
    if (dirname(dir) === dir) return "commonjs";
  }
}

export async function load(url: string, context: LoadContext, next: Next<LoadContext, LoadResult>): Promise<LoadResult> {
  if (!url.startsWith("file:")) return next(url, context);
  const path = fileURLToPath(url);
  if (!wanted(path, options)) return next(url, context);
  const format = formatOf(path);
  if (format === "commonjs") {
    // Node's CommonJS loader reads the file; the require hook instruments it.
    return { format: "commonjs", shortCircuit: true };
  }
  const source = readFileSync(path, "utf8");
  return { format: "module", source: instrument(source, path, options, false, cache), shortCircuit: true };
}
