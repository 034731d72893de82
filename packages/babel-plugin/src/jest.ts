/**
 * @spanfn/babel-plugin/jest: babel-jest, with a cache key that also covers the contract files.
 * The plugin reads interfaces and types in other files to tell which functions return promises;
 * babel-jest's key covers only the file's own text and the Babel config, so after an edit to a
 * contract jest would keep running the old output. Here each transform's list of files read
 * (the plugin's `metadata.spanfn.dependencies`) is kept under jest's cache directory, and the key
 * of the next transform of that file also covers each listed file's mtime and size.
 *
 * In jest's config: `transform: { "\\.[jt]sx?$": "@spanfn/babel-plugin/jest" }`, or with
 * babel-jest's options: `["@spanfn/babel-plugin/jest", { rootMode: "upward" }]`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileStamp } from "./file-stamp.js";

/** The parts of jest's transform options this module reads; the rest go on to babel-jest. */
export interface JestTransformOptions {
  config: { cacheDirectory: string; id: string };
  [option: string]: unknown;
}

type TransformedSource = { code: string; map?: unknown };

/** What jest calls: babel-jest's transformer, with its cache key extended. */
export interface SpanFnJestTransformer {
  canInstrument: boolean;
  getCacheKey(sourceText: string, sourcePath: string, options: JestTransformOptions): string;
  getCacheKeyAsync(sourceText: string, sourcePath: string, options: JestTransformOptions): Promise<string>;
  process(sourceText: string, sourcePath: string, options: JestTransformOptions): TransformedSource;
  processAsync(sourceText: string, sourcePath: string, options: JestTransformOptions): Promise<TransformedSource>;
}

/** babel-jest's options (the Babel options it passes on, and `excludeJestPreset`). */
export type BabelJestOptions = { plugins?: unknown[]; [option: string]: unknown };

type BabelJestTransformer = Omit<SpanFnJestTransformer, "getCacheKeyAsync" | "processAsync"> &
  Partial<Pick<SpanFnJestTransformer, "getCacheKeyAsync" | "processAsync">>;

// @ts-ignore: import.meta is an error for the CommonJS compile only, which the build rewrites.
const requireHere: NodeRequire = createRequire(import.meta.url);

function loadBabelJest(): { createTransformer(options?: BabelJestOptions): BabelJestTransformer } {
  try {
    return requireHere("babel-jest") as { createTransformer(options?: BabelJestOptions): BabelJestTransformer };
  } catch (error) {
    if ((error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error("@spanfn/babel-plugin/jest wraps babel-jest, which is not installed: npm install --save-dev babel-jest");
  }
}

/** The folder under jest's cache directory that holds each transformed file's dependency list. */
const INDEX = "spanfn-babel-jest";

interface Recorded {
  file: string;
  dependencies: string[];
}

export function createTransformer(options: BabelJestOptions = {}): SpanFnJestTransformer {
  /** Files this process transformed, until their list is written: by file name, as Babel was given it. */
  const transformed = new Map<string, string[]>();
  // A plugin of this transformer's own, after the user's: it sees the file's metadata once
  // every plugin ran, whichever copy of @spanfn/babel-plugin the Babel config loaded.
  const collector = () => ({
    name: "spanfn-jest-dependencies",
    post(file: { opts: { filename?: string | null }; metadata: { spanfn?: { dependencies?: string[] } } }) {
      if (file.opts.filename) transformed.set(file.opts.filename, file.metadata.spanfn?.dependencies ?? []);
    },
  });
  const babelJest = loadBabelJest().createTransformer({ ...options, plugins: [...(options.plugins ?? []), collector] });

  const record = (sourcePath: string, transformOptions: JestTransformOptions) => {
    const dependencies = transformed.get(sourcePath);
    if (dependencies === undefined) return;
    transformed.delete(sourcePath);
    writeRecord(indexFile(sourcePath, transformOptions), { file: sourcePath, dependencies });
  };
  const withDependencies = (key: string, sourcePath: string, transformOptions: JestTransformOptions) =>
    createHash("sha1").update(key).update("\0").update(dependencyState(sourcePath, transformOptions)).digest("hex").slice(0, 32);

  return {
    canInstrument: babelJest.canInstrument,
    getCacheKey(sourceText, sourcePath, transformOptions) {
      return withDependencies(babelJest.getCacheKey(sourceText, sourcePath, transformOptions), sourcePath, transformOptions);
    },
    async getCacheKeyAsync(sourceText, sourcePath, transformOptions) {
      const key = babelJest.getCacheKeyAsync
        ? await babelJest.getCacheKeyAsync(sourceText, sourcePath, transformOptions)
        : babelJest.getCacheKey(sourceText, sourcePath, transformOptions);
      return withDependencies(key, sourcePath, transformOptions);
    },
    process(sourceText, sourcePath, transformOptions) {
      const result = babelJest.process(sourceText, sourcePath, transformOptions);
      record(sourcePath, transformOptions);
      return result;
    },
    async processAsync(sourceText, sourcePath, transformOptions) {
      const result = babelJest.processAsync
        ? await babelJest.processAsync(sourceText, sourcePath, transformOptions)
        : babelJest.process(sourceText, sourcePath, transformOptions);
      record(sourcePath, transformOptions);
      return result;
    },
  };
}

/** One record per file and jest project: workers write different files, never one shared index. */
function indexFile(sourcePath: string, transformOptions: JestTransformOptions): string {
  const { cacheDirectory, id } = transformOptions.config;
  const name = createHash("sha1").update(id).update("\0").update(sourcePath).digest("hex");
  return join(cacheDirectory, INDEX, `${name}.json`);
}

/**
 * The recorded dependencies' paths, mtimes and sizes; "unrecorded" before the file's first
 * transform, so that key never matches one whose list is known.
 */
function dependencyState(sourcePath: string, transformOptions: JestTransformOptions): string {
  let recorded: Recorded;
  try {
    recorded = JSON.parse(readFileSync(indexFile(sourcePath, transformOptions), "utf8")) as Recorded;
  } catch {
    return "unrecorded";
  }
  if (recorded.file !== sourcePath || !Array.isArray(recorded.dependencies)) return "unrecorded";
  return recorded.dependencies
    .map((dependency) => `${dependency}\0${fileStamp(dependency) ?? "missing"}`)
    .join("\n");
}

let warned = false;

/** Written whole under a temporary name, then renamed: a reader never sees half a record. */
function writeRecord(path: string, record: Recorded): void {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(temporary, JSON.stringify(record));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    // The output is right; only a later edit to a contract may go unseen until `jest --no-cache`.
    if (!warned) console.warn(`@spanfn/babel-plugin/jest: cannot record what ${record.file} depends on in ${path} (${(error as Error).message}): after an edit to a file it imports types from, run jest with --no-cache.`);
    warned = true;
  }
}

/** Ready to name in jest's `transform`; jest calls `createTransformer` with the options given there. */
const transformer: SpanFnJestTransformer & { createTransformer: typeof createTransformer } = Object.assign(createTransformer(), { createTransformer });
export default transformer;
