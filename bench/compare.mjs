// Two builds of spanfn (two checkouts, each built) against each other on one subject, end to
// end, interleaved run by run so that a slow stretch of the machine hits both alike:
//
//   node bench/compare.mjs ROUNDS SUBJECT NAME=CHECKOUT:MODE[:VAR~VALUE...] ...
//
// SUBJECT: babel, prettier (tests/real's workloads: `npm ci --prefix tests/real` in each
// checkout), medium, fib. MODE: plain, null (recording into a NullSink), json, perfetto, otlp (to
// a collector on loopback, in a child process).
// NODE_BIN picks the Node binary. The first variant is the baseline of the ratios. Example:
//   node bench/compare.mjs 5 babel plain=.:plain old=../old:json new=.:json
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [rounds, subject, ...specs] = process.argv.slice(2);
if (!(Number(rounds) > 0) || specs.length === 0) {
  process.stderr.write("usage: node bench/compare.mjs ROUNDS SUBJECT NAME=CHECKOUT:MODE[:VAR~VALUE...] ...\n");
  process.exit(2);
}
const node = process.env.NODE_BIN ?? process.execPath;
const scratch = mkdtempSync(join(tmpdir(), "spanfn-compare-"));
const variants = specs.map((spec) => {
  const [name, rest] = spec.split("=");
  const [checkout, mode, ...vars] = rest.split(":");
  return { name, root: resolve(checkout), mode, vars };
});

/** The collector the otlp variants send to: a child process, which answers while this one waits on a run. */
async function startCollectorProcess() {
  const child = spawn(process.execPath, [new URL("./collector.mjs", import.meta.url).pathname], { stdio: ["ignore", "pipe", "inherit"] });
  const [chunk] = await once(child.stdout, "data");
  return { url: String(chunk).trim(), close: () => child.kill() };
}
const collector = variants.some((v) => v.mode === "otlp") ? await startCollectorProcess() : null;

function where(root) {
  const real = join(root, "tests/real");
  switch (subject) {
    case "babel":
      return { cwd: real, script: "workloads/babel.mjs", real: true };
    case "prettier":
      return { cwd: real, script: "workloads/prettier.mjs", real: true };
    case "medium":
    case "fib":
      return { cwd: root, script: `bench/subjects/${subject}.mjs`, real: false };
    default:
      throw new Error(`unknown subject ${subject}`);
  }
}

function runOnce(variant) {
  const { cwd, script, real } = where(variant.root);
  const timing = join(scratch, "timing.json");
  rmSync(timing, { force: true });
  const env = { ...process.env, SPANFN_CACHE_DIR: join(scratch, `cache-${variant.name}`), SPANFN_REAL_TIMING: timing };
  delete env.NODE_OPTIONS;
  for (const assignment of variant.vars) {
    const [key, value] = assignment.split("~");
    env[key] = value;
  }
  if (variant.mode === "null") env.NODE_OPTIONS = `--import ${join(variant.root, "bench/e2e-null-sink.mjs")}`;
  const out = join(scratch, variant.mode === "perfetto" ? "trace.pftrace" : "trace.json");
  const output = variant.mode === "otlp" ? ["--otlp", collector.url] : ["--out", out];
  const args = variant.mode === "plain" ? [script] : [join(variant.root, "packages/cli/bin/spanfn.js"), "run", "--all", "--node-modules", "--top", "1", ...output, script];
  const started = performance.now();
  const result = spawnSync(node, args, { cwd, env, encoding: "utf8" });
  const wall = performance.now() - started;
  const program = real && existsSync(timing) ? JSON.parse(readFileSync(timing, "utf8")).ms : Number(/: ([\d.]+) ms/.exec(result.stderr)?.[1]);
  if (!(program > 0)) throw new Error(`${variant.name}: no time reported (exit ${result.status})\n${result.stderr}`);
  const spans = Number(/^(\d+) spans \(/m.exec(result.stderr)?.[1] ?? NaN);
  const bytes = (variant.mode === "json" || variant.mode === "perfetto") && existsSync(out) ? statSync(out).size : NaN;
  rmSync(out, { force: true });
  return { program, wall, spans, bytes };
}

const samples = new Map(variants.map((v) => [v.name, []]));
// Round 0 warms each variant's transform cache and is not counted.
for (let round = 0; round <= Number(rounds); round++) {
  for (const variant of variants) {
    const sample = runOnce(variant);
    if (round > 0) samples.get(variant.name).push(sample);
  }
}
rmSync(scratch, { recursive: true, force: true });
collector?.close();

const median = (values) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const of = (name, field) => median(samples.get(name).map((s) => s[field]));
const base = variants[0].name;
console.log(`${subject}, ${rounds} rounds, medians, Node ${spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()}\n`);
console.log("| variant | program ms | / first | wall ms | / first | spans | bytes a span |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const { name } of variants) {
  const program = of(name, "program");
  const wall = of(name, "wall");
  const spans = of(name, "spans");
  const bytes = of(name, "bytes");
  const cells = [program.toFixed(0), (program / of(base, "program")).toFixed(2), wall.toFixed(0), (wall / of(base, "wall")).toFixed(2), Number.isNaN(spans) ? "-" : String(spans), Number.isNaN(bytes) ? "-" : (bytes / spans).toFixed(0)];
  console.log(`| ${name} | ${cells.join(" | ")} |`);
}
