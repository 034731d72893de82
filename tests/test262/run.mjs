#!/usr/bin/env node
/**
 * The conformance run (`npm run test:262`): language tests nobody here wrote, each run plain and
 * with the test's own code instrumented by the plugin in all-mode, in fresh `vm` contexts (so
 * the program's realm is never the runtime's); a test must pass or fail the same way in both.
 * Differences not listed in known-differences.json fail the run.
 *
 *   node tests/test262/run.mjs [--test262 DIR] [--filter SUBSTRING] [--jobs N]
 *
 * test262 itself is not on the npm registry. Given a checkout (`--test262 DIR` or TEST262_DIR),
 * the runner reads its frontmatter (includes, flags, negative), builds the harness (assert.js,
 * sta.js, doneprintHandle.js for async tests, the includes) and runs the directories below where
 * instrumentation can change behaviour. Without one, it runs what the registry has:
 * test262-parser-tests, valid programs of every syntactic form (written to be parsed, not run:
 * most stop at a ReferenceError), each of which must end the same way plain and instrumented.
 */
import { fork } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { execFileSync } from "node:child_process";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");
const require = createRequire(join(ROOT, "package.json"));

/** The test262 directories where instrumentation can change behaviour. */
const DIRECTORIES = [
  "language/statements/class",
  "language/expressions/class",
  "language/statements/generators",
  "language/expressions/generators",
  "language/statements/async-generator",
  "language/expressions/async-generator",
  "language/statements/async-function",
  "language/expressions/async-function",
  "language/expressions/async-arrow-function",
  "language/expressions/arrow-function",
  "language/statements/function",
  "language/expressions/function",
  "language/expressions/object/method-definition",
  "language/computed-property-names",
  "language/arguments-object",
  "language/function-code",
  "language/eval-code/direct",
  "language/expressions/super",
  "language/expressions/new.target",
  "language/expressions/yield",
  "language/expressions/await",
  "language/statements/try",
  "language/statements/for-of",
  "language/statements/for-await-of",
  "language/statements/return",
];

const ASYNC_TIMEOUT_MS = 3000;
const SYNC_TIMEOUT_MS = 2000;

function parseArgs(argv) {
  const args = { test262: process.env.TEST262_DIR ?? null, filter: null, jobs: Math.min(2, cpus().length), worker: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--test262") args.test262 = argv[++i];
    else if (a === "--filter") args.filter = argv[++i];
    else if (a === "--jobs") args.jobs = Number(argv[++i]);
    else if (a === "--worker") args.worker = argv[++i];
    else throw new Error(`tests/test262/run.mjs: unknown argument ${a}`);
  }
  return args;
}

function ensureInstalled() {
  if (existsSync(join(HERE, "node_modules/js-yaml")) && existsSync(join(HERE, "node_modules/test262-parser-tests"))) return;
  console.log("installing tests/test262's packages (npm ci --prefix tests/test262)");
  execFileSync("npm", ["ci", "--prefix", HERE, "--no-audit", "--no-fund"], { stdio: "inherit" });
}

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (entry.endsWith(".js") && !entry.includes("_FIXTURE")) out.push(path);
  }
  return out;
}

// ---- the cases ------------------------------------------------------------------------------

/** One run of one test: a file in one mode. */
function test262Cases(root, yaml, filter) {
  const cases = [];
  for (const dir of DIRECTORIES) {
    const full = join(root, "test", dir);
    if (!existsSync(full)) continue;
    for (const file of listFiles(full)) {
      const id = relative(join(root, "test"), file);
      if (filter && !id.includes(filter)) continue;
      const source = readFileSync(file, "utf8");
      const match = /\/\*---([\s\S]*?)---\*\//.exec(source);
      const meta = match ? (yaml.load(match[1]) ?? {}) : {};
      const flags = new Set(meta.flags ?? []);
      // Early errors and modules are decided before any code runs (or need a module loader):
      // instrumentation has nothing to change there.
      if (meta.negative && meta.negative.phase !== "runtime") continue;
      if (flags.has("module")) continue;
      const modes = flags.has("raw") || flags.has("noStrict") ? ["sloppy"] : flags.has("onlyStrict") ? ["strict"] : ["sloppy", "strict"];
      for (const mode of modes) cases.push({ id, mode, file, kind: "test262" });
    }
  }
  return cases;
}

function parserCases(filter) {
  const base = join(HERE, "node_modules/test262-parser-tests");
  const cases = [];
  // pass-explicit/ holds the same programs with more parentheses: nothing more to run.
  for (const sub of ["pass"]) {
    for (const file of listFiles(join(base, sub))) {
      const id = `parser-tests/${sub}/${relative(join(base, sub), file)}`;
      if (filter && !id.includes(filter)) continue;
      // A module needs a loader; the rest run as classic scripts.
      if (file.endsWith(".module.js")) continue;
      cases.push({ id, mode: "sloppy", file, kind: "parser" });
    }
  }
  return cases;
}

// ---- one run --------------------------------------------------------------------------------

let babel, plugin, tracing, yaml;
const harnessCache = new Map();

function harnessScript(root, name) {
  let script = harnessCache.get(name);
  if (!script) {
    script = new vm.Script(readFileSync(join(root, "harness", name), "utf8"), { filename: `harness/${name}` });
    harnessCache.set(name, script);
  }
  return script;
}

/** The test's own code, instrumented as `spanfn run --all` would: a classic script, the built runtime. */
function instrument(source, id) {
  const result = babel.transformSync(source, {
    filename: `/conformance/${id}`,
    root: "/conformance",
    cwd: "/conformance",
    babelrc: false,
    configFile: false,
    sourceType: "script",
    parserOpts: { allowReturnOutsideFunction: false },
    plugins: [[plugin, { instrument: "all" }]],
  });
  return result.code;
}

/** A fresh realm with test262's host hooks: print, $262 (global, evalScript, createRealm, gc, detachArrayBuffer). */
function newRealm(onPrint) {
  const context = vm.createContext({});
  const global = vm.runInContext("this", context);
  const $262 = {
    global,
    evalScript: (code) => vm.runInContext(code, context),
    createRealm: () => newRealm(onPrint).$262,
    detachArrayBuffer: (buffer) => structuredClone(buffer, { transfer: [buffer] }) && null,
    gc: () => globalThis.gc?.(),
    agent: {},
  };
  for (const [name, value] of [
    ["print", (...values) => onPrint(values.map(String).join(" "))],
    ["$262", $262],
    // What the instrumented code's `require("@spanfn/tracing")` finds.
    ["require", (name) => (name === "@spanfn/tracing" ? tracing : undefined)],
  ]) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  }
  return { context, $262 };
}

/** Runs one case in one way: "pass" or "fail: why". */
async function runOne(c, root, instrumented) {
  const raw = readFileSync(c.file, "utf8");
  let source = raw;
  const strict = c.mode === "strict";
  let meta = {};
  if (c.kind === "test262") {
    const match = /\/\*---([\s\S]*?)---\*\//.exec(raw);
    meta = match ? (yaml.load(match[1]) ?? {}) : {};
  }
  const flags = new Set(meta.flags ?? []);
  if (strict) source = `"use strict";\n${source}`;
  if (instrumented) {
    try {
      source = instrument(source, c.id);
    } catch (error) {
      return `fail: not compiled: ${String(error.message).split("\n")[0]}`;
    }
  }
  let printed = [];
  let asyncDone = null;
  const done = new Promise((resolve) => {
    asyncDone = resolve;
  });
  const { context } = newRealm((line) => {
    printed.push(line);
    if (line.startsWith("Test262:AsyncTest")) asyncDone(line);
  });
  const expected = meta.negative?.type ?? null;
  try {
    if (c.kind === "test262" && !flags.has("raw")) {
      const includes = ["assert.js", "sta.js", ...(flags.has("async") ? ["doneprintHandle.js"] : []), ...(meta.includes ?? [])];
      for (const name of includes) harnessScript(root, name).runInContext(context);
    }
    vm.runInContext(source, context, { filename: c.id, timeout: SYNC_TIMEOUT_MS });
  } catch (error) {
    const name = errorName(error);
    if (c.kind === "parser") return `fail: ${name}: ${errorMessage(error)}`;
    if (expected !== null && name === expected) return "pass";
    return `fail: ${name}: ${errorMessage(error)}`;
  }
  if (expected !== null) return `fail: expected ${expected}, nothing thrown`;
  if (c.kind === "test262" && flags.has("async")) {
    const timer = new Promise((resolve) => setTimeout(() => resolve("timeout"), ASYNC_TIMEOUT_MS).unref());
    const line = await Promise.race([done, timer]);
    if (line === "Test262:AsyncTestComplete") return "pass";
    return `fail: ${line === "timeout" ? "no $DONE" : line}`;
  }
  return "pass";
}

function errorName(error) {
  try {
    return error?.constructor?.name ?? typeof error;
  } catch {
    return "?";
  }
}

function errorMessage(error) {
  try {
    return String(error?.message ?? error).split("\n")[0];
  } catch {
    return "?";
  }
}

async function worker(spec) {
  const { cases, root } = JSON.parse(spec);
  babel = require("@babel/core");
  plugin = require("@spanfn/babel-plugin").default ?? require("@spanfn/babel-plugin");
  tracing = require("@spanfn/tracing");
  yaml = createRequire(join(HERE, "package.json"))("js-yaml");
  // Spans are recorded into the runtime's buffers and dropped: the run is about semantics.
  tracing.setSink?.(new tracing.NullSink());
  // A test's promise rejected with no handler, or a throw from a timer, is the test's business:
  // an async test reports through $DONE, and the worker must go on to the next test.
  let uncaught = null;
  process.on("unhandledRejection", () => {});
  process.on("uncaughtException", (error) => {
    uncaught = `fail: uncaught ${errorName(error)}: ${errorMessage(error)}`;
  });
  const results = [];
  const once = async (c, instrumented) => {
    uncaught = null;
    const outcome = await runOne(c, root, instrumented);
    return outcome === "pass" && uncaught !== null ? uncaught : outcome;
  };
  for (const c of cases) {
    const plain = await once(c, false);
    const instrumented = await once(c, true);
    results.push({ id: c.id, mode: c.mode, plain, instrumented });
  }
  process.send(results, () => process.exit(0));
}

// ---- the driver -----------------------------------------------------------------------------

function runShards(cases, root, jobs) {
  const shards = Array.from({ length: jobs }, () => []);
  cases.forEach((c, i) => shards[i % jobs].push(c));
  return Promise.all(
    shards.map(
      (shard) =>
        new Promise((resolve, reject) => {
          const child = fork(fileURLToPath(import.meta.url), ["--worker", "-"], {
            execArgv: ["--stack-size=2000"],
            serialization: "advanced",
          });
          let got = null;
          child.on("message", (m) => {
            if (m && m.ready) child.send(JSON.stringify({ cases: shard, root }));
            else got = m;
          });
          child.on("exit", (code) => (got ? resolve(got) : reject(new Error(`a worker exited with ${code} and no results`))));
        }),
    ),
  ).then((parts) => parts.flat());
}

function loadKnown() {
  const file = join(HERE, "known-differences.json");
  const list = JSON.parse(readFileSync(file, "utf8"));
  for (const entry of list) {
    if (typeof entry.test !== "string" || typeof entry.reason !== "string" || entry.reason.trim() === "") {
      throw new Error(`${file}: every entry needs a test and a reason: ${JSON.stringify(entry)}`);
    }
  }
  return list;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.worker !== null) {
    process.on("message", (spec) => worker(spec));
    process.send({ ready: true });
    return;
  }
  ensureInstalled();
  yaml = createRequire(join(HERE, "package.json"))("js-yaml");
  for (const name of ["@spanfn/babel-plugin", "@spanfn/tracing"]) {
    try {
      require.resolve(name);
    } catch {
      throw new Error(`tests/test262/run.mjs: ${name} is not built: run npm run build first`);
    }
  }
  let cases;
  let corpus;
  if (args.test262 !== null) {
    if (!existsSync(join(args.test262, "harness/assert.js"))) throw new Error(`--test262 ${args.test262}: no harness/assert.js there: not a test262 checkout`);
    cases = test262Cases(args.test262, yaml, args.filter);
    corpus = `test262 at ${args.test262}`;
  } else {
    cases = parserCases(args.filter);
    corpus = "test262-parser-tests (npm; no test262 checkout given: --test262 DIR or TEST262_DIR)";
  }
  const started = Date.now();
  console.log(`${corpus}: ${cases.length} runs, ${args.jobs} worker(s)`);
  const results = await runShards(cases, args.test262 ?? "", Math.max(1, args.jobs));
  const known = loadKnown();
  const isKnown = (r) => known.some((k) => k.test === r.id && (k.mode === undefined || k.mode === r.mode));
  const passPlain = results.filter((r) => r.plain === "pass").length;
  const passInstrumented = results.filter((r) => r.instrumented === "pass").length;
  const differences = results.filter((r) => (r.plain === "pass") !== (r.instrumented === "pass"));
  const unknown = differences.filter((r) => !isKnown(r));
  const stale = args.filter === null ? known.filter((k) => k.corpus === (args.test262 !== null ? "test262" : "parser-tests") && !differences.some((r) => r.id === k.test && (k.mode === undefined || k.mode === r.mode))) : [];
  console.log(`runs: ${results.length}; pass plain: ${passPlain}; pass instrumented: ${passInstrumented}; differences: ${differences.length} (${differences.length - unknown.length} known); ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const r of differences) {
    console.log(`${isKnown(r) ? "known  " : "NEW    "} ${r.id} [${r.mode}]\n          plain:        ${r.plain}\n          instrumented: ${r.instrumented}`);
  }
  for (const k of stale) console.log(`stale   ${k.test}${k.mode ? ` [${k.mode}]` : ""}: listed in known-differences.json, no longer differs`);
  const failed = unknown.length > 0 || stale.length > 0;
  console.log(`${results.length - unknown.length - stale.length} passed, ${unknown.length + stale.length} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
