/**
 * The disk cache of instrumented modules: a second `spanfn run` of the same program loads each
 * unchanged module's instrumented code (inline source map included) instead of compiling it
 * through Babel again.
 *
 * Size: an entry's file name hashes what it was made *for* (the caller's key: file path, options,
 * toolchain versions), and the entry records the hash of the source it was made *from*, and the
 * other files the plugin read to compile it (contracts of other modules) with their modification
 * time and size: a changed contract is a miss, as a changed source is. A changed
 * file therefore replaces its entry instead of adding one, and the cache holds at most one entry
 * per module per option set and toolchain. Entries of deleted files, of option sets no longer
 * used or of an older spanfn or Babel stay until the directory is deleted, which is safe at any
 * time (`spanfn run --no-cache` or `SPANFN_CACHE=0` bypasses it).
 *
 * Processes running side by side share it: an entry is written to a file of its own and renamed
 * into place, so a reader sees a whole entry or none; a header with the length and hash of the
 * code catches one damaged anyway, which is then a miss. Reads are synchronous because the
 * CommonJS require hook is.
 */
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import Module from "node:module";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";

/** Written at the head of every entry; bumped when the entry format changes. */
const MAGIC = "spanfn-cache/2";

/** What compiling a module made: its code, and the other files read to make it. */
export interface Compiled {
  code: string;
  dependencies: readonly string[];
}

export interface TransformCache {
  /** The directory the entries live in. */
  readonly dir: string;
  /**
   * The code cached for `key` made from `source`, or else `make()`'s, stored for next time.
   * Cache errors never reach the caller: a bad entry is a miss, a failed write is skipped.
   */
  cached(key: string, source: string, make: () => Compiled): string;
}

/**
 * The folder, inside the cache's directory, where V8 keeps its compiled code for the instrumented
 * modules (Node's compile cache, where Node has it). Entries are named by hash, so never this.
 */
export const CODE_CACHE_FOLDER = "v8";

/**
 * V8's compiled code for the modules, kept in the cache's directory (Node 22.1 and later):
 * instrumented code is bigger than the original, and a warm run then skips compiling it, as
 * plain Node does with NODE_COMPILE_CACHE; so do spanfn's own modules, when it is on before they
 * load (run.ts). Node checks each entry against the source it compiles, so code from other
 * options or another plugin version is compiled afresh. Once on, it stays on in that directory.
 */
export function enableCodeCache(dir: string): void {
  const enableCompileCache = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enableCompileCache !== "function") return;
  try {
    enableCompileCache(join(dir, CODE_CACHE_FOLDER));
  } catch {
    // Without it, modules compile as they would have: slower, nothing lost.
  }
}

export interface CacheOptions {
  /** Used as it is (no fallback): `SPANFN_CACHE_DIR`, or the directory another thread chose. */
  dir?: string;
  /** Where to look for node_modules when no `dir` is given: the program's root. */
  root?: string;
  /** Told once, in words, when the cache cannot be used; the run goes on uncached. */
  warn?: (message: string) => void;
}

/**
 * node:crypto, loaded at the first hash: the program's thread of a run whose modules are all ES
 * modules (the hooks thread compiles and caches them) never hashes, and loading it costs a short
 * program's start a few milliseconds.
 */
let crypto: typeof import("node:crypto") | undefined;

export function sha256(data: string | Buffer): string {
  // Any path serves a require of Node's own modules.
  crypto ??= Module.createRequire(process.execPath)("node:crypto") as typeof import("node:crypto");
  return crypto.createHash("sha256").update(data).digest("hex");
}

/**
 * The cache to use, or null when no directory can be made writable. Without `dir`: the nearest
 * `node_modules/.cache/spanfn` above `root` (where build tools keep their caches), else a
 * directory of this user's in the system's temporary directory.
 */
export function openCache(options: CacheOptions): TransformCache | null {
  const warn = options.warn ?? (() => {});
  const candidates: Array<{ dir: string; shared: boolean }> = [];
  if (options.dir !== undefined) candidates.push({ dir: options.dir, shared: false });
  else {
    const local = nodeModulesCache(options.root ?? process.cwd());
    if (local !== undefined) candidates.push({ dir: local, shared: false });
    candidates.push({ dir: userTmpCache(), shared: true });
  }
  const problems: string[] = [];
  for (const { dir, shared } of candidates) {
    const problem = usable(dir, shared);
    if (problem === undefined) return new DiskCache(dir, warn);
    problems.push(problem);
  }
  warn(`transform cache unavailable (${problems.join("; ")}); running uncached`);
  return null;
}

function nodeModulesCache(root: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules"))) return join(dir, "node_modules", ".cache", "spanfn");
    if (dirname(dir) === dir) return undefined;
  }
}

function userTmpCache(): string {
  let user: string | number | undefined = process.getuid?.();
  if (user === undefined) {
    try {
      user = userInfo().username;
    } catch {
      user = "user";
    }
  }
  return join(tmpdir(), `spanfn-cache-${user}`);
}

/** Why `dir` cannot hold the cache, or undefined when it can. */
function usable(dir: string, shared: boolean): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    if (shared && process.getuid !== undefined) {
      // Others can write to the temporary directory: code planted there would run as ours.
      const stat = lstatSync(dir);
      if (!stat.isDirectory() || stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0) return `${dir} is not a private directory of this user`;
    }
    return undefined;
  } catch (error) {
    return `${dir}: ${(error as Error).message}`;
  }
}

export type Stamp = [path: string, mtimeMs: number, size: number];

/** A file's modification time and size, to tell later whether it changed; undefined if it cannot be read. */
export function stampOf(path: string): Stamp | undefined {
  try {
    const stat = statSync(path);
    return [path, stat.mtimeMs, stat.size];
  } catch {
    return undefined;
  }
}

function stampsOf(paths: readonly string[]): Stamp[] | undefined {
  const stamps: Stamp[] = [];
  for (const path of paths) {
    const stamp = stampOf(path);
    if (stamp === undefined) return undefined;
    stamps.push(stamp);
  }
  return stamps;
}

class DiskCache implements TransformCache {
  private writable = true;

  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {}

  cached(key: string, source: string, make: () => Compiled): string {
    const keyHash = sha256(key);
    const sourceHash = sha256(source);
    const file = join(this.dir, keyHash);
    const hit = this.read(file, keyHash, sourceHash);
    if (hit !== undefined) return hit;
    const { code, dependencies } = make();
    if (this.writable) {
      const stamps = stampsOf(dependencies);
      // A dependency that cannot be read now cannot be checked later: such a module is not cached.
      if (stamps !== undefined) this.write(file, `${MAGIC} ${keyHash} ${sourceHash}`, JSON.stringify(stamps), code);
    }
    return code;
  }

  /** The entry's code if it is whole and made from this source, else undefined. */
  private read(file: string, keyHash: string, sourceHash: string): string | undefined {
    let entry: Buffer;
    try {
      entry = readFileSync(file);
    } catch {
      return undefined;
    }
    const end = entry.indexOf(10);
    if (end < 0) return undefined;
    // MAGIC key source length codeHash, then the dependencies' stamps, then the code
    const header = entry.toString("latin1", 0, end).split(" ");
    if (header.length !== 5 || header[0] !== MAGIC || header[1] !== keyHash || header[2] !== sourceHash) return undefined;
    const depsEnd = entry.indexOf(10, end + 1);
    if (depsEnd < 0 || !this.unchanged(entry.toString("utf8", end + 1, depsEnd))) return undefined;
    const code = entry.subarray(depsEnd + 1);
    if (String(code.length) !== header[3] || sha256(code) !== header[4]) return undefined;
    return code.toString("utf8");
  }

  /** Whether every file an entry was compiled with is as it was then. */
  private unchanged(stampsJson: string): boolean {
    let stamps: unknown;
    try {
      stamps = JSON.parse(stampsJson);
    } catch {
      return false;
    }
    if (!Array.isArray(stamps)) return false;
    for (const stamp of stamps) {
      if (!Array.isArray(stamp) || typeof stamp[0] !== "string") return false;
      const now = stampOf(stamp[0]);
      if (now === undefined || now[1] !== stamp[1] || now[2] !== stamp[2]) return false;
    }
    return true;
  }

  private write(file: string, header: string, stamps: string, code: string): void {
    const bytes = Buffer.from(code, "utf8");
    try {
      replaceFile(file, Buffer.concat([Buffer.from(`${header} ${bytes.length} ${sha256(bytes)}\n${stamps}\n`, "utf8"), bytes]));
    } catch (error) {
      // Windows refuses to replace a file another process has open: that process is reading
      // an entry for the same module, which is as good as ours.
      if (process.platform === "win32" && (error as { code?: string }).code === "EPERM") return;
      this.writable = false;
      this.warn(`transform cache: could not write to ${this.dir} (${(error as Error).message}); not caching further modules`);
    }
  }
}

/**
 * Writes `file` whole or not at all, for readers in other processes: to a file of its own, renamed
 * into place. Throws what the file system refused, the temporary file removed.
 */
export function replaceFile(file: string, data: string | Buffer): void {
  // The random part keeps apart processes of the same pid (in containers sharing the folder).
  const temporary = `${file}.${process.pid}-${threadId}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing more to do about a directory that refuses both.
    }
    throw error;
  }
}
