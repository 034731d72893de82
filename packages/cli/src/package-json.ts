/**
 * The package.json files above the program's modules, as the module hooks read them for a file's
 * format and the transform for spanfn's own packages: each directory's read once, however many
 * modules lie below it.
 */
import { readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";

export interface PackageJson {
  /** The directory it is in. */
  readonly dir: string;
  readonly name?: unknown;
  readonly type?: unknown;
}

/** Each directory's package.json, null where it has none. */
const found = new Map<string, PackageJson | null>();

/** The nearest package.json in `start` or above it that `accept` takes (any, by default); null if none. */
export function nearestPackageJson(start: string, accept: (manifest: PackageJson) => boolean = () => true): PackageJson | null {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = packageJsonIn(dir);
    if (manifest !== null && accept(manifest)) return manifest;
    if (dirname(dir) === dir) return null;
  }
}

function packageJsonIn(dir: string): PackageJson | null {
  let manifest = found.get(dir);
  if (manifest === undefined) {
    manifest = read(dir);
    found.set(dir, manifest);
  }
  return manifest;
}

/** One that does not parse is there, with no fields: Node then takes a file below it as CommonJS. */
function read(dir: string): PackageJson | null {
  let text: string;
  try {
    text = readFileSync(join(dir, "package.json"), "utf8");
  } catch {
    return null;
  }
  try {
    const { name, type } = (JSON.parse(text) ?? {}) as { name?: unknown; type?: unknown };
    return { dir, name, type };
  } catch {
    return { dir };
  }
}

/**
 * `module` or `commonjs` as a file's extension says, else its nearest package.json's "type";
 * undefined where neither says, and Node goes by the file's syntax.
 */
export function declaredFormat(path: string): "module" | "commonjs" | undefined {
  const extension = extname(path);
  if (extension === ".mjs" || extension === ".mts") return "module";
  if (extension === ".cjs" || extension === ".cts") return "commonjs";
  const type = nearestPackageJson(dirname(path))?.type;
  return type === "module" || type === "commonjs" ? type : undefined;
}
