/** The command line as parsed (args.ts), and the conventions end to end through the built bin. */
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, REPORT_HELP, RUN_HELP, UsageError, type RunOptions } from "../src/args.js";

const BIN = join(__dirname, "../bin/spanfn.js");

function run(argv: string[]): RunOptions {
  const command = parseArgs(["run", ...argv]);
  if (command.command !== "run") throw new Error(`not run: ${command.command}`);
  return command;
}

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
}

describe("spanfn run's command line", () => {
  test("--opt value and --opt=value mean the same", () => {
    const spaced = run(["--out", "t.json", "--top", "3", "--html", "r.html", "--include", "src/**", "--include", "lib/**", "main.js"]);
    const joined = run(["--out=t.json", "--top=3", "--html=r.html", "--include=src/**", "--include=lib/**", "main.js"]);
    expect(joined).toEqual(spaced);
    expect(spaced).toMatchObject({ out: "t.json", top: 3, html: "r.html", include: ["src/**", "lib/**"], script: "main.js", args: [] });
  });

  test("arguments from the script on are the program's, options included; -- ends spanfn's options", () => {
    expect(run(["--all", "main.js", "--out", "x", "--help", "-v"])).toMatchObject({ all: true, script: "main.js", args: ["--out", "x", "--help", "-v"], out: "spanfn-trace.json" });
    expect(run(["--quiet", "--", "--weird-name.js", "a"])).toMatchObject({ quiet: true, script: "--weird-name.js", args: ["a"] });
    expect(run(["--", "main.js", "--", "b"])).toMatchObject({ script: "main.js", args: ["--", "b"] });
  });

  test("every switch of today still works", () => {
    expect(run(["--all", "--node-modules", "--quiet", "--no-demote", "--no-cache", "--exclude", "x/**", "m.js"])).toMatchObject({
      all: true,
      nodeModules: true,
      quiet: true,
      demote: false,
      cache: false,
      exclude: ["x/**"],
    });
    expect(run(["m.js"])).toMatchObject({ all: false, nodeModules: false, quiet: false, demote: true, cache: true, otlp: undefined, writeTrace: true });
  });

  test("--otlp takes an optional URL: a following http(s) URL is its value, a script is not", () => {
    expect(run(["--otlp", "main.js", "x"])).toMatchObject({ otlp: "", script: "main.js", args: ["x"], writeTrace: false });
    expect(run(["--otlp", "http://collector:4318/v1/traces", "main.js"])).toMatchObject({ otlp: "http://collector:4318/v1/traces", script: "main.js" });
    expect(run(["--otlp=https://c:4318", "main.js"])).toMatchObject({ otlp: "https://c:4318" });
    expect(run(["--otlp", "--out", "t.json", "main.js"])).toMatchObject({ otlp: "", out: "t.json", writeTrace: true });
    expect(run(["--otlp", "--html", "r.html", "main.js"])).toMatchObject({ otlp: "", writeTrace: true });
    expect(usageError(["run", "--otlp", "grpc://c:4317", "main.js"])).toMatch(/must start with http:\/\/ or https:\/\/; got grpc:\/\/c:4317/);
    expect(usageError(["run", "--otlp=localhost:4318", "main.js"])).toMatch(/must start with http/);
  });

  test("errors name the option and suggest the closest", () => {
    expect(usageError(["run", "--outt", "t.json", "m.js"])).toBe("unknown option --outt for spanfn run; did you mean --out? (spanfn run --help lists them)");
    expect(usageError(["run", "--no-cahce", "m.js"])).toContain("did you mean --no-cache?");
    expect(usageError(["run", "--quite", "m.js"])).toContain("did you mean --quiet?");
    expect(usageError(["run", "--frobnicate", "m.js"])).toBe("unknown option --frobnicate for spanfn run (spanfn run --help lists them)");
    expect(usageError(["run", "-x", "m.js"])).toContain("unknown option -x for spanfn run");
    expect(usageError(["report", "--jsn", "t.json"])).toContain("unknown option --jsn for spanfn report; did you mean --json?");
    expect(usageError(["report", "--sort", "totl", "t.json"])).toBe("--sort takes one of total, self, count, mean, p99, max; got totl; did you mean total?");
    expect(usageError(["reprot", "t.json"])).toBe('unknown command "reprot"; did you mean report?; the commands are run and report (spanfn --help)');
    expect(usageError(["--verison"])).toContain("did you mean --version?");
  });

  test("values missing, or given to a switch, are named", () => {
    expect(usageError(["run", "--out"])).toBe("--out needs a value: --out <value> or --out=<value>");
    expect(usageError(["run", "--out", "--all", "m.js"])).toBe("--out needs a value; got the option --all (write --out=--all if that is the value)");
    expect(usageError(["run", "--all=yes", "m.js"])).toBe("--all takes no value; got --all=yes");
    expect(usageError(["run", "--top", "0", "m.js"])).toBe("--top takes a positive whole number; got 0");
    expect(usageError(["run", "--top=", "m.js"])).toBe("--top takes a positive whole number; got nothing");
    expect(usageError(["run"])).toContain("spanfn run needs a script");
    expect(usageError(["run", "--all", "--"])).toContain("spanfn run needs a script");
  });
});

describe("spanfn report's command line", () => {
  test("options before or after the file, --opt=value", () => {
    expect(parseArgs(["report", "t.json", "--json", "--sort=self", "--top=4"])).toEqual({ command: "report", file: "t.json", json: true, sort: "self", top: 4, html: undefined });
    expect(parseArgs(["report", "--html", "r.html", "t.json"])).toMatchObject({ file: "t.json", html: "r.html" });
  });

  test("--diff takes two files", () => {
    expect(parseArgs(["report", "--diff", "a.json", "b.json", "--sort", "self"])).toEqual({ command: "diff", before: "a.json", after: "b.json", json: false, sort: "self", top: 15 });
    expect(usageError(["report", "--diff", "a.json"])).toContain("takes two trace files, before and after; got 1");
    expect(usageError(["report", "a.json", "b.json"])).toContain("takes one trace file; got a.json and b.json (--diff compares two)");
  });
});

describe("help and version", () => {
  test("each command has its --help and -h; spanfn help <command> says the same", () => {
    for (const [argv, text] of [
      [["run", "--help"], RUN_HELP],
      [["run", "-h"], RUN_HELP],
      [["run", "--all", "-h", "main.js"], RUN_HELP],
      [["report", "--help"], REPORT_HELP],
      [["report", "-h", "t.json"], REPORT_HELP],
      [["help", "run"], RUN_HELP],
    ] as const) {
      expect(parseArgs([...argv])).toEqual({ command: "help", text });
    }
    expect(RUN_HELP).toContain("--otlp[=<url>]");
    expect(REPORT_HELP).toContain("--diff");
  });

  test("through the bin: --version and -v print the package's version, --help exits 0, errors exit 2 on one line", () => {
    const version = (JSON.parse(readFileSync(join(__dirname, "../package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-v"]) {
      const result = spawnSync(process.execPath, [BIN, flag], { encoding: "utf8" });
      expect([result.status, result.stdout]).toEqual([0, `${version}\n`]);
    }
    const help = spawnSync(process.execPath, [BIN, "run", "--help"], { encoding: "utf8" });
    expect([help.status, help.stdout]).toEqual([0, RUN_HELP]);
    const bad = spawnSync(process.execPath, [BIN, "run", "--outt=t.json", "main.js"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("spanfn: unknown option --outt for spanfn run; did you mean --out? (spanfn run --help lists them)\n");
  });
});
