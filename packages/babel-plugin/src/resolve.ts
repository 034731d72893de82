/**
 * Where an import points, for reading its types: TypeScript's rules rather than Node's. `./x.js`
 * means `./x.ts` when that exists; a JavaScript module's `.d.ts` beside it wins over it; a
 * directory means its index; tsconfig `paths`/`baseUrl` (the nearest tsconfig.json) map bare
 * names; a package is read through its `types` condition, `types`/`typings` field or `@types/`.
 * Nothing here throws: what cannot be found is `null`.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { createPathsMatcher, getTsconfig, type TsConfigResult } from "get-tsconfig";
import { resolveExports, type PathConditions } from "resolve-pkg-maps";
import { fileStamp } from "./file-stamp.js";

/** Extensions tried after a path without one, in TypeScript's order (sources and declarations first). */
const EXTENSIONS = [".ts", ".tsx", ".d.ts", ".mts", ".d.mts", ".cts", ".d.cts", ".js", ".jsx", ".mjs", ".cjs"];
/** What a JavaScript extension written in an import may stand for, in TypeScript's order. */
const FOR_JS_EXTENSION: Record<string, readonly string[]> = {
  ".js": [".ts", ".tsx", ".d.ts", ".js", ".jsx"],
  ".jsx": [".tsx", ".d.ts", ".jsx"],
  ".mjs": [".mts", ".d.mts", ".mjs"],
  ".cjs": [".cts", ".d.cts", ".cjs"],
};
const CONDITIONS = ["types", "import", "require", "node", "default"];

export class Resolver {
  /** Directory → its tsconfig and path matcher, kept while the tsconfig files read are unchanged. */
  private readonly tsconfigs = new Map<string, { config: TsConfigResult | null; paths: ((s: string) => string[]) | null }>();
  private readonly tsconfigCache = new Map<string, unknown>();
  /** Each tsconfig read (the nearest ones; get-tsconfig does not say which files they extend) → its stamp. */
  private readonly tsconfigStamps = new Map<string, string | null>();
  /** `dir\0specifier` → file, for the current generation (files can appear between builds). */
  private resolved = new Map<string, string | null>();

  /** Forget resolutions, and tsconfigs when one changed: called once per transformed file. */
  refresh(): void {
    this.resolved = new Map();
    for (const [path, stamp] of this.tsconfigStamps) {
      if (fileStamp(path) === stamp) continue;
      this.tsconfigs.clear();
      this.tsconfigCache.clear();
      this.tsconfigStamps.clear();
      return;
    }
  }

  /** The file `specifier`, imported from `importer`, names for its types; null when not found. */
  resolve(specifier: string, importer: string): string | null {
    const dir = dirname(importer);
    const key = `${dir}\0${specifier}`;
    let file = this.resolved.get(key);
    if (file === undefined) {
      try {
        file = this.lookup(specifier, dir);
      } catch {
        file = null;
      }
      this.resolved.set(key, file);
    }
    return file;
  }

  /** The nearest tsconfig.json's path, if any: a dependency of what it maps. */
  tsconfigOf(importer: string): string | null {
    return this.tsconfigFor(dirname(importer)).config?.path ?? null;
  }

  private lookup(specifier: string, dir: string): string | null {
    if (specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === ".." || isAbsolute(specifier)) {
      return resolveFile(resolve(dir, specifier));
    }
    if (specifier.startsWith("node:")) return null;
    const paths = this.tsconfigFor(dir).paths;
    if (paths !== null) {
      for (const candidate of paths(specifier)) {
        const file = resolveFile(candidate);
        if (file !== null) return file;
      }
    }
    return resolvePackage(specifier, dir);
  }

  private tsconfigFor(dir: string) {
    let entry = this.tsconfigs.get(dir);
    if (entry === undefined) {
      let config: TsConfigResult | null = null;
      try {
        config = getTsconfig(dir, "tsconfig.json", this.tsconfigCache as Map<string, never>);
      } catch {
        config = null;
      }
      entry = { config, paths: config === null ? null : createPathsMatcher(config) };
      this.tsconfigs.set(dir, entry);
      if (config !== null && !this.tsconfigStamps.has(config.path)) this.tsconfigStamps.set(config.path, fileStamp(config.path));
    }
    return entry;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** A path as an import wrote it: the file, the file under another extension, or a directory's index. */
function resolveFile(path: string): string | null {
  if (/\.[cm]?tsx?$/.test(path) && isFile(path)) return path;
  const jsExtension = /\.[cm]?jsx?$/.exec(path)?.[0];
  if (jsExtension !== undefined) {
    const stem = path.slice(0, -jsExtension.length);
    for (const extension of FOR_JS_EXTENSION[jsExtension]) if (isFile(stem + extension)) return stem + extension;
  }
  for (const extension of EXTENSIONS) if (isFile(path + extension)) return path + extension;
  const manifest = readJson(join(path, "package.json"));
  const types = manifest?.types ?? manifest?.typings;
  if (typeof types === "string") {
    const file = resolveFile(join(path, types));
    if (file !== null) return file;
  }
  for (const extension of EXTENSIONS) if (isFile(join(path, "index" + extension))) return join(path, "index" + extension);
  return null;
}

/** `@scope/name/sub/path` → the package's name and the subpath. */
function splitPackage(specifier: string): [name: string, subpath: string] {
  const parts = specifier.split("/");
  const length = specifier.startsWith("@") ? 2 : 1;
  return [parts.slice(0, length).join("/"), parts.slice(length).join("/")];
}

/** `@scope/name` → `@types/scope__name`. */
function typesPackage(name: string): string {
  return `@types/${name.startsWith("@") ? name.slice(1).replace("/", "__") : name}`;
}

function resolvePackage(specifier: string, fromDir: string): string | null {
  const [name, subpath] = splitPackage(specifier);
  for (let dir = fromDir; ; dir = dirname(dir)) {
    for (const packageName of [name, typesPackage(name)]) {
      const root = join(dir, "node_modules", packageName);
      const manifest = readJson(join(root, "package.json"));
      if (manifest === null) continue;
      const file = resolveInPackage(root, manifest, subpath);
      if (file !== null) return file;
    }
    if (dirname(dir) === dir) return null;
  }
}

function resolveInPackage(root: string, manifest: Record<string, unknown>, subpath: string): string | null {
  if (manifest.exports != null) {
    let targets: string[] = [];
    try {
      targets = resolveExports(manifest.exports as PathConditions, subpath, CONDITIONS);
    } catch {
      targets = [];
    }
    for (const target of targets) {
      const file = resolveFile(join(root, target));
      if (file !== null) return file;
    }
  }
  if (subpath !== "") return resolveFile(join(root, subpath));
  for (const field of ["types", "typings", "main"]) {
    const value = manifest[field];
    if (typeof value !== "string") continue;
    const file = resolveFile(join(root, value));
    if (file !== null) return file;
  }
  return resolveFile(join(root, "index"));
}
