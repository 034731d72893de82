/**
 * The `SPANFN_*` environment variables: how the preload learns its options, whether `spanfn run`
 * set them from its command line or the user did for `node --import @spanfn/cli/register`.
 * A value that cannot be read is warned about, naming the variable, and its default used.
 */
import { basename, resolve } from "node:path";
import type { InstrumentOptions } from "./transform.js";

export interface PreloadOptions extends InstrumentOptions {
  /** SPANFN_ENABLED=0: the preload installs nothing. */
  enabled: boolean;
  out: string;
  top: number;
  quiet: boolean;
  html: string | undefined;
  /** Export over OTLP to this URL ("" = as the OTEL_* variables say). */
  otlp: string | undefined;
  writeTrace: boolean;
  /** service.name when OTEL_SERVICE_NAME does not give one. */
  serviceName: string;
  demote: boolean;
  /** Keep instrumented modules in the transform cache (cache.ts). */
  cache: boolean;
  /** SPANFN_CACHE_DIR: where the cache lives (default: node_modules/.cache/spanfn, else the temporary directory). */
  cacheDir: string | undefined;
}

/** The variables, with what each takes, for warnings and the documentation. */
export const VARIABLES = {
  SPANFN_ENABLED: "0 to load nothing at all (a child process the program starts with the same NODE_OPTIONS, say)",
  SPANFN_ALL: "1 to instrument every function, 0 for marked ones only",
  SPANFN_OUT: "the trace file (.json: Chrome trace; .pftrace: Perfetto)",
  SPANFN_HTML: "a file for the HTML report written at exit",
  SPANFN_OTLP: "1 to export over OTLP/HTTP to the endpoint the OTEL_EXPORTER_OTLP_* variables name, or the collector's http(s) URL",
  SPANFN_INCLUDE: "comma-separated globs of files to instrument",
  SPANFN_EXCLUDE: "comma-separated globs of files never to instrument",
  SPANFN_NODE_MODULES: "1 to instrument files under node_modules too",
  SPANFN_TOP: "a positive whole number: rows in the summary at exit",
  SPANFN_QUIET: "1 for no summary at exit",
  SPANFN_DEMOTE: "0 to keep every span of tiny, hot functions",
  SPANFN_CACHE: "0 to compile every module afresh",
  SPANFN_CACHE_DIR: "the directory of the transform cache",
  SPANFN_ROOT: "the directory module names are relative to (default: the working directory)",
} as const;

export type Variable = keyof typeof VARIABLES;
type Env = Partial<Record<string, string>>;

export const DEFAULT_OUT = "spanfn-trace.json";
export const DEFAULT_TOP = 15;

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/**
 * The preload's options from `env`. Never throws: `warn` is told about each value it cannot
 * read (the main thread prints them; workers read the same variables and stay quiet).
 */
export function optionsFromEnv(env: Env, warn: (message: string) => void, cwd = process.cwd(), script = process.argv[1]): PreloadOptions {
  const text = (name: Variable): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const bad = (name: Variable, value: string, fallback: string) =>
    warn(`${name} takes ${VARIABLES[name]}; got ${JSON.stringify(value)}; ${fallback}`);
  const flag = (name: Variable, fallback: boolean): boolean => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (TRUE.has(value.toLowerCase())) return true;
    if (FALSE.has(value.toLowerCase())) return false;
    bad(name, value, `using ${fallback ? 1 : 0}`);
    return fallback;
  };
  const path = (name: Variable): string | undefined => {
    const value = text(name);
    return value === undefined ? undefined : resolve(cwd, value);
  };

  const root = path("SPANFN_ROOT") ?? cwd;
  const out = path("SPANFN_OUT");
  const html = path("SPANFN_HTML");
  const otlp = otlpOf(text("SPANFN_OTLP"), (value) => bad("SPANFN_OTLP", value, "not exporting"));
  let top = DEFAULT_TOP;
  const topText = text("SPANFN_TOP");
  if (topText !== undefined) {
    const n = Number(topText);
    if (Number.isInteger(n) && n > 0) top = n;
    else bad("SPANFN_TOP", topText, `using ${DEFAULT_TOP}`);
  }
  return {
    enabled: flag("SPANFN_ENABLED", true),
    all: flag("SPANFN_ALL", false),
    include: globs(text("SPANFN_INCLUDE")),
    exclude: globs(text("SPANFN_EXCLUDE")),
    nodeModules: flag("SPANFN_NODE_MODULES", false),
    root,
    out: out ?? resolve(cwd, DEFAULT_OUT),
    top,
    quiet: flag("SPANFN_QUIET", false),
    html,
    otlp,
    // With OTLP export, a trace file only when one is asked for (or the HTML report needs it).
    writeTrace: otlp === undefined || out !== undefined || html !== undefined,
    serviceName: script === undefined ? "node" : basename(script).replace(/\.[^.]*$/, ""),
    demote: flag("SPANFN_DEMOTE", true),
    cache: flag("SPANFN_CACHE", true),
    cacheDir: path("SPANFN_CACHE_DIR"),
  };
}

function otlpOf(value: string | undefined, bad: (value: string) => void): string | undefined {
  if (value === undefined || FALSE.has(value.toLowerCase())) return undefined;
  if (TRUE.has(value.toLowerCase())) return "";
  if (/^https?:\/\//i.test(value) && URL.canParse(value)) return value;
  bad(value);
  return undefined;
}

/** Comma-separated globs; a comma inside braces (`src/{a,b}/**`) belongs to its glob. */
export function globs(value: string | undefined): string[] {
  if (value === undefined) return [];
  const found: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = value[i];
    if (c === "{") depth++;
    else if (c === "}") depth = Math.max(0, depth - 1);
    else if (i === value.length || (c === "," && depth === 0)) {
      const glob = value.slice(start, i).trim();
      if (glob !== "") found.push(glob);
      start = i + 1;
    }
  }
  return found;
}

/**
 * What `spanfn run`'s options are as variables, for the program's environment: a variable set
 * to `undefined` is removed from it; one left out (SPANFN_CACHE without --no-cache,
 * SPANFN_CACHE_DIR) passes through from spanfn's own environment.
 */
export function envFromOptions(options: {
  all: boolean;
  out: string;
  writeTrace: boolean;
  include: string[];
  exclude: string[];
  nodeModules: boolean;
  top: number;
  quiet: boolean;
  html: string | undefined;
  otlp: string | undefined;
  demote: boolean;
  cache: boolean;
}): Partial<Record<Variable, string | undefined>> {
  const bool = (value: boolean) => (value ? "1" : "0");
  return {
    SPANFN_ENABLED: undefined,
    SPANFN_ALL: bool(options.all),
    SPANFN_OUT: options.writeTrace ? resolve(options.out) : undefined,
    SPANFN_HTML: options.html === undefined ? undefined : resolve(options.html),
    SPANFN_OTLP: options.otlp === undefined ? undefined : options.otlp === "" ? "1" : options.otlp,
    SPANFN_INCLUDE: options.include.length === 0 ? undefined : options.include.join(","),
    SPANFN_EXCLUDE: options.exclude.length === 0 ? undefined : options.exclude.join(","),
    SPANFN_NODE_MODULES: bool(options.nodeModules),
    SPANFN_TOP: String(options.top),
    SPANFN_QUIET: bool(options.quiet),
    SPANFN_DEMOTE: bool(options.demote),
    SPANFN_ROOT: process.cwd(),
    ...(options.cache ? {} : { SPANFN_CACHE: "0" }),
  };
}

/** `env` with `variables` set in it (those `undefined` removed). */
export function setVariables(env: NodeJS.ProcessEnv, variables: Partial<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
