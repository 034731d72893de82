/** The command line: `spanfn run …` and `spanfn report …`; errors are one line naming the fix. */
// Loads nothing else: the command line is parsed before any command's modules are.

export type SortKey = "total" | "self" | "count" | "mean" | "p99" | "max";
export const SORT_KEYS: readonly SortKey[] = ["total", "self", "count", "mean", "p99", "max"];

export const HELP = `spanfn: function-level tracing for Node programs

usage:
  spanfn run [options] <script> [args...]   run a program with spanfn instrumentation
  spanfn report [options] <trace>           summarise a trace file (Chrome JSON or Perfetto)
  spanfn --help

run options:
  --all                 instrument every function (default: only /** @spanFn */ and @spanFn)
  --out <file>          trace file to write (default: spanfn-trace.json; a .pftrace file
                        is written in Perfetto's protobuf format)
  --include <glob>      only instrument matching files (repeatable; relative to the cwd)
  --exclude <glob>      never instrument matching files (repeatable)
  --node-modules        also instrument files under node_modules
  --top <n>             rows in the summary printed at exit (default 15)
  --html <file>         also write the self-contained HTML report at exit
  --otlp [url]          export spans to an OpenTelemetry collector over OTLP/HTTP as they end
                        (url default: OTEL_EXPORTER_OTLP_* variables, else http://localhost:4318);
                        no trace file then unless --out or --html is given
  --quiet               no summary at exit (the trace file is still written)
  --no-demote           keep every span: a function whose calls are nearly all tiny (99% of
                        200 under 1 µs) otherwise becomes an exact call counter
  --no-cache            compile every module afresh and keep none: instrumented modules are
                        otherwise cached in node_modules/.cache/spanfn (else in the system's
                        temporary directory); SPANFN_CACHE=0 does the same as --no-cache,
                        SPANFN_CACHE_DIR=<dir> moves the cache

report options:
  --json                the summary as JSON
  --sort <key>          one table, sorted by ${SORT_KEYS.join("|")} (default: total, then self)
  --top <n>             rows per table (default 15)
  --html <file>         write a self-contained HTML report: timeline and summary table
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

export type Command = RunOptions | ReportOptions | { command: "help" };

function positiveInteger(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive whole number; got ${value ?? "nothing"}`);
  return n;
}

function valueOf(flag: string, argv: string[], i: number): string {
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
  return value;
}

export function parseArgs(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") return { command: "help" };
  if (command === "run") return parseRun(rest);
  if (command === "report") return parseReport(rest);
  throw new UsageError(`unknown command "${command}"; use "spanfn run <script>" or "spanfn report <trace.json>"`);
}

function parseRun(argv: string[]): RunOptions {
  const options: RunOptions = {
    command: "run",
    script: "",
    args: [],
    all: false,
    out: "spanfn-trace.json",
    include: [],
    exclude: [],
    nodeModules: false,
    top: 15,
    quiet: false,
    html: undefined,
    otlp: undefined,
    writeTrace: true,
    demote: true,
    cache: true,
  };
  let outGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // Everything from the script on belongs to the program.
    if (!arg.startsWith("-")) {
      options.script = arg;
      options.args = argv.slice(i + 1);
      options.writeTrace = options.otlp === undefined || outGiven || options.html !== undefined;
      return options;
    }
    switch (arg) {
      case "--all":
        options.all = true;
        break;
      case "--out":
        options.out = valueOf(arg, argv, i++);
        outGiven = true;
        break;
      case "--otlp": {
        // The URL is optional, and the script comes next: only an http(s) URL is taken as it.
        const next = argv[i + 1];
        if (next !== undefined && /^https?:\/\//i.test(next)) {
          if (!URL.canParse(next)) throw new UsageError(`--otlp takes a URL like http://localhost:4318/v1/traces; got ${next}`);
          options.otlp = next;
          i++;
        } else if (next !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(next)) {
          throw new UsageError(`--otlp exports over HTTP: the URL must start with http:// or https://; got ${next}`);
        } else options.otlp = "";
        break;
      }
      case "--include":
        options.include.push(valueOf(arg, argv, i++));
        break;
      case "--exclude":
        options.exclude.push(valueOf(arg, argv, i++));
        break;
      case "--node-modules":
        options.nodeModules = true;
        break;
      case "--top":
        options.top = positiveInteger(arg, argv[++i]);
        break;
      case "--quiet":
        options.quiet = true;
        break;
      case "--no-demote":
        options.demote = false;
        break;
      case "--no-cache":
        options.cache = false;
        break;
      case "--html":
        options.html = valueOf(arg, argv, i++);
        break;
      case "--help":
      case "-h":
        throw new UsageError("see spanfn --help");
      default:
        throw new UsageError(`unknown option ${arg} for spanfn run; see spanfn --help`);
    }
  }
  throw new UsageError("spanfn run needs a script: spanfn run [options] <script> [args...]");
}

function parseReport(argv: string[]): ReportOptions {
  const options: ReportOptions = { command: "report", file: "", json: false, sort: undefined, top: 15, html: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-")) {
      if (options.file !== "") throw new UsageError(`spanfn report takes one trace file; got ${options.file} and ${arg}`);
      options.file = arg;
      continue;
    }
    switch (arg) {
      case "--json":
        options.json = true;
        break;
      case "--sort": {
        const key = valueOf(arg, argv, i++);
        if (!(SORT_KEYS as readonly string[]).includes(key)) throw new UsageError(`--sort takes one of ${SORT_KEYS.join(", ")}; got ${key}`);
        options.sort = key as SortKey;
        break;
      }
      case "--top":
        options.top = positiveInteger(arg, argv[++i]);
        break;
      case "--html":
        options.html = valueOf(arg, argv, i++);
        break;
      default:
        throw new UsageError(`unknown option ${arg} for spanfn report; see spanfn --help`);
    }
  }
  if (options.file === "") throw new UsageError("spanfn report needs a trace file: spanfn report <trace.json>");
  return options;
}
