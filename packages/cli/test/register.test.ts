/**
 * `node --import @spanfn/cli/register`: the preload of `spanfn run` on its own, configured by the
 * SPANFN_* variables; `spanfn run` hands its options to the same preload through them.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseChromeTrace } from "../../tracing/src/index.js";
import { asPairs } from "../../tracing/test/chrome-pairs.js";
import { envFromOptions, globs, optionsFromEnv } from "../src/env.js";
import { TsconfigPaths, type GetTsconfig } from "../src/paths.js";

const PROGRAM = join(__dirname, "programs", "register");
const BIN = join(__dirname, "../bin/spanfn.js");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-register-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment without any SPANFN_* variable the test run itself may have. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("SPANFN_")) env[name] = value;
  return { ...env, SPANFN_CACHE_DIR: join(scratch, "cache"), ...extra };
}

function node(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, args, { cwd: PROGRAM, encoding: "utf8", timeout: 60000, env: cleanEnv(env) });
  if (result.error) throw result.error;
  return result;
}

function spanNames(file: string): string[] {
  return asPairs(parseChromeTrace(readFileSync(file, "utf8")))
    .filter((e) => e.ph === "B")
    .map((e) => e.name!)
    .sort();
}

describe("node --import @spanfn/cli/register", () => {
  test("SPANFN_ALL and SPANFN_OUT: every function of a TypeScript program traced into the file", () => {
    const out = join(scratch, "all.json");
    const result = node(["--import", "@spanfn/cli/register", "main.ts"], { SPANFN_ALL: "1", SPANFN_OUT: out });
    expect(result.stdout).toBe("result 60\n");
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`spanfn: trace written to ${out}`);
    expect(spanNames(out)).toEqual(["main::marked", "main::plain"]);
  });

  test("no variables: marked functions only, into spanfn-trace.json in the working directory", () => {
    const out = join(PROGRAM, "spanfn-trace.json");
    rmSync(out, { force: true });
    try {
      const result = node(["--import", "@spanfn/cli/register", "main.ts"], { SPANFN_QUIET: "1" });
      expect(result.stdout).toBe("result 60\n");
      expect(result.stderr).toBe("");
      expect(spanNames(out)).toEqual(["main::marked"]);
    } finally {
      rmSync(out, { force: true });
    }
  });

  test("a value it cannot read: a warning naming the variable, its default used, the program unharmed", () => {
    const out = join(scratch, "bad.json");
    const result = node(["--import", "@spanfn/cli/register", "main.ts"], {
      SPANFN_OUT: out,
      SPANFN_ALL: "maybe",
      SPANFN_TOP: "lots",
      SPANFN_OTLP: "ftp://collector",
      SPANFN_QUIET: "2",
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("result 60\n");
    const warnings = result.stderr.split("\n").filter((line) => line.startsWith("spanfn: SPANFN_"));
    expect(warnings).toEqual([
      'spanfn: SPANFN_OTLP takes 1 to export over OTLP/HTTP to the endpoint the OTEL_EXPORTER_OTLP_* variables name, or the collector\'s http(s) URL; got "ftp://collector"; not exporting',
      'spanfn: SPANFN_TOP takes a positive whole number: rows in the summary at exit; got "lots"; using 15',
      'spanfn: SPANFN_ALL takes 1 to instrument every function, 0 for marked ones only; got "maybe"; using 0',
      'spanfn: SPANFN_QUIET takes 1 for no summary at exit; got "2"; using 0',
    ]);
    // Not quiet (the default), marked functions only (the default), no export: a trace file.
    expect(result.stderr).toContain(`spanfn: trace written to ${out}`);
    expect(spanNames(out)).toEqual(["main::marked"]);
  });

  test("given in NODE_OPTIONS, on an empty cache: spanfn's own threads load no preload, the program's thread does", () => {
    // A worker applies NODE_OPTIONS from its env: the writer (and, where the hooks run on the
    // program's thread, the compile thread) would load the preload too, and a compile thread
    // start another, without end.
    const out = join(scratch, "node-options.json");
    const loaded = join(scratch, "node-options-probe.txt");
    const probe = join(scratch, "probe.mjs");
    writeFileSync(probe, 'import { appendFileSync } from "node:fs";\nimport { isMainThread } from "node:worker_threads";\nappendFileSync(process.env.PROBE_OUT, isMainThread ? "main\\n" : "worker\\n");\n');
    const result = node(["main.ts"], {
      NODE_OPTIONS: `--import @spanfn/cli/register --import ${pathToFileURL(probe).href}`,
      PROBE_OUT: loaded,
      SPANFN_ALL: "1",
      SPANFN_OUT: out,
      SPANFN_CACHE_DIR: join(scratch, "node-options-cache"),
    });
    expect(result.stdout).toBe("result 60\n");
    expect(result.status).toBe(0);
    expect(readFileSync(loaded, "utf8")).toBe("main\n");
    expect(spanNames(out)).toEqual(["main::marked", "main::plain"]);
  });

  test("SPANFN_ENABLED=0: nothing loaded, the program runs as without spanfn", () => {
    const out = join(scratch, "disabled.json");
    const result = node(["--import", "@spanfn/cli/register", "-e", 'console.log("plain")'], { SPANFN_ENABLED: "0", SPANFN_OUT: out });
    expect(result.stdout).toBe("plain\n");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  test("spanfn run's flags reach the preload as the variables, and win over inherited ones", () => {
    const out = join(scratch, "run.json");
    // Inherited SPANFN_ALL=1 and SPANFN_OUT are spanfn run's to set: without --all, marked only.
    const result = spawnSync(process.execPath, [BIN, "run", "--quiet", "--out", out, "main.ts"], {
      cwd: PROGRAM,
      encoding: "utf8",
      timeout: 60000,
      env: cleanEnv({ SPANFN_ALL: "1", SPANFN_OUT: join(scratch, "elsewhere.json") }),
    });
    expect(result.stdout).toBe("result 60\n");
    expect(result.stderr).toBe("");
    expect(spanNames(out)).toEqual(["main::marked"]);
    expect(existsSync(join(scratch, "elsewhere.json"))).toBe(false);
  });
});

describe("the SPANFN_* variables", () => {
  const quiet = () => {
    throw new Error("no warning expected");
  };

  test("spanfn run's options survive the trip through the variables", () => {
    const run = {
      all: true,
      out: "traces/t.pftrace",
      writeTrace: true,
      include: ["src/{a,b}/**", "lib/**"],
      exclude: ["**/*.test.ts"],
      nodeModules: true,
      top: 7,
      quiet: true,
      html: "report.html",
      otlp: "http://localhost:4318/v1/traces",
      demote: false,
      cache: false,
    };
    const env = Object.fromEntries(Object.entries(envFromOptions(run)).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const options = optionsFromEnv(env, quiet, "/elsewhere", "/app/server.ts");
    expect(options).toEqual({
      ...run,
      out: resolve("traces/t.pftrace"),
      html: resolve("report.html"),
      enabled: true,
      root: process.cwd(),
      serviceName: "server",
      cacheDir: undefined,
    });
  });

  test("--otlp alone: the default endpoint, no trace file; an inherited SPANFN_OUT removed", () => {
    const env = envFromOptions({ all: false, out: "spanfn-trace.json", writeTrace: false, include: [], exclude: [], nodeModules: false, top: 15, quiet: false, html: undefined, otlp: "", demote: true, cache: true });
    expect(env.SPANFN_OTLP).toBe("1");
    expect("SPANFN_OUT" in env && env.SPANFN_OUT === undefined).toBe(true);
    expect("SPANFN_CACHE" in env).toBe(false);
    const options = optionsFromEnv({ SPANFN_OTLP: "1" }, quiet, "/w");
    expect(options.otlp).toBe("");
    expect(options.writeTrace).toBe(false);
    expect(optionsFromEnv({ SPANFN_OTLP: "true", SPANFN_HTML: "r.html" }, quiet, "/w").writeTrace).toBe(true);
  });

  test("paths are relative to the working directory; booleans read 1/0, true/false, yes/no, on/off", () => {
    const options = optionsFromEnv({ SPANFN_OUT: "t.json", SPANFN_CACHE_DIR: "c", SPANFN_ALL: "Yes", SPANFN_DEMOTE: "off", SPANFN_CACHE: "0" }, quiet, "/w");
    expect([options.out, options.cacheDir, options.all, options.demote, options.cache]).toEqual(["/w/t.json", "/w/c", true, false, false]);
    expect(optionsFromEnv({}, quiet, "/w").out).toBe("/w/spanfn-trace.json");
  });

  test("globs split at commas outside braces", () => {
    expect(globs("src/**, {a,b}/*.ts,,lib/{x,{y,z}}/**")).toEqual(["src/**", "{a,b}/*.ts", "lib/{x,{y,z}}/**"]);
    expect(globs(undefined)).toEqual([]);
  });
});

describe("tsconfig paths", () => {
  const PROGRAMS = join(__dirname, "programs");
  const run = (program: string, flags: string[] = []) => {
    const out = join(scratch, `${program}${flags.join("")}.json`);
    const result = spawnSync(process.execPath, [BIN, "run", "--all", ...flags, "--quiet", "--out", out, "main.ts"], {
      cwd: join(PROGRAMS, program),
      encoding: "utf8",
      timeout: 60000,
      env: cleanEnv({}),
    });
    if (result.error) throw result.error;
    return { ...result, out };
  };

  test("ESM: aliases (a wildcard, a .js name for a .ts file, an exact key) resolve and their modules are instrumented", () => {
    const result = run("paths-esm");
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("hi ada deep\n");
    expect(spanNames(result.out)).toEqual(["src/lib/hi::hi", "src/lib/nested/deep::deep"]);
  });

  test("with node_modules instrumented too: the aliases resolve, and only the program's functions are traced", () => {
    const result = run("paths-esm", ["--node-modules"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("hi ada deep\n");
    expect(spanNames(result.out)).toEqual(["src/lib/hi::hi", "src/lib/nested/deep::deep"]);
  });

  test("get-tsconfig is loaded at the first bare import under a tsconfig.json, once, and never without one", () => {
    const dir = mkdtempSync(join(scratch, "tsconfig-"));
    let loads = 0;
    const load = () => {
      loads++;
      return require("get-tsconfig") as GetTsconfig;
    };
    const paths = new TsconfigPaths(() => {}, load);
    expect(paths.candidates("@lib/a", join(dir, "main.ts"))).toEqual([]);
    expect(loads).toBe(0);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } }));
    const fresh = new TsconfigPaths(() => {}, load);
    expect(fresh.candidates("./relative", join(dir, "main.ts"))).toEqual([]);
    expect(loads).toBe(0);
    expect(fresh.candidates("@lib/a", join(dir, "main.ts"))).toEqual([join(dir, "lib", "a")]);
    expect(fresh.candidates("@lib/b", join(dir, "sub", "main.ts"))).toEqual([join(dir, "lib", "b")]);
    expect(loads).toBe(1);
  });

  test("CommonJS: an alias imported from TypeScript and one required from JavaScript, paths from an extended tsconfig", () => {
    const result = run("paths-cjs");
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("42\n");
    expect(spanNames(result.out)).toEqual(["src/lib/plus-one::plusOne", "src/lib/twice::twice"]);
  });

  test("a tsconfig that cannot be read: a warning naming it, and the program runs", () => {
    const result = run("paths-bad");
    expect(result.stdout).toBe("hi true\n");
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`spanfn: ${join(PROGRAMS, "paths-bad", "tsconfig.json")}: File './missing.json' not found.; its paths aliases are not applied\n`);
  });
});
