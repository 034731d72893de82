/**
 * What spanfn's module hooks do, whichever way Node calls them: resolve the imports TypeScript
 * accepts (extensionless, `.js` naming a `.ts` file, tsconfig `paths` aliases), and pass the
 * program's own ES modules through the spanfn plugin. CommonJS files are left to the require
 * hook. Node runs them on a hooks thread of its own (`module.register`, loader.ts), or, where it
 * can, synchronously on the program's own thread (`module.registerHooks`, `registerInThread`
 * below), which spares the program starting that thread and a round trip to it per import.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { declaredFormat } from "./package-json.js";
import { instrument, isTypeScript, wanted, type InstrumentOptions } from "./transform.js";
import type { TransformCache } from "./cache.js";
import type { Compile } from "./remote-compile.js";
import { filesFor, firstFile, isBare, type TsconfigPaths } from "./paths.js";

export interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
}
export interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
export interface LoadContext {
  format?: string | null;
  conditions?: readonly string[];
}
export interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | null;
  shortCircuit?: boolean;
}

export class ModuleHooks {
  constructor(
    private readonly options: InstrumentOptions,
    private readonly cache: TransformCache | null,
    private readonly compiler: Compile,
    private readonly paths: TsconfigPaths,
  ) {}

  /** The file a tsconfig `paths` alias names for this import, if any. */
  aliased(specifier: string, context: ResolveContext): ResolveResult | undefined {
    const parent = parentPath(context);
    if (parent === undefined || !isBare(specifier)) return undefined;
    const aliased = this.paths.resolveFile(specifier, parent);
    return aliased === undefined ? undefined : { url: pathToFileURL(aliased).href, shortCircuit: true };
  }

  /** After Node could not resolve a relative import: the file TypeScript would take it to mean. */
  fallback(specifier: string, context: ResolveContext): ResolveResult | undefined {
    if (!(specifier.startsWith("./") || specifier.startsWith("../")) || parentPath(context) === undefined) return undefined;
    const found = firstFile(filesFor(fileURLToPath(new URL(specifier, context.parentURL))));
    return found === undefined ? undefined : { url: pathToFileURL(found).href, shortCircuit: true };
  }

  /**
   * Whether `load` needs the format Node's own loader gives `url`: a JavaScript file whose
   * package.json has no "type" is an ES module or CommonJS by its syntax, as Node detects it.
   */
  asksFormat(url: string): boolean {
    if (!url.startsWith("file:")) return false;
    const path = fileURLToPath(url);
    return wanted(path, this.options) && declaredFormat(path) === undefined && !isTypeScript(path);
  }

  /**
   * The program's ES module, instrumented; a CommonJS one to be loaded by Node's CommonJS loader,
   * so that the require hook instruments it (`source` left out). Undefined: Node loads it as it
   * would have. `detected`: the format Node's loader gave a file `asksFormat` named.
   */
  load(url: string, detected?: string | null): LoadResult | undefined {
    if (!url.startsWith("file:")) return undefined;
    const path = fileURLToPath(url);
    if (!wanted(path, this.options)) return undefined;
    // TypeScript in an untyped package is CommonJS, its imports made requires, as tsc makes it.
    const format = declaredFormat(path) ?? (detected === "module" ? "module" : "commonjs");
    if (format === "commonjs") return { format: "commonjs", shortCircuit: true };
    const source = readFileSync(path, "utf8");
    return { format: "module", source: instrument(source, path, this.options, false, this.cache, this.compiler), shortCircuit: true };
  }
}

function parentPath(context: ResolveContext): string | undefined {
  return context.parentURL?.startsWith("file:") ? fileURLToPath(context.parentURL) : undefined;
}

type SyncNext<C, R> = (specifier: string, context: C) => R;

export interface SyncHooks {
  resolve(specifier: string, context: ResolveContext, next: SyncNext<ResolveContext, ResolveResult>): ResolveResult;
  load(url: string, context: LoadContext, next: SyncNext<LoadContext, LoadResult>): LoadResult;
}

/** Node's `module.registerHooks` (22.15 and later), where this Node has it. */
export function registerHooksOf(module: object): ((hooks: SyncHooks) => unknown) | undefined {
  const registerHooks = (module as { registerHooks?: unknown }).registerHooks;
  return typeof registerHooks === "function" ? (registerHooks as (hooks: SyncHooks) => unknown) : undefined;
}

/**
 * The hooks on the program's own thread. There they also see `require()`, which the require hook
 * and the `paths` hook of the preload already serve, so a `require` passes through, except of an
 * ES module (`require(esm)`). `busy`: while Babel runs on this thread (the compiling thread did
 * not answer), the modules it requires for itself are spanfn's, not the program's.
 */
export function registerInThread(register: (hooks: SyncHooks) => unknown, hooks: ModuleHooks, busy: () => boolean): void {
  const viaRequire = (context: { conditions?: readonly string[] }) => context.conditions?.includes("require") === true;
  register({
    resolve(specifier, context, next) {
      if (viaRequire(context)) return next(specifier, context);
      const aliased = hooks.aliased(specifier, context);
      if (aliased !== undefined) return aliased;
      try {
        return next(specifier, context);
      } catch (error) {
        const found = hooks.fallback(specifier, context);
        if (found !== undefined) return found;
        throw error;
      }
    },
    load(url, context, next) {
      if (busy()) return next(url, context);
      const asked = hooks.asksFormat(url) ? next(url, context) : undefined;
      const own = hooks.load(url, asked?.format);
      // A CommonJS module required is the require hook's; imported, it is handed to Node's
      // CommonJS loader, and so to the require hook, by leaving out its source.
      if (own === undefined || (own.format === "commonjs" && viaRequire(context))) return asked ?? next(url, context);
      return own;
    },
  });
}
