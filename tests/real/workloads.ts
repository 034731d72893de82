/**
 * The workloads of the real-code suite, and what each is known to leave open at exit on purpose.
 * A span unfinished at exit is a bug unless the promise it waits for never settles by design:
 * each such function is listed here by name with the reason, read in the package's source.
 */
export interface Workload {
  name: string;
  /** Under workloads/, run with the suite's folder as working directory. */
  script: string;
  /** Packages (under node_modules) whose functions must appear in the trace. */
  packages: string[];
  /** The exit code the workload ends with (the same plain and instrumented). */
  exitCode?: number;
  /** `name (file:line)` -> why its promise never settles. Unfinished spans not listed fail the suite. */
  neverSettles: Record<string, string>;
  /**
   * Differences found and not fixed yet, by check, with what goes wrong: the check then has to
   * fail (test.failing), so a fix is noticed and the entry removed. Never a silent skip.
   */
  knownDifferences?: Partial<Record<"output" | "stderr" | "trace" | "open" | "promises", string>>;
}

export const WORKLOADS: Workload[] = [
  {
    name: "babel",
    script: "babel.mjs",
    packages: ["@babel/core", "@babel/parser", "@babel/traverse", "@babel/generator", "@babel/preset-env", "@babel/plugin-transform-regenerator", "gensync"],
    neverSettles: {},
  },
  {
    name: "prettier",
    script: "prettier.mjs",
    packages: ["prettier"],
    neverSettles: {},
  },
  {
    name: "typescript",
    script: "typescript.mjs",
    packages: ["typescript"],
    neverSettles: {},
  },
  {
    name: "async",
    script: "async.mjs",
    packages: ["p-queue", "p-map", "p-limit", "p-retry", "p-timeout", "p-settle", "p-all", "yocto-queue", "eventemitter3"],
    exitCode: 3,
    neverSettles: {
      // p-map links each runner to its result with `runner.then(() => new Promise(() => {}))` so
      // async stack traces reach the caller; that arrow returns a promise that never settles.
      "node_modules/p-map/index::<anonymous>:257 (node_modules/p-map/index.js:257)": "p-map 7.1.1 index.js:257 returns `new Promise(() => {})` on purpose",
    },
  },
  {
    name: "deep",
    script: "deep.mjs",
    packages: ["@babel/parser"],
    neverSettles: {},
    knownDifferences: {
      // Every instrumented function keeps a span's locals and a try/finally on its frame.
      output:
        "recursion near the stack limit overflows sooner: @babel/parser parses an expression nested 300 deep plain, " +
        "and throws RangeError: Maximum call stack size exceeded instrumented (about 30% fewer frames fit)",
    },
  },
  {
    name: "crash",
    script: "crash.mjs",
    packages: ["p-map", "p-retry"],
    exitCode: 1,
    neverSettles: {
      "node_modules/p-map/index::<anonymous>:257 (node_modules/p-map/index.js:257)": "p-map 7.1.1 index.js:257 returns `new Promise(() => {})` on purpose",
    },
    knownDifferences: {
      // Node's report of the uncaught error names the same error and message, and the exit code
      // is the same; its stack is printed by Node's source-map support (spanfn run uses
      // --enable-source-maps so frames point at the original lines), which formats differently.
      stderr:
        "Node's --enable-source-maps report: ES module frames as paths, not file:// URLs; an unnamed function as `<anonymous> (…)`; " +
        "an async frame's column at its `await` (p-map/index.js:209:17, not :20); a blank line after the source excerpt",
    },
  },
];
