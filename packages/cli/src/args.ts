/**
 * The command line: `spanfn run …` and `spanfn report …`, read with `util.parseArgs`; errors are
 * one line naming the option and the fix.
 */
// Loads nothing else: the command line is parsed before any command's modules are.
import { parseArgs as parseArgv } from "node:util";

export type SortKey = "total" | "self" | "count" | "mean" | "p99" | "max";
export const SORT_KEYS: readonly SortKey[] = ["total", "self", "count", "mean", "p99", "max"];

export const HELP = `spanfn: function-level tracing for Node programs

usage:
  spanfn run [options] [--] <script> [args...]   run a program with spanfn instrumentation
  spanfn report [options] <trace>                summarise a trace file (Chrome JSON or Perfetto)
  spanfn report --diff <before> <after>          compare two traces of a program, span by span
  spanfn <command> --help                        the options of a command
  spanfn --version

Options take their value as --opt value or --opt=value.
`;

export const RUN_HELP = `usage: spanfn run [options] [--] <script> [args...]

Runs <script> in Node with spanfn instrumentation. Everything after <script> (or after --) is the
program's own arguments; its output, exit status and signals are its own.

options:
  --all                 instrument every function (default: only /** @spanFn */ and @spanFn)
  --out <file>          trace file to write (default: spanfn-trace.json; a .pftrace file
                        is written in Perfetto's protobuf format)
  --include <glob>      only instrument matching files (repeatable; relative to the cwd)
  --exclude <glob>      never instrument matching files (repeatable)
  --node-modules        also instrument files under node_modules
  --top <n>             rows in the summary printed at exit (default 15)
  --html <file>         also write the self-contained HTML report at exit
  --otlp[=<url>]        export spans to an OpenTelemetry collector over OTLP/HTTP as they end
                        (url default: OTEL_EXPORTER_OTLP_* variables, else http://localhost:4318;
                        "--otlp <url>" works too when <url> starts with http:// or https://);
                        no trace file then unless --out or --html is given
  --quiet               no summary at exit (the trace file is still written)
  --no-demote           keep every span: a function whose calls are tiny beside what a span
                        costs otherwise becomes an exact call counter
  --no-cache            compile every module afresh and keep none: instrumented modules are
                        otherwise cached in node_modules/.cache/spanfn (else in the system's
                        temporary directory); SPANFN_CACHE=0 does the same as --no-cache,
                        SPANFN_CACHE_DIR=<dir> moves the cache
  -h, --help            this help
`;

export const REPORT_HELP = `usage: spanfn report [options] <trace>
       spanfn report --diff [options] <before> <after>

Summarises a trace file (Chrome JSON or Perfetto protobuf): where the time went, by span name.

options:
  --json                the summary as JSON
  --sort <key>          one table, sorted by ${SORT_KEYS.join("|")} (default: total, then self)
  --top <n>             rows per table (default 15)
  --html <file>         write a self-contained HTML report: timeline, call tree, flame graph, summary
  --diff                compare two traces span by span: count, total, self, p50 and p99 of each,
                        before and after, with the change (sorted by the change in --sort's key,
                        default total)
  -h, --help            this help
`;

export class UsageError extends Error {}

export interface RunOptions {
  command: "run";
  script: string;
  args: string[];
  all: boolean;
  out: string;
  include: string[];
  exclude: string[];
  nodeModules: boolean;
  top: number;
  quiet: boolean;
  html: string | undefined;
  /** Export over OTLP: "" = the endpoint the OTEL_* variables name (or the default). */
  otlp: string | undefined;
  /** Write a trace file: always without --otlp; with it, only when --out or --html asks. */
  writeTrace: boolean;
  demote: boolean;
  /** Read and write the cache of instrumented modules. */
  cache: boolean;
}

export interface ReportOptions {
  command: "report";
  file: string;
  json: boolean;
  sort: SortKey | undefined;
  top: number;
  html: string | undefined;
}

export interface DiffOptions {
  command: "diff";
  before: string;
  after: string;
  json: boolean;
  sort: SortKey | undefined;
  top: number;
}

export type Command = RunOptions | ReportOptions | DiffOptions | { command: "help"; text: string } | { command: "version" };

interface OptionSpec {
  type: "boolean" | "string";
  short?: string;
  multiple?: boolean;
}

const RUN_SPEC = {
  all: { type: "boolean" },
  out: { type: "string" },
  include: { type: "string", multiple: true },
  exclude: { type: "string", multiple: true },
  "node-modules": { type: "boolean" },
  top: { type: "string" },
  html: { type: "string" },
  // Its value is optional: handled before parseArgs sees it (see splitRun).
  otlp: { type: "string" },
  quiet: { type: "boolean" },
  "no-demote": { type: "boolean" },
  "no-cache": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies Record<string, OptionSpec>;

const REPORT_SPEC = {
  json: { type: "boolean" },
  sort: { type: "string" },
  top: { type: "string" },
  html: { type: "string" },
  diff: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies Record<string, OptionSpec>;

const COMMANDS = ["run", "report", "help"];

export function parseArgs(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") return { command: "help", text: HELP };
  if (command === "--version" || command === "-v") return { command: "version" };
  if (command === "help") {
    const topic = rest[0];
    return { command: "help", text: topic === "run" ? RUN_HELP : topic === "report" ? REPORT_HELP : HELP };
  }
  if (command === "run") return parseRun(rest);
  if (command === "report") return parseReport(rest);
  if (command.startsWith("-")) {
    throw new UsageError(`unknown option ${command}${suggest(command, ["--help", "--version"])}; options go after the command: spanfn run [options] <script>`);
  }
  throw new UsageError(`unknown command "${command}"${suggest(command, COMMANDS, "")}; the commands are run and report (spanfn --help)`);
}

/** `; did you mean --x?` for the candidate closest to `given`, when one is close enough. */
function suggest(given: string, candidates: readonly string[], prefix = "--"): string {
  let best = "";
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(given.replace(/^-+/, "").replace(/=.*/, ""), candidate.replace(/^-+/, ""));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const limit = Math.max(1, Math.floor(best.replace(/^-+/, "").length / 3));
  if (best === "" || bestDistance > limit) return "";
  return `; did you mean ${best.startsWith("-") ? best : `${prefix}${best}`}?`;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (value === "" || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive whole number; got ${value === "" ? "nothing" : value}`);
  return n;
}

type Values<S extends Record<string, OptionSpec>> = {
  [K in keyof S]?: S[K] extends { multiple: true } ? string[] : S[K]["type"] extends "string" ? string : boolean;
};

/**
 * Options and positionals of `args` with util.parseArgs, with every problem named: an unknown
 * option (and the closest known one), a value missing or given to a switch.
 */
function readOptions<S extends Record<string, OptionSpec>>(command: string, spec: S, args: string[]): { values: Values<S>; positionals: string[] } {
  const { tokens } = parseArgv({ args, options: spec, strict: false, allowPositionals: true, tokens: true });
  const names = Object.keys(spec);
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = (spec as Record<string, OptionSpec>)[token.name];
    if (option === undefined) {
      const all = names.map((n) => `--${n}`);
      throw new UsageError(`unknown option ${token.rawName} for spanfn ${command}${suggest(token.rawName, all)} (spanfn ${command} --help lists them)`);
    }
    if (option.type === "boolean" && token.value !== undefined) {
      throw new UsageError(`${token.rawName} takes no value; got ${token.rawName}=${token.value}`);
    }
    if (option.type === "string") {
      if (token.value === undefined) throw new UsageError(`${token.rawName} needs a value: ${token.rawName} <value> or ${token.rawName}=<value>`);
      // "--out --all": a value that looks like an option is a forgotten value (--out=-x says otherwise).
      if (!token.inlineValue && token.value.startsWith("-") && token.value !== "-") {
        throw new UsageError(`${token.rawName} needs a value; got the option ${token.value} (write ${token.rawName}=${token.value} if that is the value)`);
      }
    }
  }
  const { values, positionals } = parseArgv({ args, options: spec, strict: false, allowPositionals: true });
  return { values: values as Values<S>, positionals };
}

/**
 * Where spanfn's options end and the program begins: at `--`, or at the first argument that is
 * not an option or an option's value. Also settles `--otlp`'s optional value, which parseArgs
 * cannot: a following http(s) URL is its value, anything else is not (`--otlp=` then).
 */
function splitRun(argv: string[]): { own: string[]; script: string | undefined; args: string[] } {
  const own: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return { own, script: argv[i + 1], args: argv.slice(i + 2) };
    if (!arg.startsWith("-") || arg === "-") return { own, script: arg, args: argv.slice(i + 1) };
    own.push(arg);
    if (arg.includes("=") || !arg.startsWith("--")) continue;
    const name = arg.slice(2);
    if (name === "otlp") {
      const next = argv[i + 1];
      if (next !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(next)) own.push(argv[++i]);
      else own[own.length - 1] = "--otlp=";
    } else if ((RUN_SPEC as Record<string, OptionSpec>)[name]?.type === "string" && i + 1 < argv.length) {
      own.push(argv[++i]);
    }
  }
  return { own, script: undefined, args: [] };
}

function parseRun(argv: string[]): RunOptions | { command: "help"; text: string } {
  const { own, script, args } = splitRun(argv);
  const { values, positionals } = readOptions("run", RUN_SPEC, own);
  if (values.help) return { command: "help", text: RUN_HELP };
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals[0]} among spanfn run's options`);
  let otlp: string | undefined;
  if (values.otlp !== undefined) {
    otlp = values.otlp;
    if (otlp !== "") {
      if (!/^https?:\/\//i.test(otlp)) throw new UsageError(`--otlp exports over HTTP: the URL must start with http:// or https://; got ${otlp}`);
      if (!URL.canParse(otlp)) throw new UsageError(`--otlp takes a URL like http://localhost:4318/v1/traces; got ${otlp}`);
    }
  }
  if (script === undefined || script === "") throw new UsageError("spanfn run needs a script: spanfn run [options] [--] <script> [args...]");
  return {
    command: "run",
    script,
    args,
    all: values.all === true,
    out: values.out ?? "spanfn-trace.json",
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    nodeModules: values["node-modules"] === true,
    top: values.top === undefined ? 15 : positiveInteger("--top", values.top),
    quiet: values.quiet === true,
    html: values.html,
    otlp,
    writeTrace: otlp === undefined || values.out !== undefined || values.html !== undefined,
    demote: values["no-demote"] !== true,
    cache: values["no-cache"] !== true,
  };
}

function parseReport(argv: string[]): ReportOptions | DiffOptions | { command: "help"; text: string } {
  const { values, positionals } = readOptions("report", REPORT_SPEC, argv);
  if (values.help) return { command: "help", text: REPORT_HELP };
  let sort: SortKey | undefined;
  if (values.sort !== undefined) {
    if (!(SORT_KEYS as readonly string[]).includes(values.sort)) {
      throw new UsageError(`--sort takes one of ${SORT_KEYS.join(", ")}; got ${values.sort}${suggest(values.sort, SORT_KEYS, "")}`);
    }
    sort = values.sort as SortKey;
  }
  const top = values.top === undefined ? 15 : positiveInteger("--top", values.top);
  if (values.diff) {
    if (values.html !== undefined) throw new UsageError("--html and --diff do not go together: the HTML report shows one trace");
    if (positionals.length !== 2) throw new UsageError(`spanfn report --diff takes two trace files, before and after; got ${positionals.length}`);
    return { command: "diff", before: positionals[0], after: positionals[1], json: values.json === true, sort, top };
  }
  if (positionals.length > 1) throw new UsageError(`spanfn report takes one trace file; got ${positionals.join(" and ")} (--diff compares two)`);
  if (positionals.length === 0) throw new UsageError("spanfn report needs a trace file: spanfn report <trace.json>");
  return { command: "report", file: positionals[0], json: values.json === true, sort, top, html: values.html };
}
