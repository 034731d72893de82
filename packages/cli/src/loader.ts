/**
 * The module hooks (module-hooks.ts) on Node's hooks thread, registered with `module.register` by
 * preload.ts where Node has no `module.registerHooks`. This thread also compiles for the program's
 * threads (remote-compile.ts).
 */
import { compile, loadGetTsconfig, type InstrumentOptions } from "./transform.js";
import { openCache } from "./cache.js";
import { serveCompiles, type CompileService } from "./remote-compile.js";
import { TsconfigPaths } from "./paths.js";
import { ModuleHooks, type LoadContext, type LoadResult, type ResolveContext, type ResolveResult } from "./module-hooks.js";

export interface LoaderData extends InstrumentOptions {
  /** The transform cache's directory, as the preload chose it; null: no cache. */
  cacheDir: string | null;
  /** Where the program's thread asks for its CommonJS modules' compiles. */
  compiles: CompileService;
}

let hooks: ModuleHooks;

export function initialize(data: LoaderData): void {
  // The preload has made the directory and warned about any problem: a later one goes unsaid
  // here, where it would repeat the main thread's.
  const cache = data.cacheDir === null ? null : openCache({ dir: data.cacheDir });
  hooks = new ModuleHooks(data, cache, compile, new TsconfigPaths((message) => process.stderr.write(`spanfn: ${message}\n`), loadGetTsconfig));
  serveCompiles(data.compiles, data, compile);
}

type Next<C, R> = (specifier: string, context: C) => Promise<R>;

export async function resolve(specifier: string, context: ResolveContext, next: Next<ResolveContext, ResolveResult>): Promise<ResolveResult> {
  const aliased = hooks.aliased(specifier, context);
  if (aliased !== undefined) return aliased;
  try {
    return await next(specifier, context);
  } catch (error) {
    const found = hooks.fallback(specifier, context);
    if (found !== undefined) return found;
    throw error;
  }
}

export async function load(url: string, context: LoadContext, next: Next<LoadContext, LoadResult>): Promise<LoadResult> {
  const detected = hooks.asksFormat(url) ? (await next(url, context)).format : undefined;
  return hooks.load(url, detected) ?? next(url, context);
}
