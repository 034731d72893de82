// What users pay: programs run end to end under `spanfn run --all --node-modules`, against the
// same programs run plain, for each output (a NullSink, the Chrome JSON trace, the Perfetto
// trace, OTLP to a collector on loopback), with a cold and a warm transform cache. Every run is a
// fresh process; the rounds go through the modes in turn, so a slow stretch of a shared machine
// hits a mode and its baseline alike. A ratio is the median, over the rounds, of the ratio within
// each round: a shared machine drifts by more than the costs measured here from one minute to the
// next, and a round's runs follow each other within seconds. The medians of the times are shown
// beside them.
//
//   node bench/e2e.mjs [--rounds N] [--only babel,medium,...] [--json FILE]
//
// The cold run is also the first: the rounds after it start from what it demoted (spanfn run keeps
// that beside the cache), as a user's second run would.
//
// Times: "program" is the subject's own steady-state time on its thread (what it reports, after
// its warm-up; the real workloads write it to SPANFN_REAL_TIMING), "wall" the whole process,
// start-up and module loading (instrumenting every module, on a cold cache) included.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCollector } from "./collector.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SPANFN = join(ROOT, "packages/cli/bin/spanfn.js");
const REAL = join(ROOT, "tests/real");
const NULL_SINK = join(ROOT, "bench/e2e-null-sink.mjs");

const SUBJECTS = [
  { name: "babel", cwd: REAL, script: "workloads/babel.mjs", real: true },
  { name: "prettier", cwd: REAL, script: "workloads/prettier.mjs", real: true },
  // Its target sits a few percent above plain, within one round's noise: twice the rounds.
  { name: "medium", cwd: ROOT, script: "bench/subjects/medium.mjs", roundsFactor: 2 },
  // A program of a few milliseconds, whose time varies by half from one process to the next:
  // its runs are short, so it gets more of them.
  { name: "fib", cwd: ROOT, script: "bench/subjects/fib.mjs", roundsFactor: 4 },
];

// "null": recording alone (the runtime's NullSink), the floor the outputs are measured against.
const MODES = ["plain", "null", "json", "perfetto", "otlp"];

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const rounds = Number(option("--rounds") ?? 3);
const only = option("--only")?.split(",");
const jsonOut = option("--json");
const subjects = SUBJECTS.filter((s) => only === undefined || only.includes(s.name));
const scratch = mkdtempSync(join(os.tmpdir(), "spanfn-e2e-"));

function ensureRealPackages() {
  if (existsSync(join(REAL, "node_modules/@babel/core"))) return;
  process.stderr.write("installing the real workloads' packages (npm ci --prefix tests/real)...\n");
  const result = spawnSync("npm", ["ci", "--prefix", REAL, "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm ci --prefix tests/real failed");
}

function commandFor(subject, mode, out, collector) {
  if (mode === "plain") return [subject.script];
  const run = [SPANFN, "run", "--all", "--node-modules", "--top", "1"];
  if (mode === "json" || mode === "null") run.push("--out", `${out}.json`);
  if (mode === "perfetto") run.push("--out", `${out}.pftrace`);
  if (mode === "otlp") run.push("--otlp", collector.url);
  return [...run, subject.script];
}

function run(subject, mode, cacheDir, collector) {
  const out = join(scratch, `${subject.name}-${mode}`);
  const timing = join(scratch, "timing.json");
  rmSync(timing, { force: true });
  const env = { ...process.env, SPANFN_CACHE_DIR: cacheDir, SPANFN_REAL_TIMING: timing };
  // The NullSink preload replaces the sink spanfn run installs (see e2e-null-sink.mjs).
  if (mode === "null") env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import ${NULL_SINK}`.trim();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, commandFor(subject, mode, out, collector), { cwd: subject.cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      const wall = performance.now() - started;
      const program = subject.real ? JSON.parse(readFileSync(timing, "utf8")).ms : Number(/: ([\d.]+) ms/.exec(stderr)?.[1]);
      if (!(program > 0)) return reject(new Error(`${subject.name} ${mode}: no time reported (exit ${code ?? signal})\n${stderr}`));
      const spans = Number(/^(\d+) spans \(/m.exec(stderr)?.[1] ?? NaN);
      const file = mode === "json" ? `${out}.json` : mode === "perfetto" ? `${out}.pftrace` : undefined;
      const bytes = file !== undefined && existsSync(file) ? statSync(file).size : NaN;
      const exported = mode === "otlp" ? collector.take() : NaN;
      // Recorded: what the exporter was handed, sent or not ("N of M spans were not exported" when some were not).
      const recorded = mode === "otlp" ? Number(/(\d+) of (\d+) spans were not exported/.exec(stderr)?.[2] ?? /spanfn: (\d+) spans exported/.exec(stderr)?.[1] ?? NaN) : NaN;
      if (file !== undefined) rmSync(file, { force: true });
      resolve({ program, wall, spans, bytes, exported, recorded });
    });
  });
}

const median = (values) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

ensureRealPackages();
const collector = await startCollector();
const results = {};
for (const subject of subjects) {
  const cacheDir = join(scratch, `cache-${subject.name}`);
  // Cold: an empty cache, so every module goes through Babel (and into the cache).
  process.stderr.write(`${subject.name}: cold cache...\n`);
  const cold = await run(subject, "json", cacheDir, collector);
  const samples = Object.fromEntries(MODES.map((mode) => [mode, []]));
  const subjectRounds = rounds * (subject.roundsFactor ?? 1);
  for (let round = 0; round < subjectRounds; round++) {
    for (const mode of MODES) {
      process.stderr.write(`${subject.name}: round ${round + 1}/${subjectRounds} ${mode}\r`);
      samples[mode].push(await run(subject, mode, cacheDir, collector));
    }
  }
  process.stderr.write("\n");
  const summary = { rounds: subjectRounds, coldWall: cold.wall, coldProgram: cold.program, coldSpans: cold.spans };
  // Each round's time over its baseline's in the same round.
  const paired = (mode, base, time) => median(samples[mode].map((s, round) => s[time] / samples[base][round][time]));
  for (const mode of MODES) {
    const list = samples[mode];
    summary[mode] = {
      program: median(list.map((s) => s.program)),
      wall: median(list.map((s) => s.wall)),
      programToPlain: paired(mode, "plain", "program"),
      programToNull: paired(mode, "null", "program"),
      wallToPlain: paired(mode, "plain", "wall"),
      spans: median(list.map((s) => s.spans)),
      bytes: median(list.map((s) => s.bytes)),
      exported: median(list.map((s) => s.exported / s.recorded)),
    };
  }
  // Every round's times, for a reader who would take the ratios another way.
  summary.samples = Object.fromEntries(MODES.map((mode) => [mode, samples[mode].map((s) => ({ program: s.program, wall: s.wall }))]));
  results[subject.name] = summary;
}
collector.close();
rmSync(scratch, { recursive: true, force: true });

const fmt = (value, digits = 0) => (Number.isNaN(value) ? "-" : value.toFixed(digits));
const lines = [];
lines.push(
  `Node ${process.version}, ${os.cpus().length} cores ${os.cpus()[0]?.model ?? ""}; ${subjects.map((s) => `${s.name} ${results[s.name].rounds}`).join(", ")} rounds; ` +
    "times: medians; ratios: medians of each round's ratio",
);
lines.push("");
lines.push("| subject | mode | program ms | / plain | / null | wall ms | / plain | spans | bytes a span | exported |");
lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [name, r] of Object.entries(results)) {
  for (const mode of MODES) {
    const m = r[mode];
    lines.push(
      `| ${name} | ${mode} | ${fmt(m.program)} | ${fmt(m.programToPlain, 2)} | ${mode === "plain" ? "-" : fmt(m.programToNull, 2)} | ` +
        `${fmt(m.wall)} | ${fmt(m.wallToPlain, 2)} | ${fmt(m.spans)} | ${fmt(m.bytes / m.spans, 1)} | ${Number.isNaN(m.exported) ? "-" : `${fmt(100 * m.exported, 1)}%`} |`,
    );
  }
  lines.push(
    `| ${name} | json, cold cache | ${fmt(r.coldProgram)} | ${fmt(r.coldProgram / r.plain.program, 2)} | | ${fmt(r.coldWall)} | ${fmt(r.coldWall / r.plain.wall, 2)} | ${fmt(r.coldSpans)} | | |`,
  );
}

// The issue's targets, from this run's medians.
const targets = [];
const target = (what, value, limit, atMost = true) => targets.push({ what, value, limit, met: atMost ? value <= limit : value >= limit, atMost });
for (const name of ["babel", "prettier"]) if (results[name]) target(`${name} workload, JSON trace / plain`, results[name].json.programToPlain, 1.5);
if (results.medium) target("medium-grain compute, JSON trace / plain", results.medium.json.programToPlain, 1.05);
if (results.fib) target("hot recursion, JSON trace / plain", results.fib.json.programToPlain, 2);
for (const [name, r] of Object.entries(results)) target(`${name}: program's thread, JSON trace / NullSink`, r.json.programToNull, 1.1);
for (const [name, r] of Object.entries(results)) target(`${name}: whole process, warm cache / plain`, r.json.wallToPlain, 2);
for (const [name, r] of Object.entries(results)) if (!Number.isNaN(r.otlp.exported)) target(`${name}: spans exported over OTLP / recorded`, r.otlp.exported, 0.95, false);
// A trace of a handful of spans (fib's, once its recursion is demoted) is its header: names,
// locations and tracks, whatever the spans cost.
for (const [name, r] of Object.entries(results)) if (r.perfetto.spans >= 1000) target(`${name}: Perfetto bytes a span`, r.perfetto.bytes / r.perfetto.spans, 16);
lines.push("");
lines.push("| target | value | limit | met |");
lines.push("| --- | ---: | ---: | --- |");
for (const t of targets) lines.push(`| ${t.what} | ${fmt(t.value, 2)} | ${t.atMost ? "≤" : "≥"} ${t.limit} | ${t.met ? "yes" : "**no**"} |`);
process.stdout.write(`${lines.join("\n")}\n`);
if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify({ node: process.version, cores: os.cpus().length, rounds, results, targets }, null, 2));
