/**
 * `spanfn run` and `spanfn report` end to end: the built CLI spawned on small programs (ESM
 * TypeScript with extensionless and `.js`-naming-`.ts` imports, CommonJS), checking the program's
 * own output and exit code, the trace file, and the summary against the events.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import Module from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseChromeTrace, type ChromeTraceEvent } from "../../tracing/src/index.js";
import { asPairs } from "../../tracing/test/chrome-pairs.js";

const BIN = join(__dirname, "../bin/spanfn.js");
const PROGRAMS = join(__dirname, "programs");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The transform cache of this run's own, so that no earlier run's entries stand in for compiling.
const CACHE = { SPANFN_CACHE_DIR: join(scratch, "cache") };

function spanfn(args: string[], env: Record<string, string> = {}, cwd = PROGRAMS) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 30000, env: { ...process.env, ...CACHE, ...env } });
  if (result.error) throw result.error;
  return result;
}

/** The trace's events, each X as its B and E. */
function trace(file: string): ChromeTraceEvent[] {
  return asPairs(parseChromeTrace(readFileSync(file, "utf8")));
}

describe("spanfn run", () => {
  test("a TypeScript ESM program: same output and exit code, a trace with its spans, a summary on stderr", () => {
    const out = join(scratch, "esm.json");
    const result = spanfn(["run", "--all", "--out", out, "main.ts", "one", "two"], { EXIT_CODE: "3" }, join(PROGRAMS, "esm-ts"));
    expect(result.stdout).toBe("HELLO ADA\nHELLO LINUS\nargs: one two\n");
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`spanfn: trace written to ${out}`);
    expect(result.stderr).toMatch(/top \d+ spans by total time/);

    const events = trace(out);
    const greets = events.filter((e) => e.ph === "b" && e.name === "main::SlowGreeter.greet");
    expect(greets).toHaveLength(2);
    const main = events.find((e) => e.ph === "b" && e.name === "main::main")!;
    for (const g of greets) expect((g.args as { parent: number }).parent).toBe(Number(main.id));
    const shout = events.filter((e) => e.ph === "B" && e.name === "text::shout");
    expect(shout).toHaveLength(2);
    // The summary's numbers are the trace's: greet count and its max, in ms.
    const ends = new Map(events.filter((e) => e.ph === "e").map((e) => [e.id, e.ts!]));
    const durations = greets.map((g) => (ends.get(g.id)! - g.ts!) / 1000);
    const row = result.stderr.split("\n").find((l) => l.startsWith("main::SlowGreeter.greet"))!;
    const cells = row.trim().split(/\s+/);
    expect(cells.slice(1, 3)).toEqual(["async", "2"]);
    expect(Number(cells[8])).toBeCloseTo(Math.max(...durations), 2);
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(8);
  });

  test("a hot, tiny function keeps an exact call count, demoted or not; --no-demote keeps every span", () => {
    const out = join(scratch, "hot.json");
    const result = spanfn(["run", "--all", "--out", out, "main.mjs"], {}, join(PROGRAMS, "hot"));
    expect(result.status).toBe(0);
    const report = spanfn(["report", "--json", out]);
    const summary = JSON.parse(report.stdout) as { spans: Array<{ name: string; count: number; demotedCalls: number }>; demoted: unknown[] };
    const tiny = summary.spans.find((s) => s.name === "main::tiny")!;
    // Whether it was demoted depends on how fast the machine ran it; the count never does.
    expect(tiny.count).toBe(20000);
    const spans = trace(out).filter((e) => e.ph === "B" && e.name === "main::tiny").length;
    expect(spans + tiny.demotedCalls).toBe(20000);
    if (tiny.demotedCalls > 0) expect(result.stderr).toMatch(/\* demoted: 1 hot functions/);

    const all = join(scratch, "hot-all.json");
    expect(spanfn(["run", "--all", "--no-demote", "--out", all, "main.mjs"], {}, join(PROGRAMS, "hot")).status).toBe(0);
    expect(trace(all).filter((e) => e.ph === "B" && e.name === "main::tiny")).toHaveLength(20000);
  });

  test("what a run demoted, the next run of the program counts from the first call, until its file changes; --no-cache judges afresh", () => {
    const dir = join(scratch, "learning");
    cpSync(join(PROGRAMS, "hot"), dir, { recursive: true });
    const cacheDir = join(scratch, "learning-cache");
    const run = (...flags: string[]) => {
      const out = join(scratch, "learning.json");
      const result = spanfn(["run", "--all", ...flags, "--out", out, "main.mjs"], { SPANFN_CACHE_DIR: cacheDir }, dir);
      expect(result.status).toBe(0);
      const summary = JSON.parse(spanfn(["report", "--json", out]).stdout) as {
        spans: Array<{ name: string; count: number }>;
        demoted: Array<{ name: string; calls: number }>;
      };
      const spans = trace(out).filter((e) => e.ph === "B" && e.name === "main::tiny").length;
      const counted = summary.demoted.find((d) => d.name === "main::tiny")?.calls ?? 0;
      // Its row in the summary has every call, recorded or counted.
      expect(summary.spans.find((row) => row.name === "main::tiny")?.count).toBe(20000);
      return { spans, counted, learned: /1 of them counted from their first call, as an earlier run of this program demoted them/.test(result.stderr) };
    };
    // Twenty thousand calls of a few nanoseconds each: demoted within the first blocks.
    const first = run();
    expect(first.counted).toBeGreaterThan(0);
    expect(first.spans + first.counted).toBe(20000);
    expect(first.learned).toBe(false);
    expect(run()).toEqual({ spans: 0, counted: 20000, learned: true });

    writeFileSync(join(dir, "main.mjs"), readFileSync(join(dir, "main.mjs"), "utf8") + "// changed\n");
    const changed = run();
    expect(changed.spans).toBeGreaterThan(0);
    expect(changed.spans + changed.counted).toBe(20000);
    expect(changed.learned).toBe(false);
    expect(run("--no-cache").spans).toBeGreaterThan(0);
    expect(run().learned).toBe(true);

    // A damaged profile is no profile.
    for (const name of readdirSync(cacheDir).filter((n) => n.startsWith("demoted-"))) writeFileSync(join(cacheDir, name), "{ not json");
    const damaged = run();
    expect(damaged.spans).toBeGreaterThan(0);
    expect(damaged.learned).toBe(false);
  });

  test("functions of one name are one row of the summary: the line on learned demotions counts them the same way", () => {
    const dir = join(scratch, "twins");
    mkdirSync(dir, { recursive: true });
    // Two nested functions both named tiny: two sites, one name.
    writeFileSync(
      join(dir, "main.mjs"),
      [
        "function a(n) { function tiny(x) { return (x * 31 + 7) & 0xffff; } let s = 0; for (let i = 0; i < n; i++) s = (s + tiny(i)) | 0; return s; }",
        "function b(n) { function tiny(x) { return (x * 17 + 3) & 0xffff; } let s = 0; for (let i = 0; i < n; i++) s = (s + tiny(i)) | 0; return s; }",
        "console.log(a(20000) + b(20000));",
        "",
      ].join("\n"),
    );
    const cacheDir = join(scratch, "twins-cache");
    const run = () => spanfn(["run", "--all", "--out", join(scratch, "twins.json"), "main.mjs"], { SPANFN_CACHE_DIR: cacheDir }, dir);
    expect(run().status).toBe(0);
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/\* demoted: 1 hot functions /);
    expect(second.stderr).toMatch(/\n {2}1 of them counted from their first call/);
  });

  test("an uncaught error: Node's own report, its exit code, and the trace still written", () => {
    const out = join(scratch, "fail.json");
    const result = spanfn(["run", "--all", "--out", out, "main.ts", "--fail"], {}, join(PROGRAMS, "esm-ts"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Error: failing on purpose");
    // Source maps keep the original file and line in the stack.
    expect(result.stderr).toMatch(/esm-ts\/main\.ts:19/);
    expect(trace(out).some((e) => e.name === "main::main")).toBe(true);
  });

  test("a CommonJS program, marked functions only, process.exit", () => {
    const out = join(scratch, "cjs.json");
    const result = spanfn(["run", "--out", out, "--quiet", "main.js", "4"], {}, join(PROGRAMS, "cjs"));
    expect(result.stdout).toBe("12\n");
    expect(result.status).toBe(4);
    expect(result.stderr).toBe("");
    const names = trace(out).filter((e) => e.ph === "B").map((e) => e.name);
    expect(names).toEqual(["main::compute", "math::sum"]);
  });

  test("--node-modules: spanfn's own Babel, loading its plugins mid-transform, is left alone", () => {
    // Found by the real-code suite: the first CommonJS module made Babel load its CommonJS plugin,
    // the require hook sent that plugin through Babel, and Babel refused ("Reentrant plugin").
    const out = join(scratch, "cjs-node-modules.json");
    const result = spanfn(["run", "--all", "--node-modules", "--quiet", "--out", out, "main.js", "4"], {}, join(PROGRAMS, "cjs"));
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("12\n");
    expect(result.status).toBe(4);
    const names = new Set(trace(out).filter((e) => e.ph === "B").map((e) => e.name));
    expect([...names]).toEqual(["main::compute", "math::sum", "math::<anonymous>:3"]);
  });

  test("--include with --node-modules instruments the files the globs name, and no other package", () => {
    const dir = join(scratch, "include");
    rmSync(dir, { recursive: true, force: true });
    for (const name of ["chosen", "other"]) {
      mkdirSync(join(dir, "node_modules", name), { recursive: true });
      writeFileSync(join(dir, "node_modules", name, "index.js"), `module.exports = function ${name}() { return 1; };\n`);
    }
    writeFileSync(join(dir, "main.js"), 'const chosen = require("chosen");\nconst other = require("other");\nfunction main() { return chosen() + other(); }\nconsole.log(main());\n');
    const out = join(scratch, "include.json");
    const result = spanfn(["run", "--all", "--node-modules", "--include", "node_modules/chosen/**", "--quiet", "--out", out, "main.js"], {}, dir);
    expect(result.stdout).toBe("2\n");
    expect(trace(out).filter((e) => e.ph === "B").map((e) => e.name)).toEqual(["node_modules/chosen/index::chosen"]);
  });

  test("the program's thread never loads Babel: its CommonJS modules are compiled on the hooks thread", () => {
    const dir = join(scratch, "no-babel-here");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "helper.cjs"), "exports.twice = function twice(x) { return 2 * x; };\n");
    writeFileSync(
      join(dir, "main.cjs"),
      [
        'const { twice } = require("./helper.cjs");',
        "function main() { return twice(21); }",
        // Its code, that is: the cache key reads the versions in Babel's package.json files.
        'const babel = Object.keys(require.cache).filter((file) => /[\\\\/]@babel[\\\\/].*\\.js$/.test(file));',
        "console.log(main(), babel.length);",
        "",
      ].join("\n"),
    );
    const out = join(scratch, "no-babel-here.json");
    // Cold (every module compiled) and warm (every module from the cache).
    for (const round of ["cold", "warm"]) {
      const result = spanfn(["run", "--all", "--quiet", "--out", out, "main.cjs"], {}, dir);
      expect([round, result.stdout]).toEqual([round, "42 0\n"]);
      const names = new Set(trace(out).filter((e) => e.ph === "B").map((e) => e.name));
      expect(names).toEqual(new Set(["main::main", "helper::twice", "main::<anonymous>:3"]));
    }
  });

  // Node's hooks thread (module.register) is one more thread to start and a round trip per import;
  // where Node can run the hooks on the program's thread, spanfn starts only the writer, and a
  // thread to compile on only when a module is not in the cache.
  const inThreadHooks = typeof (Module as { registerHooks?: unknown }).registerHooks === "function" && existsSync("/proc/self/task");
  (inThreadHooks ? test : test.skip)("with Node's in-thread module hooks: a short warm run starts no thread of spanfn's, a cold one the compile thread alone", () => {
    const dir = join(scratch, "threads");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(dir, "helper.ts"), "export function twice(x: number): number { return 2 * x; }\n");
    writeFileSync(join(dir, "legacy.cjs"), "exports.one = function one() { return 1; };\n");
    writeFileSync(
      join(dir, "main.ts"),
      [
        'import { readdirSync } from "node:fs";',
        'import { twice } from "./helper";',
        'import { one } from "./legacy.cjs";',
        // Counted once the program is idle: whatever spanfn starts has started by then. (The trace
        // writer's thread would start two seconds after the first block: the trace is written at exit.)
        'setTimeout(() => console.log(twice(one()), readdirSync("/proc/self/task").length), 200);',
        "",
      ].join("\n"),
    );
    const plain = spawnSync(process.execPath, ["-e", 'setTimeout(() => console.log(require("node:fs").readdirSync("/proc/self/task").length), 200)'], { encoding: "utf8" });
    const threads = Number(plain.stdout);
    const out = join(scratch, "threads.json");
    const cache = { SPANFN_CACHE_DIR: join(scratch, "threads-cache") };
    const cold = spanfn(["run", "--all", "--quiet", "--out", out, "main.ts"], cache, dir);
    expect(cold.stdout).toBe(`2 ${threads + 1}\n`);
    const warm = spanfn(["run", "--all", "--quiet", "--out", out, "main.ts"], cache, dir);
    expect(warm.stdout).toBe(`2 ${threads}\n`);
    // The hooks instrumented the TypeScript module and the CommonJS one it imports.
    expect(new Set(trace(out).filter((e) => e.ph === "B").map((e) => e.name))).toEqual(new Set(["helper::twice", "legacy::one", "main::<anonymous>:4"]));
  });

  test("a copy of @spanfn/tracing of the program's own (installed, or a workspace's) is never instrumented, even under --node-modules", () => {
    const dir = join(scratch, "own-runtime");
    rmSync(dir, { recursive: true, force: true });
    // One copy where npm installs it, one outside node_modules as a workspace links it.
    const copies = [join(dir, "node_modules/@spanfn/tracing"), join(dir, "packages/tracing")];
    for (const copy of copies) {
      mkdirSync(copy, { recursive: true });
      cpSync(join(__dirname, "../../tracing/package.json"), join(copy, "package.json"));
      cpSync(join(__dirname, "../../tracing/dist"), join(copy, "dist"), { recursive: true });
    }
    writeFileSync(
      join(dir, "main.cjs"),
      [
        'const installed = require("@spanfn/tracing");',
        'const workspace = require("./packages/tracing");',
        'const site = installed.defineSpan("manual");',
        "function work(tracing) { return tracing.threadSpan(site, () => 21) * 2; }",
        "console.log(work(installed), work(workspace));",
        "",
      ].join("\n"),
    );
    const out = join(scratch, "own-runtime.json");
    const result = spanfn(["run", "--all", "--node-modules", "--quiet", "--out", out, "main.cjs"], {}, dir);
    expect(result.stdout).toBe("42 42\n");
    expect(result.stderr).toBe("");
    const names = trace(out).filter((e) => e.ph === "B").map((e) => e.name);
    expect(names.sort()).toEqual(["main::<anonymous>:4", "main::<anonymous>:4", "main::work", "main::work", "manual", "manual"]);
  });

  test("a TypeScript syntax error in a required module is the program's error, with Babel's message", () => {
    const dir = join(scratch, "ts-syntax");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "broken.cts"), "export const x: number = ;\n");
    writeFileSync(join(dir, "main.cjs"), 'try { require("./broken.cts"); } catch (error) { console.log(error.code, /broken\\.cts/.test(error.message)); }\n');
    const result = spanfn(["run", "--all", "--quiet", "--out", join(scratch, "ts-syntax.json"), "main.cjs"], {}, dir);
    expect(result.stdout).toBe("BABEL_PARSE_ERROR true\n");
  });

  test("stack frames name the source's lines: a package's kept lines, the program's through its source map", () => {
    const dir = join(scratch, "lines");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "node_modules", "thrower"), { recursive: true });
    writeFileSync(
      join(dir, "node_modules", "thrower", "index.js"),
      ["function check(x) {", "  if (x > 1) {", "    return x;", "  }", '  throw new Error("too small");', "}", "module.exports = { check };", ""].join("\n"),
    );
    const program = [
      'const { check } = require("thrower");',
      "function first() {",
      "  try {",
      "    check(0);",
      "  } catch (error) {",
      '    return error.stack.split("\\n").slice(1, 3).join("\\n");',
      "  }",
      "}",
      "console.log(first());",
      "",
    ].join("\n");
    writeFileSync(join(dir, "main.js"), program);
    const out = join(scratch, "lines.json");
    const result = spanfn(["run", "--all", "--node-modules", "--quiet", "--out", out, "main.js"], {}, dir);
    expect(result.stderr).toBe("");
    const [library, own] = result.stdout.trim().split("\n");
    expect(library).toMatch(/node_modules[\\/]thrower[\\/]index\.js:5:/);
    expect(own).toMatch(/main\.js:4:/);
    // The instrumented package did record its span: the lines are right on code that was rewritten.
    expect(trace(out).some((e) => e.ph === "B" && e.name === "node_modules/thrower/index::check")).toBe(true);
  });

  test("a file over 500 KB: no note from Babel on the program's stderr", () => {
    // Found by the real-code suite (typescript.js, @babel/parser): Babel's default `compact: "auto"`
    // printed "[BABEL] Note: The code generator has deoptimised the styling of …" for each.
    const dir = join(scratch, "large");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const body = Array.from({ length: 12_000 }, (_, i) => `function fn${i}(x) { return x + ${i} * 2; }`).join("\n");
    writeFileSync(join(dir, "large.js"), `${body}\nconsole.log(fn11999(1));\n`);
    const out = join(scratch, "large.json");
    const result = spanfn(["run", "--all", "--quiet", "--out", out, "large.js"], {}, dir);
    expect(body.length).toBeGreaterThan(500_000);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("23999\n");
    expect(trace(out).filter((e) => e.ph === "B").map((e) => e.name)).toEqual(["large::fn11999"]);
  });

  test("TypeScript with import syntax in a CommonJS package", () => {
    const out = join(scratch, "cjs-ts.json");
    const result = spanfn(["run", "--all", "--quiet", "--out", out, "main.ts"], {}, join(PROGRAMS, "cjs-ts"));
    expect(result.stdout).toBe("41\n");
    expect(result.status).toBe(0);
    expect(trace(out).filter((e) => e.ph === "B").map((e) => e.name)).toEqual(["main::run", "lib::twice"]);
  });

  test("SIGINT: the program is interrupted, its trace written with the open span unfinished, the signal kept", async () => {
    const out = join(scratch, "sigint.json");
    const child = spawn(process.execPath, [BIN, "run", "--all", "--quiet", "--out", out, "main.js"], { cwd: join(PROGRAMS, "forever"), env: { ...process.env, ...CACHE } });
    let stdout = "";
    await new Promise<void>((ready) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk;
        if (stdout.includes("ready")) ready();
      }),
    );
    child.kill("SIGINT");
    const [code, signal] = await new Promise<[number | null, string | null]>((done) => child.on("exit", (c, s) => done([c, s])));
    expect([code, signal]).toEqual([null, "SIGINT"]);
    const events = trace(out);
    expect(events.find((e) => e.ph === "e" && e.name === "main::serve")!.args).toEqual({ outcome: "unfinished" });
    // The summary counts it as unfinished, not as a finished span of that length.
    const summary = JSON.parse(spanfn(["report", "--json", out]).stdout) as { unfinished: number; spans: Array<{ name: string }> };
    expect(summary.unfinished).toBe(1);
    expect(summary.spans.map((s) => s.name)).not.toContain("main::serve");
  });

  test("the program runs in spanfn's own process and sees what a child would: its arguments, the preload in execArgv and in its workers, source maps, require.main", () => {
    const dir = join(PROGRAMS, "process");
    const args = ["run", "--quiet", "--out", join(scratch, "process.json"), "main.js", "a", "--b"];
    const seen = (result: ReturnType<typeof spawnSync>) => {
      expect([result.status, result.stderr]).toEqual([0, ""]);
      return JSON.parse(String(result.stdout)) as { pid: number };
    };
    const register = join(__dirname, "../dist/esm/register.js");
    const preload = ["--enable-source-maps", "--import", register];
    const here = spanfn(args, {}, dir);
    const inHere = seen(here);
    expect(inHere.pid).toBe(here.pid);
    expect({ ...inHere, pid: 0 }).toEqual({
      pid: 0,
      argv: [join(dir, "main.js"), "a", "--b"],
      execArgv: preload,
      main: true,
      sourceMaps: true,
      preloaded: true,
      // A worker started without an execArgv of its own runs the preload; one given its own does not, as in a child.
      worker: { preloaded: true, execArgv: preload },
      ownExecArgv: { preloaded: false, execArgv: [] },
    });
    expect(trace(join(scratch, "process.json")).filter((e) => e.ph === "b").map((e) => e.name)).toEqual(["main::ask", "main::ask"]);

    // Node options of spanfn's own, or the preload already loaded through NODE_OPTIONS: a child
    // process, where the program sees the same.
    const withOptions = spawnSync(process.execPath, ["--conditions=spanfn-test", BIN, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, ...CACHE } });
    const preloadGiven = spanfn(args, { NODE_OPTIONS: `--import ${pathToFileURL(register).href}`, SPANFN_ENABLED: "0" }, dir);
    for (const result of [withOptions, preloadGiven]) {
      const inChild = seen(result);
      expect(inChild.pid).not.toBe(result.pid);
      // NODE_OPTIONS reaches every worker, even one given an execArgv of its own.
      const own = { execArgv: [], preloaded: result === preloadGiven };
      expect({ ...inChild, pid: 0 }).toEqual({ ...inHere, pid: 0, ownExecArgv: own });
    }
  });

  test("a short synchronous program loads none of the modules only some runs need: child processes, compression, V8's promise hooks, get-tsconfig, and hashing where another thread compiles", () => {
    const out = join(scratch, "startup.json");
    const result = spanfn(["run", "--all", "--out", out, "main.mjs"], {}, join(PROGRAMS, "startup"));
    expect(result.status).toBe(0);
    const seen = JSON.parse(result.stdout) as { sum: number; pid: number; builtins: string[]; getTsconfig: boolean };
    expect([seen.sum, seen.pid]).toEqual([328350, result.pid]);
    expect(seen.builtins).toContain("worker_threads");
    expect(seen.builtins.filter((name) => ["child_process", "zlib", "v8", "process"].includes(name))).toEqual([]);
    // Without module.registerHooks the hooks thread compiles and caches the program's ES modules:
    // nothing on the program's thread hashes.
    if (!("registerHooks" in Module)) expect(seen.builtins).not.toContain("crypto");
    expect(seen.getTsconfig).toBe(false);
    expect(trace(out).filter((e) => e.ph === "B").map((e) => e.name)).toContain("main::square");
  });

  test("a program whose format Node would read from its syntax (a .js file, no package type) runs in a child", () => {
    const result = spanfn(["run", "--quiet", "--out", join(scratch, "untyped.json"), "main.js"], {}, join(PROGRAMS, "untyped"));
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect((JSON.parse(result.stdout) as { pid: number }).pid).not.toBe(result.pid);
    expect(trace(join(scratch, "untyped.json")).filter((e) => e.ph === "B").map((e) => e.name)).toEqual(["main::main"]);
  });

  test("ES module syntax in a .js file with no package type: an ES module, as Node takes it, its imports too", () => {
    const dir = join(PROGRAMS, "untyped-esm");
    const plain = spawnSync(process.execPath, ["main.js"], { cwd: dir, encoding: "utf8" });
    const result = spanfn(["run", "--quiet", "--out", join(scratch, "untyped-esm.json"), "main.js"], {}, dir);
    expect([result.status, result.stdout]).toEqual([0, plain.stdout]);
    expect(JSON.parse(result.stdout)).toEqual({ doubled: 42, file: true });
    expect(trace(join(scratch, "untyped-esm.json")).filter((e) => e.ph === "B").map((e) => e.name)).toEqual(["main::main", "double::double"]);
  });

  test("a syntax error in the program is reported as Node reports it", () => {
    const dir = join(PROGRAMS, "syntax");
    const plain = spawnSync(process.execPath, ["bad.js"], { cwd: dir, encoding: "utf8" });
    const traced = spanfn(["run", "--quiet", "--out", join(scratch, "syntax.json"), "bad.js"], {}, dir);
    expect(traced.status).toBe(plain.status);
    expect(traced.stderr).toContain("bad.js:3");
    expect(traced.stderr).toContain("SyntaxError: Unexpected token ';'");
  });

  test("the summary at exit and spanfn report on the file count the same spans and events", () => {
    const out = join(scratch, "counted.json");
    const run = spanfn(["run", "--all", "--out", out, "main.ts"], {}, join(PROGRAMS, "esm-ts"));
    const report = spanfn(["report", out]);
    const counts = (text: string) => /\d+ spans \(\d+ events\); \d+ unfinished/.exec(text)?.[0];
    expect(counts(run.stderr)).toBeDefined();
    expect(counts(report.stdout + report.stderr)).toBe(counts(run.stderr));
  });

  test("--html at exit writes the report beside the trace", () => {
    const html = join(scratch, "run.html");
    const result = spanfn(["run", "--all", "--out", join(scratch, "run.json"), "--html", html, "main.ts"], {}, join(PROGRAMS, "esm-ts"));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`and ${html}`);
    expect(readFileSync(html, "utf8")).toContain("main::SlowGreeter.greet");
  });

  test("a program that calls install() itself: the file that holds its trace is named, and no header-only file is left", () => {
    const dir = join(PROGRAMS, "self-install");
    const out = join(scratch, "self.json");
    const own = join(scratch, "own.json");
    const apart = spanfn(["run", "--out", out, "main.mjs"], { OWN_TRACE: own }, dir);
    expect([apart.status, apart.stdout]).toEqual([0, "2498500\n"]);
    expect(apart.stderr).toContain(`spanfn: the program called install() itself, so its spans went to ${own}, not to ${out} (removed: it held no spans)`);
    expect(existsSync(out)).toBe(false);
    expect(trace(own).filter((e) => e.ph === "B").map((e) => e.name)).toEqual(["main::work", "main::work"]);

    const same = spanfn(["run", "--out", out, "main.mjs"], { OWN_TRACE: out }, dir);
    expect(same.status).toBe(0);
    expect(same.stderr).toContain(`spanfn: the program called install() itself, with the same trace file: ${out} is its trace`);
    expect(same.stderr).toMatch(/main::work +thread +2 /);
    expect(trace(out).filter((e) => e.ph === "E").map((e) => e.name)).toEqual(["main::work", "main::work"]);
    expect(readFileSync(out, "utf8").trimEnd().endsWith("]")).toBe(true);

    // Under --otlp nothing would reach the collector: said, with where the spans went.
    const exporting = spanfn(["run", "--otlp", "http://127.0.0.1:9/v1/traces", "main.mjs"], { OWN_TRACE: own }, dir);
    expect([exporting.status, exporting.stdout]).toEqual([0, "2498500\n"]);
    expect(exporting.stderr).toContain(`spanfn: the program called install() itself, so its spans went to ${own} and none were exported to OpenTelemetry (--otlp)`);
  });

  test("bad command lines fail with one line and status 2", () => {
    for (const [args, message] of [
      [["run"], "spanfn run needs a script"],
      [["run", "--bogus", "x.js"], "unknown option --bogus for spanfn run"],
      [["run", join(scratch, "missing.js")], "no such script"],
      [["frobnicate"], 'unknown command "frobnicate"'],
      [["report"], "spanfn report needs a trace file"],
      [["report", "--sort", "speed", "x.json"], "--sort takes one of"],
    ] as const) {
      const result = spanfn([...args]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(spanfn(["--help"]).stdout).toContain("spanfn run [options] [--] <script> [args...]");
  });
});

describe("spanfn report", () => {
  const file = join(scratch, "hand.json");
  writeFileSync(
    file,
    JSON.stringify({
      traceEvents: [
        { ph: "B", pid: 1, tid: 1, ts: 0, name: "outer" },
        { ph: "B", pid: 1, tid: 1, ts: 1000, name: "inner" },
        { ph: "E", pid: 1, tid: 1, ts: 3000 },
        { ph: "E", pid: 1, tid: 1, ts: 10000 },
        { ph: "X", pid: 1, tid: 2, ts: 0, dur: 500, name: "inner" },
        { ph: "b", pid: 1, tid: 1, ts: 0, id: "1", cat: "x", name: "job" },
        { ph: "e", pid: 1, tid: 1, ts: 4000, id: "1", cat: "x", name: "job" },
      ],
    }),
  );

  test("summarises any Chrome trace: total and self time per span", () => {
    const result = spanfn(["report", "--json", file]);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as { spans: Array<Record<string, unknown>> };
    const byName = Object.fromEntries(summary.spans.map((s) => [`${s.kind} ${s.name}`, s]));
    expect(byName["thread outer"]).toMatchObject({ count: 1, total: 10000, self: 8000 });
    expect(byName["thread inner"]).toMatchObject({ count: 2, total: 2500, self: 2500, max: 2000 });
    expect(byName["async job"]).toMatchObject({ count: 1, total: 4000 });
  });

  test("another tool's trace: nested X events (Chrome writes each at its begin, before what is inside it), async ids in id2, async spans nested under one id", () => {
    const devtools = join(scratch, "devtools.json");
    writeFileSync(
      devtools,
      JSON.stringify({
        metadata: { source: "DevTools" },
        traceEvents: [
          { ph: "M", pid: 9, tid: 1, ts: 0, name: "thread_name", args: { name: "CrRendererMain" } },
          { ph: "X", pid: 9, tid: 1, ts: 1000, dur: 120, name: "RunTask", cat: "devtools.timeline" },
          { ph: "X", pid: 9, tid: 1, ts: 1010, dur: 50, name: "FunctionCall" },
          { ph: "X", pid: 9, tid: 1, ts: 1020, dur: 10, name: "GC" },
          { ph: "I", pid: 9, tid: 1, ts: 1050, s: "t", name: "UpdateCounters" },
          { ph: "X", pid: 9, tid: 1, ts: 1070, dur: 30, name: "FunctionCall" },
          { ph: "X", pid: 9, tid: 1, ts: 2000, dur: 40, name: "RunTask" },
          // Async spans keyed by id2, two at once.
          { ph: "b", pid: 9, tid: 1, ts: 1100, name: "Load", cat: "loading", id2: { local: "0x5" } },
          { ph: "b", pid: 9, tid: 1, ts: 1150, name: "Load", cat: "loading", id2: { local: "0x6" } },
          { ph: "e", pid: 9, tid: 1, ts: 1300, name: "Load", cat: "loading", id2: { local: "0x6" } },
          { ph: "e", pid: 9, tid: 1, ts: 1900, name: "Load", cat: "loading", id2: { local: "0x5" } },
          // Nestable async spans: the child shares its parent's id.
          { ph: "b", pid: 9, tid: 1, ts: 3000, name: "Navigation", cat: "nav", id: "0x7" },
          { ph: "b", pid: 9, tid: 1, ts: 3100, name: "Fetch", cat: "nav", id: "0x7" },
          { ph: "e", pid: 9, tid: 1, ts: 3400, name: "Fetch", cat: "nav", id: "0x7" },
          { ph: "e", pid: 9, tid: 1, ts: 3900, name: "Navigation", cat: "nav", id: "0x7" },
        ],
      }),
    );
    const result = spanfn(["report", "--json", devtools]);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as { spans: Array<Record<string, unknown>>; events: number; unfinished: number };
    const byName = Object.fromEntries(summary.spans.map((s) => [s.name, s]));
    expect(byName.RunTask).toMatchObject({ count: 2, total: 160, self: 80 });
    expect(byName.FunctionCall).toMatchObject({ count: 2, total: 80, self: 70 });
    expect(byName.GC).toMatchObject({ count: 1, total: 10, self: 10 });
    expect(byName.Load).toMatchObject({ kind: "async", count: 2, total: 950 });
    expect(byName.Navigation).toMatchObject({ kind: "async", count: 1, total: 900, self: 600 });
    expect(byName.Fetch).toMatchObject({ kind: "async", count: 1, total: 300, self: 300 });
    expect([summary.events, summary.unfinished]).toEqual([18, 0]);
  });

  test("a trace with X events (leaves): report and --html give the counts and times the spans' begins and ends say, as for the same trace in B/E", () => {
    const out = join(scratch, "leaves.json");
    const run = spanfn(["run", "--all", "--quiet", "--out", out, "main.mjs"], {}, join(PROGRAMS, "nested"));
    expect(run.status).toBe(0);
    const written = parseChromeTrace(readFileSync(out, "utf8"));
    expect(written.filter((e) => e.ph === "X").length).toBeGreaterThanOrEqual(6);
    // The same spans as B/E pairs, in a file of their own.
    const pairs = asPairs(written);
    const pairsFile = join(scratch, "leaves-pairs.json");
    writeFileSync(pairsFile, JSON.stringify(pairs));
    // Count, total and self time (µs) of each thread span, worked out here from the begins and ends.
    const expected = new Map<string, { count: number; total: number; self: number }>();
    const stack: { name: string; ts: number; children: number }[] = [];
    for (const e of pairs) {
      if (e.tid !== 0 || (e.ph !== "B" && e.ph !== "E")) continue;
      if (e.ph === "B") {
        stack.push({ name: e.name!, ts: e.ts!, children: 0 });
        continue;
      }
      const span = stack.pop()!;
      const duration = e.ts! - span.ts;
      if (stack.length > 0) stack.at(-1)!.children += duration;
      const row = expected.get(span.name) ?? { count: 0, total: 0, self: 0 };
      expected.set(span.name, { count: row.count + 1, total: row.total + duration, self: row.self + duration - span.children });
    }
    expect(expected.get("main::spin")?.count).toBe(6);
    type Row = { name: string; kind: string; count: number; total: number; self: number };
    const threadRows = (rows: Row[]) => rows.filter((r) => r.kind === "thread").sort((a, b) => a.name.localeCompare(b.name));
    const report = (file: string) => {
      const result = spanfn(["report", "--json", file]);
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout) as { spans: Row[]; events: number; unfinished: number };
    };
    const fromX = report(out);
    const fromPairs = report(pairsFile);
    expect([fromX.events, fromX.unfinished]).toEqual([fromPairs.events, fromPairs.unfinished]);
    for (const rows of [threadRows(fromX.spans), threadRows(fromPairs.spans)]) {
      expect(rows.map((r) => [r.name, r.count])).toEqual([...expected].sort(([a], [b]) => a.localeCompare(b)).map(([name, row]) => [name, row.count]));
      for (const row of rows) {
        expect(row.total).toBeCloseTo(expected.get(row.name)!.total, 2);
        expect(row.self).toBeCloseTo(expected.get(row.name)!.self, 2);
      }
    }
    // --html: the same spans (11 numbers each) and the same summary from either file.
    const page = (file: string) => {
      const html = `${file}.html`;
      expect(spanfn(["report", "--html", html, file]).status).toBe(0);
      return JSON.parse(/id="data">(.*?)<\/script>/s.exec(readFileSync(html, "utf8"))![1]) as { spans: number[]; names: string[]; summary: Row[] };
    };
    const [htmlX, htmlPairs] = [page(out), page(pairsFile)];
    expect(htmlX.spans.length).toBe(htmlPairs.spans.length);
    htmlX.spans.forEach((value, i) => expect(value).toBeCloseTo(htmlPairs.spans[i], 2));
    expect(htmlX.names).toEqual(htmlPairs.names);
    expect(threadRows(htmlX.summary).map((r) => [r.name, r.count])).toEqual(threadRows(fromPairs.spans).map((r) => [r.name, r.count]));
    threadRows(htmlX.summary).forEach((row, i) => expect(row.self).toBeCloseTo(threadRows(htmlPairs.summary)[i].self, 2));
  });

  test("prints tables, sorted as asked", () => {
    const result = spanfn(["report", "--sort", "count", "--top", "1", file]);
    expect(result.stdout).toContain("top 1 spans by count");
    expect(result.stdout.split("\n")[2]).toMatch(/^inner\s+thread\s+2\s/);
  });

  test("--html writes one self-contained page: no network, the spans and the summary inside", () => {
    const html = join(scratch, "report.html");
    const result = spanfn(["report", "--html", html, file]);
    expect(result.status).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page).not.toMatch(/(?:src|href)=["']?https?:/);
    expect(page).not.toMatch(/https?:\/\//);
    const json = /<script type="application\/json" id="data">(.*?)<\/script>/s.exec(page)![1];
    const data = JSON.parse(json) as { spans: number[]; names: string[]; summary: unknown[]; tracks: Array<{ label: string }> };
    expect(data.spans.length / 11).toBe(4);
    expect(new Set(data.names)).toEqual(new Set(["outer", "inner", "job"]));
    expect(data.summary).toHaveLength(3);
    expect(data.tracks.map((t) => t.label)).toEqual(["thread 1 (pid 1)", "thread 2 (pid 1)", "async spans of thread 1 (pid 1)"]);
  });

  test("--html copes with a large trace (300,000 events)", () => {
    const events: object[] = [];
    for (let i = 0; i < 75_000; i++) {
      events.push({ ph: "B", pid: 1, tid: 1, ts: i * 10, name: `f${i % 50}` }, { ph: "E", pid: 1, tid: 1, ts: i * 10 + 4 });
      events.push({ ph: "b", pid: 1, tid: 1, ts: i * 10, id: String(i), cat: "x", name: "a" }, { ph: "e", pid: 1, tid: 1, ts: i * 10 + 25, id: String(i), cat: "x", name: "a" });
    }
    const big = join(scratch, "big.json");
    writeFileSync(big, JSON.stringify(events));
    const html = join(scratch, "big.html");
    const result = spanfn(["report", "--html", html, "--top", "3", big]);
    expect(result.status).toBe(0);
    const data = JSON.parse(/id="data">(.*?)<\/script>/s.exec(readFileSync(html, "utf8"))![1]) as { spans: number[]; tracks: Array<{ rows: number }> };
    expect(data.spans.length / 11).toBe(150_000);
    // Overlapping async spans are packed into lanes: 25 µs long, one every 10 µs, so 3 lanes.
    expect(data.tracks[1].rows).toBe(3);
  });

  test("a trace cut inside an event: the summary of the events before it, and a warning", () => {
    const cut = join(scratch, "cut.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(cut, text.slice(0, text.indexOf('{"ph":"e"') + 12));
    const result = spanfn(["report", "--json", cut]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(`spanfn: ${cut} ends inside an event (a run cut short?): the events before it are summarised\n`);
    const summary = JSON.parse(result.stdout) as { spans: Array<{ name: string }>; unfinished: number; events: number };
    expect(summary.spans.map((s) => s.name).sort()).toEqual(["inner", "outer"]);
    // Span events, as the runtime counts them: B, B, E, E, the X (a begin and an end), b.
    expect([summary.events, summary.unfinished]).toEqual([7, 1]);
  });

  test("a file that is neither JSON nor a Perfetto trace: one line naming it, status 2", () => {
    const junk = join(scratch, "junk.pftrace");
    writeFileSync(junk, "not a trace at all\n");
    const result = spanfn(["report", junk]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^spanfn: .*${junk.replace(/[.\\]/g, "\\$&")}`));
  });

  test("spanfn run --out trace.pftrace writes Perfetto's format, and report summarises it as it does the JSON trace of the same run", () => {
    const json = join(scratch, "same.json");
    const perfetto = join(scratch, "same.pftrace");
    const summaries = [json, perfetto].map((out) => {
      const run = spanfn(["run", "--all", "--no-demote", "--out", out, "main.mjs"], {}, join(PROGRAMS, "hot"));
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(`spanfn: trace written to ${out}`);
      const report = spanfn(["report", "--json", out]);
      expect(report.status).toBe(0);
      return JSON.parse(report.stdout) as { spans: Array<{ name: string; kind: string; count: number }>; unfinished: number; events: number };
    });
    expect(readFileSync(perfetto)[0]).toBe(0x0a); // Trace.packet, field 1: not JSON
    const counts = summaries.map((summary) => summary.spans.map((s) => `${s.kind} ${s.name} ${s.count}`).sort());
    expect(counts[1]).toEqual(counts[0]);
    expect(counts[0].length).toBeGreaterThan(0);
    expect(summaries[1].unfinished).toBe(summaries[0].unfinished);
    expect(summaries[1].events).toBe(summaries[0].events);
    expect(summaries[0].events).toBeGreaterThan(0);
  });

  test("refuses what is not a trace", () => {
    const bogus = join(scratch, "bogus.json");
    writeFileSync(bogus, '{"hello": 1}');
    const result = spanfn(["report", bogus]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("is not a Chrome trace");
  });
});
