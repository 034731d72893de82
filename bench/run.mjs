// Runs the spanfn runtime benchmarks and prints one table, then the targets of issue 7 with the
// values this run measured. Every case runs in a fresh Node process, so what V8 learned
// optimizing one case (inlining, feedback, heap state) cannot speed up or slow down another.
// Before the rounds it compiles the generated-code subjects and, once, the instrumented copy of
// @babel/* for the real workload. Run `npm run build` first (`npm run bench` does).
//
//   node bench/run.mjs [--quick] [--rounds N] [--filter SUBSTR] [--json FILE] [--no-e2e]
//
// Then, unless --filter or --no-e2e, what users pay end to end (bench/e2e.mjs, its own table).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { RESULT_PREFIX, summarize } from "./harness.mjs";
import { prepareGenerated } from "./generated.mjs";
import { prepareReal } from "./real.mjs";

const CASES_DIR = fileURLToPath(new URL("./cases/", import.meta.url));

// A case's 15 repeats are taken in 3 processes of 5, and the rounds go through all cases in turn:
// on a shared or throttling machine the slow stretches then hit a case and its baseline alike,
// instead of whichever case happened to be running, and the ratios stay comparable.
const DEFAULT_ROUNDS = 3;
const REPEATS_PER_ROUND = 5;

const SYNC_BASELINES = ["bare-sync-call", "floor-sync"];
const SYNC_PEERS = ["otel-sync-drop", "otel-sync-memory", "dc-trace-sync"];

// Printed in this order, each case below its baselines. A ratio is only ever taken between
// medians of the same run: numbers from another machine or day are not comparable. Names that
// start with gen- run the plugin's output (bench/subjects, compiled at the start of the run);
// the others call the runtime by hand, or are baselines and peers.
const CASES = [
  { name: "bare-sync-call", file: "sync.mjs" },
  { name: "floor-sync", file: "sync.mjs", baselines: ["bare-sync-call"] },
  { name: "floor-sync-hrtime", file: "sync.mjs", baselines: ["bare-sync-call", "floor-sync"] },
  { name: "otel-sync-drop", file: "peers.mjs", baselines: ["bare-sync-call"] },
  { name: "otel-sync-memory", file: "peers.mjs", baselines: ["bare-sync-call"] },
  { name: "dc-trace-sync", file: "peers.mjs", baselines: ["bare-sync-call"] },
  { name: "thread-span", file: "sync.mjs", baselines: SYNC_BASELINES },
  { name: "gen-thread-span", file: "generated.mjs", baselines: [...SYNC_BASELINES, "floor-sync-hrtime", ...SYNC_PEERS] },
  { name: "gen-nested-10", file: "generated.mjs", baselines: SYNC_BASELINES },
  { name: "gen-level-filtered", file: "generated.mjs", baselines: SYNC_BASELINES },
  { name: "gen-disabled", file: "generated.mjs", baselines: SYNC_BASELINES },
  { name: "gen-demoted", file: "generated.mjs", baselines: SYNC_BASELINES },
  { name: "bare-async-call", file: "async.mjs" },
  { name: "floor-async", file: "async.mjs", baselines: ["bare-async-call"] },
  { name: "otel-async-drop", file: "peers.mjs", baselines: ["bare-async-call"] },
  { name: "otel-async-memory", file: "peers.mjs", baselines: ["bare-async-call"] },
  { name: "dc-trace-promise", file: "peers.mjs", baselines: ["bare-async-call"] },
  { name: "async-span", file: "async.mjs", baselines: ["bare-async-call"] },
  { name: "gen-async-span", file: "generated.mjs", baselines: ["bare-async-call", "floor-async", "otel-async-drop", "otel-async-memory", "dc-trace-promise"] },
  { name: "gen-async-span-als", file: "generated.mjs", baselines: ["bare-async-call"] },
  { name: "bare-async-call-als", file: "async.mjs", baselines: ["bare-async-call"] },
  { name: "then-baseline", file: "async.mjs" },
  { name: "instrument-promise", file: "async.mjs", baselines: ["then-baseline"] },
  { name: "promise-fn", file: "async.mjs" },
  { name: "promise-fn-then", file: "async.mjs", baselines: ["promise-fn"] },
  { name: "gen-promise-fn-reaction", file: "generated.mjs", baselines: ["promise-fn"] },
  { name: "gen-promise-fn-exact", file: "generated.mjs", baselines: ["promise-fn"] },
  { name: "gen-hidden-promise-reaction", file: "generated.mjs", baselines: ["promise-fn"] },
  { name: "gen-hidden-promise-exact", file: "generated.mjs", baselines: ["promise-fn"] },
  { name: "real-plain", file: "real.mjs", real: true },
  { name: "real-all", file: "real.mjs", real: true, baselines: ["real-plain"] },
  { name: "real-all-no-demote", file: "real.mjs", real: true, baselines: ["real-plain"] },
  { name: "real-all-disabled", file: "real.mjs", real: true, baselines: ["real-plain"] },
  { name: "memory-thread-span", file: "memory.mjs", once: true },
  { name: "memory-otel", file: "memory.mjs", once: true },
];

// Issue 7's targets, computed from the medians of this run. `value(m)` reads a case's median.
const TARGETS = [
  {
    what: "sync span (generated) / hand-written floor",
    needs: ["gen-thread-span", "floor-sync"],
    value: (m) => m("gen-thread-span") / m("floor-sync"),
    limit: 1.15,
    unit: "x",
  },
  {
    what: "  (against the floor read with process.hrtime.bigint, spanfn's clock under Node)",
    needs: ["gen-thread-span", "floor-sync-hrtime"],
    value: (m) => m("gen-thread-span") / m("floor-sync-hrtime"),
    limit: 1.15,
    unit: "x",
  },
  {
    what: "OpenTelemetry, dropping processor / sync span",
    needs: ["gen-thread-span", "otel-sync-drop"],
    value: (m) => m("otel-sync-drop") / m("gen-thread-span"),
    atLeast: 15,
    unit: "x",
  },
  {
    what: "OpenTelemetry, in-memory exporter / sync span",
    needs: ["gen-thread-span", "otel-sync-memory"],
    value: (m) => m("otel-sync-memory") / m("gen-thread-span"),
    atLeast: 80,
    unit: "x",
  },
  {
    what: "async span: (span - bare async call) / sync floor",
    needs: ["gen-async-span", "bare-async-call", "floor-sync"],
    value: (m) => (m("gen-async-span") - m("bare-async-call")) / m("floor-sync"),
    limit: 1.2,
    unit: "x",
  },
  {
    what: "  (its clock reads alone: (async floor - bare async) / sync floor)",
    needs: ["floor-async", "bare-async-call", "floor-sync"],
    value: (m) => (m("floor-async") - m("bare-async-call")) / m("floor-sync"),
    limit: 1.2,
    unit: "x",
  },
  {
    what: "promise-returning fn, reaction: overhead / (one .then + floor)",
    needs: ["gen-promise-fn-reaction", "promise-fn", "promise-fn-then", "floor-sync"],
    value: (m) => (m("gen-promise-fn-reaction") - m("promise-fn")) / (m("promise-fn-then") - m("promise-fn") + m("floor-sync")),
    limit: 1.1,
    unit: "x",
  },
  {
    what: "promise-returning fn, exact: overhead / (one .then + floor)",
    needs: ["gen-promise-fn-exact", "promise-fn", "promise-fn-then", "floor-sync"],
    value: (m) => (m("gen-promise-fn-exact") - m("promise-fn")) / (m("promise-fn-then") - m("promise-fn") + m("floor-sync")),
    limit: 1.1,
    unit: "x",
  },
  {
    what: "disabled: ns over a bare call",
    needs: ["gen-disabled", "bare-sync-call"],
    value: (m) => m("gen-disabled") - m("bare-sync-call"),
    limit: 2,
    unit: " ns",
  },
  {
    what: "memory: bytes per recorded span",
    needs: ["memory-thread-span"],
    value: (_, r) => r("memory-thread-span").bytesPerSpan,
    limit: 32,
    unit: " B",
  },
  {
    what: "plugin transform (all-mode) / babel-plugin-istanbul",
    needs: ["plugin-speed"],
    value: (_, r) => {
      const by = new Map(r("plugin-speed").results.map((c) => [c.case, c.median]));
      return by.get("spanfn, all") / by.get("babel-plugin-istanbul");
    },
    limit: 1,
    unit: "x",
  },
  {
    what: "real workload, all-mode / plain",
    needs: ["real-all", "real-plain"],
    value: (m) => m("real-all") / m("real-plain"),
    limit: 1.5,
    unit: "x",
  },
];

function parseArgs(argv) {
  const options = { quick: false, rounds: DEFAULT_ROUNDS, filter: null, json: null, e2e: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") options.quick = true;
    else if (arg === "--no-e2e") options.e2e = false;
    else if (arg === "--rounds") {
      const rounds = Number(argv[++i]);
      if (!(Number.isInteger(rounds) && rounds > 0)) usage("--rounds needs a positive integer");
      options.rounds = rounds;
    }
    else if (arg === "--filter" || arg === "--json") {
      const value = argv[++i];
      if (value === undefined) usage(`${arg} needs a value`);
      options[arg.slice(2)] = value;
    } else if (arg === "--help" || arg === "-h") usage();
    else usage(`unknown argument "${arg}"`);
  }
  return options;
}

function usage(error) {
  const text = [
    "usage: node bench/run.mjs [--quick] [--rounds N] [--filter SUBSTR] [--json FILE] [--no-e2e]",
    "  --quick          about 10x fewer iterations: a smoke run, not numbers to quote",
    `  --rounds N       processes per case, taken in turn with the other cases (default ${DEFAULT_ROUNDS}): more rounds, steadier medians on a noisy machine`,
    "  --filter SUBSTR  only the cases whose name contains SUBSTR, or any of several comma-separated (ratios need their baseline run too)",
    "  --json FILE      also write every sample and ratio to FILE (the end-to-end results to FILE.e2e.json)",
    "  --no-e2e         skip the end-to-end runs of spanfn run (bench/e2e.mjs; skipped with --filter too)",
    `cases: ${CASES.map((c) => c.name).join(", ")}, plugin-speed`,
  ].join("\n");
  if (error === undefined) {
    process.stdout.write(text + "\n");
    process.exit(0);
  }
  process.stderr.write(`${error}\n${text}\n`);
  process.exit(2);
}

function runCase(spec, quick) {
  // A real-workload process gives few samples (seconds each), one per round beyond the first.
  const repeats = spec.real ? 2 : REPEATS_PER_ROUND;
  const args = ["--expose-gc", CASES_DIR + spec.file, spec.name, "--repeats", String(repeats)];
  if (quick) args.push("--quick");
  const child = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  const line = child.stdout?.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
  if (child.status !== 0 || line === undefined) {
    let reason = child.error?.message ?? (child.stderr.trim() || `exit code ${child.status}, no result`);
    if (reason.includes("ERR_MODULE_NOT_FOUND")) reason += "\n(is @spanfn/tracing built? run `npm run build`)";
    return { case: spec.name, error: reason };
  }
  // A case that worked but complained (a runtime warning, say) may not measure what it claims.
  if (child.stderr.trim() !== "") process.stderr.write(`${spec.name} stderr:\n${child.stderr}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length));
}

/** One result from a case's rounds: samples pooled, each process's own run kept for the JSON. */
function pool(runs) {
  const failed = runs.find((r) => r.error !== undefined);
  if (failed !== undefined) return failed;
  if (runs.length === 1 && runs[0].samples === undefined) return runs[0];
  const { samples, checksum, median, min, max, ...shape } = runs[0];
  const pooled = runs.flatMap((r) => r.samples);
  return {
    ...shape,
    samples: pooled,
    ...summarize(pooled),
    runs: runs.map((r) => ({ samples: r.samples, median: r.median, checksum: r.checksum })),
  };
}

/** bench/plugin-speed.mjs in its own process: transform times of one real file, in one process. */
function pluginSpeed() {
  process.stderr.write("plugin speed\n");
  const child = spawnSync(process.execPath, [fileURLToPath(new URL("./plugin-speed.mjs", import.meta.url)), "--json"], { encoding: "utf8" });
  const line = child.stdout?.trim().split("\n").pop();
  if (child.status !== 0 || line === undefined) return { case: "plugin-speed", error: child.stderr.trim() || `exit code ${child.status}` };
  return { case: "plugin-speed", unit: "plugin", ...JSON.parse(line) };
}

function compare(result, spec, byName) {
  return (spec.baselines ?? []).map((name) => {
    const base = byName.get(name);
    if (base === undefined || base.error !== undefined) return { baseline: name, ratio: null, overheadNs: null };
    return { baseline: name, ratio: result.median / base.median, overheadNs: result.median - base.median };
  });
}

function environment(options) {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    quick: options.quick,
    rounds: options.rounds,
    filter: options.filter,
  };
}

const fmt = (x, digits = 1) => (x === null ? "n/a" : x.toFixed(digits));

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  // Text columns left, numbers right.
  const left = new Set([0, 1, 4]);
  return rows
    .map((r) => r.map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd())
    .join("\n");
}

function render(env, results) {
  const out = [
    `spanfn runtime benchmarks${env.quick ? " (--quick: smoke run, do not quote)" : ""}`,
    `node ${env.node} (V8 ${env.v8}), ${env.platform}`,
    `cpu: ${env.cpu}, ${env.cores} cores`,
    `date: ${env.date}`,
    "",
  ];
  const rows = [["case", "per", "median", "min–max", "vs baseline", "ratio", "overhead"]];
  const memory = [];
  const plugin = [];
  const failed = [];
  for (const r of results) {
    if (r.error !== undefined) {
      failed.push(r);
      continue;
    }
    if (r.unit === "bytes/span") {
      memory.push(r);
      continue;
    }
    if (r.unit === "plugin") {
      plugin.push(r);
      continue;
    }
    const per = r.clock === "cpu" ? `cpu ${r.unit}` : r.unit;
    const head = [r.case, per, fmt(r.median), `${fmt(r.min)}–${fmt(r.max)}`];
    if (r.comparisons.length === 0) rows.push([...head, "(baseline)", "", ""]);
    r.comparisons.forEach((c, i) => {
      const cells = i === 0 ? head : ["", "", "", ""];
      const overhead = c.overheadNs === null ? "n/a" : `${c.overheadNs >= 0 ? "+" : ""}${fmt(c.overheadNs)}`;
      rows.push([...cells, c.baseline, c.ratio === null ? "n/a" : `${fmt(c.ratio, 2)}x`, overhead]);
    });
  }
  if (rows.length > 1) out.push(table(rows));
  for (const m of memory) {
    const where = m.blocks === undefined ? "by an OpenTelemetry in-memory exporter" : `in InMemorySink, ${m.blocks} blocks`;
    out.push(
      "",
      `${m.case}: ${fmt(m.bytesPerSpan, 2)} bytes/span retained ` +
        `(${m.spans.toLocaleString("en-US")} spans ${where}; ` +
        `V8 heap ${fmt(m.heapBytesPerSpan, 2)} + array buffers ${fmt(m.arrayBufferBytesPerSpan, 2)})`,
    );
  }
  for (const p of plugin) {
    out.push("", `${p.title} (median of 5, ms; ms per MB of source; ratio to a plain Babel pass):`);
    for (const c of p.results) {
      out.push(
        `  ${c.case.padEnd(24)} ${c.median.toFixed(0).padStart(6)}  (${c.min.toFixed(0)}–${c.max.toFixed(0)})  ${c.msPerMB.toFixed(0).padStart(5)} ms/MB  ${c.vsPlain.toFixed(2)}x`,
      );
    }
  }
  const targets = evaluateTargets(results);
  if (targets.length > 0) {
    const rows = [["target", "value", "limit", "met"]];
    for (const t of targets) rows.push([t.what, t.value === null ? "n/a" : `${fmt(t.value, 2)}${t.unit}`, t.limit, t.met]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    out.push("", "targets (issue 7), from the medians above:");
    for (const r of rows) out.push(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  }
  for (const f of failed) out.push("", `FAILED ${f.case}:`, f.error);
  const timed = results.find((r) => r.runs !== undefined);
  if (timed !== undefined) {
    out.push(
      "",
      `median and range of ${timed.samples.length} repeats per case (${timed.runs.length} rounds of ` +
        `${REPEATS_PER_ROUND}, each in a fresh process); ratio and overhead compare medians of this run.`,
    );
  }
  return out.join("\n");
}

function evaluateTargets(results) {
  const byName = new Map(results.filter((r) => r.error === undefined).map((r) => [r.case, r]));
  return TARGETS.filter((t) => t.needs.every((n) => byName.has(n))).map((t) => {
    const value = t.value((name) => byName.get(name).median, (name) => byName.get(name));
    const met = t.limit !== undefined ? value <= t.limit : value >= t.atLeast;
    const limit = t.limit !== undefined ? `<= ${t.limit}${t.unit}` : `>= ${t.atLeast}${t.unit}`;
    return { what: t.what, value, limit, unit: t.unit, met: met ? "yes" : "NO" };
  });
}

const options = parseArgs(process.argv.slice(2));
// Several substrings, comma-separated, so one target's case and its baselines can run together.
const filters = options.filter === null ? null : options.filter.split(",").filter((f) => f !== "");
const matches = (name) => filters === null || filters.some((f) => name.includes(f));
const selected = CASES.filter((c) => matches(c.name));
const withPluginSpeed = matches("plugin-speed");
if (selected.length === 0 && !withPluginSpeed) usage(`no case matches "${options.filter}"`);

const env = environment(options);
if (selected.some((c) => c.file === "generated.mjs")) prepareGenerated();
if (selected.some((c) => c.real)) await prepareReal();
const runs = new Map(selected.map((spec) => [spec.name, []]));
for (let round = 1; round <= options.rounds; round++) {
  for (const spec of selected) {
    const done = runs.get(spec.name);
    // Memory is counted, not timed: one run says it all. A failure will not fix itself either.
    if ((spec.once && round > 1) || done.some((r) => r.error !== undefined)) continue;
    process.stderr.write(`round ${round}/${options.rounds}: ${spec.name}\n`);
    done.push(runCase(spec, options.quick));
  }
}
const results = selected.map((spec) => pool(runs.get(spec.name)));
if (withPluginSpeed) results.push(pluginSpeed());
const byName = new Map(results.map((r) => [r.case, r]));
selected.forEach((spec, i) => {
  const result = results[i];
  if (result.error === undefined && result.median !== undefined) result.comparisons = compare(result, spec, byName);
});

process.stdout.write(render(env, results) + "\n");
if (options.json !== null) {
  writeFileSync(options.json, JSON.stringify({ environment: env, results, targets: evaluateTargets(results) }, null, 2) + "\n");
  process.stderr.write(`wrote ${options.json}\n`);
}
if (results.some((r) => r.error !== undefined)) process.exitCode = 1;

if (options.e2e && filters === null) {
  const e2e = [fileURLToPath(new URL("./e2e.mjs", import.meta.url)), "--rounds", String(options.quick ? 1 : options.rounds)];
  if (options.json !== null) e2e.push("--json", `${options.json}.e2e.json`);
  const child = spawnSync(process.execPath, e2e, { stdio: "inherit" });
  if (child.status !== 0) process.exitCode = 1;
}
