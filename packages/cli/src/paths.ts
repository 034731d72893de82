/**
 * tsconfig `paths` aliases (`@lib/*` → `src/lib/*`), honoured the way TypeScript does: before
 * node_modules, for the program's own files, with the nearest tsconfig.json of the importing
 * file. get-tsconfig reads the config (with `extends`) and matches the patterns; the ESM loader
 * and the require hook each try the files it names.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, extname, join, sep } from "node:path";

export type GetTsconfig = typeof import("get-tsconfig");

type Matcher = (specifier: string) => string[];

const TS_FOR_JS: Record<string, string[]> = { ".js": [".ts", ".tsx"], ".mjs": [".mts"], ".cjs": [".cts"], ".jsx": [".tsx"] };
const EXTENSIONLESS = [".ts", ".tsx", ".mts", ".js", ".mjs", "/index.ts", "/index.js"];

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The files an import of `base` (an absolute path) can mean in TypeScript, in the order tried. */
export function filesFor(base: string): string[] {
  const extension = extname(base);
  if (TS_FOR_JS[extension]) return [base, ...TS_FOR_JS[extension].map((e) => base.slice(0, -extension.length) + e)];
  if (extension === "") return EXTENSIONLESS.map((e) => base + e);
  return [base];
}

/** The first of `candidates` that is a file. */
export function firstFile(candidates: string[]): string | undefined {
  return candidates.find(isFile);
}

/** A specifier that names a package (or an alias): not relative, absolute, nor a URL. */
export function isBare(specifier: string): boolean {
  return !/^(?:\.{1,2}(?:\/|$)|\/|[A-Za-z][A-Za-z0-9+.-]*:)/.test(specifier);
}

export class TsconfigPaths {
  private readonly matchers = new Map<string, Matcher | null>();
  /** Whether a directory or one above it holds a tsconfig.json. */
  private readonly underTsconfig = new Map<string, boolean>();
  private readonly fsCache: NonNullable<Parameters<GetTsconfig["getTsconfig"]>[2]> = new Map();
  private readonly warned = new Set<string>();
  private getTsconfig: GetTsconfig | undefined;

  /**
   * `load` gives get-tsconfig, called when the first tsconfig.json is found: loading it costs a
   * short program's start more than anything else the hooks do, and a program without a tsconfig
   * never needs it.
   */
  constructor(
    private readonly warn: (message: string) => void,
    private readonly load: () => GetTsconfig,
  ) {}

  /**
   * The paths `specifier` maps to for a file in `parentPath`'s directory (without extensions
   * resolved); empty when no tsconfig there has a pattern for it.
   */
  candidates(specifier: string, parentPath: string): string[] {
    if (!isBare(specifier) || parentPath.includes(`${sep}node_modules${sep}`)) return [];
    const matcher = this.matcherFor(dirname(parentPath));
    return matcher === null ? [] : matcher(specifier);
  }

  /** The file `specifier` names through `paths`, for the ESM loader. */
  resolveFile(specifier: string, parentPath: string): string | undefined {
    for (const base of this.candidates(specifier, parentPath)) {
      const found = firstFile(filesFor(base));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private matcherFor(dir: string): Matcher | null {
    let matcher = this.matchers.get(dir);
    if (matcher !== undefined) return matcher;
    if (!this.hasTsconfig(dir)) return null;
    const { createPathsMatcher, findTsconfig, getTsconfig } = (this.getTsconfig ??= this.load());
    try {
      const tsconfig = getTsconfig(dir, "tsconfig.json", this.fsCache);
      matcher = tsconfig === null ? null : createPathsMatcher(tsconfig);
    } catch (error) {
      // A tsconfig it cannot read: imports resolve as without one, and the user is told which.
      const file = findTsconfig(dir, "tsconfig.json", this.fsCache) ?? dir;
      if (!this.warned.has(file)) {
        this.warned.add(file);
        this.warn(`${file}: ${(error as Error).message}; its paths aliases are not applied`);
      }
      matcher = null;
    }
    this.matchers.set(dir, matcher);
    return matcher;
  }

  /** The walk get-tsconfig makes to find the file, without loading it. */
  private hasTsconfig(dir: string): boolean {
    let found = this.underTsconfig.get(dir);
    if (found !== undefined) return found;
    const parent = dirname(dir);
    found = isFile(join(dir, "tsconfig.json")) || (parent !== dir && this.hasTsconfig(parent));
    this.underTsconfig.set(dir, found);
    return found;
  }
}
