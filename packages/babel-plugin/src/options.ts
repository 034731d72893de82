/** The plugin's options: validated once per config, with errors that name the option. */
import picomatch from "picomatch";

export interface SpanFnPluginOptions {
  /** "marked" (default): only functions with `/** @spanFn *\/` or `@spanFn`; "all": every function. */
  instrument?: "marked" | "all";
  /** Globs (relative to `root`) of files to instrument; default: all. */
  include?: string[];
  /** Globs of files to leave alone. Files under node_modules are left alone unless `include` names node_modules. */
  exclude?: string[];
  /** Module names are file paths relative to this directory (default: Babel's root, else cwd). */
  root?: string;
  /** Where generated code imports the runtime from (default "@spanfn/tracing"). */
  runtimeModule?: string;
  /** Extra return-type names that mean "a promise" (e.g. "Bluebird"). */
  promiseTypes?: string[];
  /** Extra callee names whose call returns a promise (e.g. "got", "axios.get"). */
  promiseFunctions?: string[];
  /**
   * Whether detection follows imports to the contracts, types and functions of other modules
   * (default true); false reads each file alone.
   */
  followImports?: boolean;
  /**
   * Ask TypeScript's checker for the return types the syntactic rules cannot see (inferred ones
   * included): `true` uses the nearest tsconfig.json of each file; `{ tsconfig }` names one,
   * relative to `root`. Needs the `typescript` package. Default false.
   */
  typeChecker?: boolean | { tsconfig?: string };
}

export interface NormalizedOptions {
  readonly instrument: "marked" | "all";
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly root: string | undefined;
  readonly runtimeModule: string;
  readonly promiseTypes: ReadonlySet<string>;
  readonly promiseFunctions: ReadonlySet<string>;
  readonly followImports: boolean;
  /** null: off; `tsconfig` null: each file's nearest tsconfig.json. */
  readonly typeChecker: { readonly tsconfig: string | null } | null;
  /** Whether a file (path relative to root, and absolute) is to be instrumented. */
  readonly matches: (relativePath: string, absolutePath: string) => boolean;
}

const KNOWN: Record<keyof SpanFnPluginOptions, string> = {
  instrument: '"marked" or "all"',
  include: "an array of glob strings",
  exclude: "an array of glob strings",
  root: "a directory path string",
  runtimeModule: "a module specifier string",
  promiseTypes: "an array of type names",
  promiseFunctions: "an array of function names",
  followImports: "true or false",
  typeChecker: 'true, false or { tsconfig: "path/to/tsconfig.json" }',
};

export const DEFAULT_RUNTIME_MODULE = "@spanfn/tracing";

function fail(option: string, got: unknown): never {
  throw new Error(
    `@spanfn/babel-plugin: option "${option}" must be ${KNOWN[option as keyof SpanFnPluginOptions]}; got ${JSON.stringify(got)}`,
  );
}

function stringArray(option: keyof SpanFnPluginOptions, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) fail(option, value);
  return value as string[];
}

export function normalizeOptions(raw: unknown): NormalizedOptions {
  const options = (raw ?? {}) as Record<string, unknown>;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`@spanfn/babel-plugin: options must be an object; got ${JSON.stringify(raw)}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(KNOWN, key)) {
      throw new Error(
        `@spanfn/babel-plugin: unknown option "${key}"; known options: ${Object.keys(KNOWN).join(", ")}`,
      );
    }
  }
  const instrument = options.instrument ?? "marked";
  if (instrument !== "marked" && instrument !== "all") fail("instrument", instrument);
  const include = stringArray("include", options.include);
  const exclude = stringArray("exclude", options.exclude);
  if (options.root !== undefined && (typeof options.root !== "string" || options.root === "")) fail("root", options.root);
  const runtimeModule = options.runtimeModule ?? DEFAULT_RUNTIME_MODULE;
  if (typeof runtimeModule !== "string" || runtimeModule === "") fail("runtimeModule", runtimeModule);

  const followImports = options.followImports ?? true;
  if (typeof followImports !== "boolean") fail("followImports", followImports);

  const typeChecker = typeCheckerOption(options.typeChecker);

  const wantsNodeModules = include.some((glob) => glob.includes("node_modules"));
  const isIncluded = include.length === 0 ? () => true : picomatch(include, { dot: true });
  const isExcluded = exclude.length === 0 ? () => false : picomatch(exclude, { dot: true });

  return {
    instrument,
    include,
    exclude,
    root: options.root as string | undefined,
    runtimeModule,
    promiseTypes: new Set(stringArray("promiseTypes", options.promiseTypes)),
    promiseFunctions: new Set(stringArray("promiseFunctions", options.promiseFunctions)),
    followImports,
    typeChecker,
    matches: (relativePath, absolutePath) =>
      (wantsNodeModules || !absolutePath.split(/[\\/]/).includes("node_modules")) &&
      isIncluded(relativePath) &&
      !isExcluded(relativePath),
  };
}

function typeCheckerOption(value: unknown): NormalizedOptions["typeChecker"] {
  if (value === undefined || value === false) return null;
  if (value === true) return { tsconfig: null };
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("typeChecker", value);
  const { tsconfig, ...rest } = value as { tsconfig?: unknown };
  if (Object.keys(rest).length > 0 || (tsconfig !== undefined && (typeof tsconfig !== "string" || tsconfig === ""))) fail("typeChecker", value);
  return { tsconfig: (tsconfig as string | undefined) ?? null };
}
