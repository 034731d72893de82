/**
 * The transform cache: its API on a directory of the test's own (hits, misses, replaced and
 * damaged entries, where it lives), and `spanfn run` using it end to end: a second run loads
 * what the first compiled and traces the same spans, a changed file or option compiles afresh,
 * `--no-cache` leaves no trace of it, and neither a damaged entry, an unwritable directory nor
 * two runs at once disturb the program.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseChromeTrace } from "../../tracing/src/index.js";
import Module from "node:module";
import { asPairs } from "../../tracing/test/chrome-pairs.js";
import { CODE_CACHE_FOLDER, openCache } from "../src/cache.js";

const BIN = join(__dirname, "../bin/spanfn.js");
const scratch = mkdtempSync(join(tmpdir(), "spanfn-cache-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let fresh = 0;
function freshDir(name: string): string {
  const dir = join(scratch, `${name}-${++fresh}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Entry file name -> inode: a rewritten entry is a new file renamed into place. V8's folder is no entry. */
function entries(dir: string): Map<string, number> {
  if (!existsSync(dir)) return new Map();
  return new Map(
    readdirSync(dir)
      .filter((name) => name !== CODE_CACHE_FOLDER)
      .map((name) => [name, statSync(join(dir, name)).ino]),
  );
}

describe("openCache", () => {
  test("a hit returns what was stored without making it again; a changed source replaces the entry", () => {
    const dir = freshDir("api");
    const cache = openCache({ dir })!;
    let made = 0;
    const make = (code: string) => () => {
      made++;
      return { code, dependencies: [] };
    };
    expect(cache.cached("a.js", "source 1", make("code 1 ✓"))).toBe("code 1 ✓");
    expect(cache.cached("a.js", "source 1", make("not this"))).toBe("code 1 ✓");
    expect(made).toBe(1);
    // Another cache on the same directory (the next run) sees it too.
    expect(openCache({ dir })!.cached("a.js", "source 1", make("not this"))).toBe("code 1 ✓");
    expect(made).toBe(1);

    const [entry] = entries(dir).keys();
    expect(cache.cached("a.js", "source 2", make("code 2"))).toBe("code 2");
    expect(made).toBe(2);
    expect([...entries(dir).keys()]).toEqual([entry]);
    expect(cache.cached("a.js", "source 1", make("code 1 again"))).toBe("code 1 again");

    // Another key (another file, or the same with other options) is another entry.
    expect(cache.cached("b.js", "source 1", make("code b"))).toBe("code b");
    expect(entries(dir).size).toBe(2);
  });

  test("a truncated, altered or foreign entry is a miss, then rewritten", () => {
    const dir = freshDir("damaged");
    const cache = openCache({ dir })!;
    const code = "const x = 1;\n".repeat(100);
    cache.cached("k", "src", () => ({ code, dependencies: [] }));
    const [name] = entries(dir).keys();
    const file = join(dir, name);
    const whole = readFileSync(file);
    const damaged = [
      whole.subarray(0, whole.length - 10),
      Buffer.concat([whole.subarray(0, whole.length - 2), Buffer.from("2\n")]),
      Buffer.concat([whole, Buffer.from("extra")]),
      whole.subarray(0, 20),
      Buffer.from("not an entry at all"),
      Buffer.alloc(0),
    ];
    for (const bytes of damaged) {
      writeFileSync(file, bytes);
      let made = 0;
      expect(
        cache.cached("k", "src", () => {
          made++;
          return { code, dependencies: [] };
        }),
      ).toBe(code);
      expect(made).toBe(1);
      expect(readFileSync(file)).toEqual(whole);
    }
  });

  test("a changed, removed or unreadable file the module was compiled with (a contract) is a miss", () => {
    const dir = freshDir("dependencies");
    const contract = join(dir, "contract.ts");
    writeFileSync(contract, "export interface A { get(): Promise<string>; }\n");
    const cache = openCache({ dir: join(dir, "cache") })!;
    let made = 0;
    const make = (code: string, dependencies = [contract]) => () => {
      made++;
      return { code, dependencies };
    };
    expect(cache.cached("impl.ts", "src", make("code 1"))).toBe("code 1");
    expect(cache.cached("impl.ts", "src", make("not this"))).toBe("code 1");
    expect(made).toBe(1);
    // Another size (and time): the contract changed.
    writeFileSync(contract, "export interface A { get(): string; }\n");
    expect(cache.cached("impl.ts", "src", make("code 2"))).toBe("code 2");
    expect(cache.cached("impl.ts", "src", make("not this"))).toBe("code 2");
    expect(made).toBe(2);
    rmSync(contract);
    expect(cache.cached("impl.ts", "src", make("code 3", []))).toBe("code 3");
    expect(made).toBe(3);
    // A dependency that cannot be read when the module is compiled: not cached at all.
    expect(cache.cached("other.ts", "src", make("code 4", [join(dir, "missing.ts")]))).toBe("code 4");
    expect(cache.cached("other.ts", "src", make("code 5", [join(dir, "missing.ts")]))).toBe("code 5");
  });

  test("without a directory named: the nearest node_modules/.cache/spanfn above the root", () => {
    const project = freshDir("project");
    mkdirSync(join(project, "node_modules"));
    mkdirSync(join(project, "src", "deep"), { recursive: true });
    expect(openCache({ root: join(project, "src", "deep") })!.dir).toBe(join(project, "node_modules", ".cache", "spanfn"));
    expect(existsSync(join(project, "node_modules", ".cache", "spanfn"))).toBe(true);
  });

  test("a directory that cannot be made: null and one warning naming it", () => {
    const file = join(freshDir("blocked"), "file");
    writeFileSync(file, "");
    const warnings: string[] = [];
    expect(openCache({ dir: join(file, "cache"), warn: (m) => warnings.push(m) })).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(join(file, "cache"));
  });
});

// An ES module that imports another and requires a CommonJS one, so both hooks use the cache.
const PROGRAM: Record<string, string> = {
  "package.json": '{ "type": "module" }\n',
  "main.js": [
    'import { createRequire } from "node:module";',
    'import { double } from "./double.js";',
    "const require = createRequire(import.meta.url);",
    'const { add } = require("./add.cjs");',
    "/** @spanFn */",
    "function main() {",
    '  if (process.argv.includes("--fail")) throw new Error("failing on purpose");',
    "  return add(double(2), 1);",
    "}",
    "console.log(main());",
    "",
  ].join("\n"),
  "double.js": "export function double(x) {\n  return x * 2;\n}\n",
  "add.cjs": "/** @spanFn */\nexports.add = function add(a, b) {\n  return a + b;\n};\n",
};

/** The program in a folder of its own, with a node_modules folder for the cache to live in. */
function project(name: string): { dir: string; cache: string } {
  const dir = freshDir(name);
  for (const [file, text] of Object.entries(PROGRAM)) writeFileSync(join(dir, file), text);
  mkdirSync(join(dir, "node_modules"));
  return { dir, cache: join(dir, "node_modules", ".cache", "spanfn") };
}

function spanfnRun(dir: string, flags: string[], env: Record<string, string> = {}, args: string[] = []) {
  const out = join(dir, `trace-${++fresh}.json`);
  const result = spawnSync(process.execPath, [BIN, "run", "--quiet", "--out", out, ...flags, "main.js", ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 30000,
    env: { ...process.env, SPANFN_CACHE: "", SPANFN_CACHE_DIR: "", ...env },
  });
  if (result.error) throw result.error;
  const spans = existsSync(out)
    ? asPairs(parseChromeTrace(readFileSync(out, "utf8")))
        .filter((e) => e.ph === "B")
        .map((e) => e.name)
    : [];
  return { ...result, spans };
}

describe("spanfn run with the cache", () => {
  test("a second run loads every module from the cache and traces the same spans; stacks keep their lines", () => {
    const { dir, cache } = project("hit");
    const first = spanfnRun(dir, ["--all"]);
    expect([first.stdout, first.stderr, first.status]).toEqual(["5\n", "", 0]);
    expect(first.spans).toEqual(["main::main", "double::double", "add::add"]);
    const written = entries(cache);
    expect(written.size).toBe(3);

    const second = spanfnRun(dir, ["--all"]);
    expect([second.stdout, second.stderr, second.status]).toEqual(["5\n", "", 0]);
    expect(second.spans).toEqual(first.spans);
    expect(entries(cache)).toEqual(written);

    // The inline source map came from the cache with the code: line 7 is the throw.
    const failing = spanfnRun(dir, ["--all"], {}, ["--fail"]);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain("Error: failing on purpose");
    expect(failing.stderr).toMatch(/main\.js:7\b/);
    expect(entries(cache)).toEqual(written);
  });

  test("a contract changed in another file is a miss for the module that implements it", () => {
    const dir = freshDir("contract");
    mkdirSync(join(dir, "node_modules"));
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    const contract = (returns: string) => `export interface Store {\n  load(key: string): ${returns};\n}\n`;
    writeFileSync(join(dir, "contract.ts"), contract("string"));
    writeFileSync(
      join(dir, "main.ts"),
      [
        'import type { Store } from "./contract.js";',
        "class Disk implements Store {",
        "  load(key) {",
        "    return fetchLater(key);",
        "  }",
        "}",
        "function fetchLater(key) {",
        "  return globalThis.Promise.resolve(key);",
        "}",
        'console.log(await new Disk().load("k"));',
        "",
      ].join("\n"),
    );
    const kinds = (out: string) =>
      asPairs(parseChromeTrace(readFileSync(out, "utf8")))
        .filter((e) => e.name === "main::Disk.load" && (e.ph === "B" || e.ph === "b"))
        .map((e) => e.ph);
    const run = () => {
      const out = join(dir, `contract-${++fresh}.json`);
      const result = spawnSync(process.execPath, [BIN, "run", "--quiet", "--all", "--out", out, "main.ts"], { cwd: dir, encoding: "utf8", timeout: 30000, env: { ...process.env, SPANFN_CACHE: "", SPANFN_CACHE_DIR: "" } });
      expect(result.stdout).toBe("k\n");
      return kinds(out);
    };
    // The contract says a string: a thread span, then the run-time check's async span from the return.
    expect(run()).toEqual(["B", "b"]);
    expect(run()).toEqual(["B", "b"]);
    // Now it says a promise: an async span from the call, and no thread span.
    writeFileSync(join(dir, "contract.ts"), contract("Promise<string>"));
    expect(run()).toEqual(["b"]);
  });

  test("a changed file is compiled afresh and replaces its entry; another option set has its own", () => {
    const { dir, cache } = project("changed");
    expect(spanfnRun(dir, ["--all"]).spans).toEqual(["main::main", "double::double", "add::add"]);
    const before = entries(cache);

    writeFileSync(join(dir, "double.js"), "export function double(x) {\n  return twice(x);\n}\nfunction twice(x) {\n  return x + x;\n}\n");
    const changed = spanfnRun(dir, ["--all"]);
    expect(changed.stdout).toBe("5\n");
    expect(changed.spans).toEqual(["main::main", "double::double", "double::twice", "add::add"]);
    const after = entries(cache);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...after].filter(([name, inode]) => before.get(name) !== inode)).toHaveLength(1);

    // Marked functions only: other code, so other entries, and the spans of that mode.
    const marked = spanfnRun(dir, []);
    expect(marked.stdout).toBe("5\n");
    expect(marked.spans).toEqual(["main::main", "add::add"]);
    expect(entries(cache).size).toBe(6);
    expect(spanfnRun(dir, ["--all"]).spans).toEqual(changed.spans);
  });

  test("--no-cache and SPANFN_CACHE=0 write nothing; SPANFN_CACHE_DIR moves the cache", () => {
    const { dir, cache } = project("off");
    const off = spanfnRun(dir, ["--all", "--no-cache"]);
    expect([off.stdout, off.stderr]).toEqual(["5\n", ""]);
    expect(off.spans).toEqual(["main::main", "double::double", "add::add"]);
    expect(spanfnRun(dir, ["--all"], { SPANFN_CACHE: "0" }).stdout).toBe("5\n");
    expect(existsSync(join(dir, "node_modules", ".cache"))).toBe(false);

    const elsewhere = join(scratch, `elsewhere-${++fresh}`);
    expect(spanfnRun(dir, ["--all"], { SPANFN_CACHE_DIR: elsewhere }).stdout).toBe("5\n");
    expect(entries(elsewhere).size).toBe(3);
    expect(existsSync(cache)).toBe(false);
  });

  test("damaged entries are misses: the program runs as before and the entries are rewritten", () => {
    const { dir, cache } = project("damaged-run");
    spanfnRun(dir, ["--all"]);
    const whole = new Map([...entries(cache).keys()].map((name) => [name, readFileSync(join(cache, name))]));
    for (const [name, bytes] of whole) writeFileSync(join(cache, name), bytes.subarray(0, bytes.length >> 1));
    const run = spanfnRun(dir, ["--all"]);
    expect([run.stdout, run.stderr, run.status]).toEqual(["5\n", "", 0]);
    expect(run.spans).toEqual(["main::main", "double::double", "add::add"]);
    for (const [name, bytes] of whole) expect(readFileSync(join(cache, name))).toEqual(bytes);
  });

  test("a cache directory that cannot be written: one warning, and the program runs traced", () => {
    const { dir } = project("unwritable");
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const run = spanfnRun(dir, ["--all"], { SPANFN_CACHE_DIR: join(file, "cache") });
    expect([run.stdout, run.status]).toEqual(["5\n", 0]);
    expect(run.spans).toEqual(["main::main", "double::double", "add::add"]);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spanfn: transform cache unavailable \(.*a-file\/cache.*\); running uncached$/);
  });

  test("no node_modules/.cache to write to: a private directory in tmpdir; one others can write to is refused", () => {
    const { dir } = project("tmp-fallback");
    writeFileSync(join(dir, "node_modules", ".cache"), "");
    const temporary = freshDir("tmp");
    const run = spanfnRun(dir, ["--all"], { TMPDIR: temporary });
    expect([run.stdout, run.stderr, run.status]).toEqual(["5\n", "", 0]);
    const [fallback] = readdirSync(temporary);
    expect(fallback).toMatch(/^spanfn-cache-/);
    expect(entries(join(temporary, fallback)).size).toBe(3);
    if (process.getuid === undefined) return;
    expect(statSync(join(temporary, fallback)).mode & 0o777).toBe(0o700);
    // What someone else planted there would run as this user's code.
    chmodSync(join(temporary, fallback), 0o777);
    const refused = spanfnRun(dir, ["--all"], { TMPDIR: temporary });
    expect([refused.stdout, refused.status]).toEqual(["5\n", 0]);
    expect(refused.spans).toEqual(["main::main", "double::double", "add::add"]);
    expect(refused.stderr).toMatch(/^spanfn: transform cache unavailable \(.*is not a private directory of this user\); running uncached\n$/);
  });

  test("two runs at once on an empty cache: both correct, and the entries they leave whole", async () => {
    const { dir, cache } = project("race");
    const runOne = () =>
      new Promise<{ stdout: string; stderr: string; code: number | null }>((done) => {
        const child = spawn(process.execPath, [BIN, "run", "--all", "--quiet", "--out", join(dir, `race-${++fresh}.json`), "main.js"], {
          cwd: dir,
          env: { ...process.env, SPANFN_CACHE: "", SPANFN_CACHE_DIR: "" },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
        child.on("exit", (code) => done({ stdout, stderr, code }));
      });
    const results = await Promise.all([runOne(), runOne()]);
    expect(results).toEqual([
      { stdout: "5\n", stderr: "", code: 0 },
      { stdout: "5\n", stderr: "", code: 0 },
    ]);
    // No temporary files left behind, and the next run finds every entry whole.
    const left = entries(cache);
    expect([...left.keys()].filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect(left.size).toBe(3);
    const next = spanfnRun(dir, ["--all"]);
    expect(next.spans).toEqual(["main::main", "double::double", "add::add"]);
    expect(entries(cache)).toEqual(left);
  });

  test("V8's compiled code is kept in the cache where Node has a compile cache (22.1+): a warm run's modules skip compiling, other code compiles afresh", () => {
    const { dir, cache } = project("code-cache");
    const codeCache = join(cache, CODE_CACHE_FOLDER);
    const first = spanfnRun(dir, ["--all"]);
    expect([first.stdout, first.status]).toEqual(["5\n", 0]);
    if (typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache !== "function") {
      expect(existsSync(codeCache)).toBe(false);
      return;
    }
    expect(readdirSync(codeCache, { recursive: true }).length).toBeGreaterThan(1);
    // Node says, under NODE_DEBUG_NATIVE, which modules' code it took from the cache.
    const accepted = (stderr: string) =>
      [...stderr.matchAll(/cache for (?:ESM |CommonJS )?(\S+) was accepted/g)]
        .map((m) => m[1].replace(/^file:\/\//, ""))
        .filter((file) => file.startsWith(`${dir}/`))
        .map((file) => file.slice(dir.length + 1))
        .sort();
    const warm = spanfnRun(dir, ["--all"], { NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    expect([warm.stdout, warm.status]).toEqual(["5\n", 0]);
    expect(warm.spans).toEqual(first.spans);
    expect(accepted(warm.stderr)).toEqual(["add.cjs", "double.js", "main.js"]);
    // Marked functions only: main.js and add.cjs mark every function they have, so their code is
    // the same; double.js marks none and runs as written, which V8 must not take for the cached code.
    const other = spanfnRun(dir, [], { NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    expect([other.stdout, other.status]).toEqual(["5\n", 0]);
    expect(accepted(other.stderr)).toEqual(["add.cjs", "main.js"]);
    // --no-cache: V8's cache is left alone too.
    const before = readdirSync(codeCache, { recursive: true }).sort();
    rmSync(cache, { recursive: true, force: true });
    const uncached = spanfnRun(dir, ["--all", "--no-cache"]);
    expect([uncached.stdout, uncached.status]).toEqual(["5\n", 0]);
    expect(existsSync(cache)).toBe(false);
    expect(before.length).toBeGreaterThan(1);
  });
});
