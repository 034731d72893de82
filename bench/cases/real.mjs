// The real workload (bench/real.mjs): CPU ms per compile of @babel/parser's source by @babel/core
// with preset-env, plain and with all of @babel/* instrumented, each in its own process. The
// instrumented runs record through the runtime as `spanfn run --all` sets it up (a sink, exact
// settlement); the sink discards blocks, so recording is paid in full and the heap stays flat.
import { createRequire } from "node:module";
import { NullSink, configure, report } from "@spanfn/tracing";
import { install, ChromeTraceFileSink } from "@spanfn/tracing/node";
import { summarize } from "../harness.mjs";
import { REAL_MODULES, realPrepared } from "../real.mjs";

const require = createRequire(import.meta.url);
const { workload } = require("../subjects/workload.cjs");
const ORIGINAL = new URL("../../node_modules", import.meta.url).pathname;
const WARMUP_COMPILES = 4;

function measureWith(setup) {
  return async (quick, repeats) => {
    const modules = setup();
    const { bytes, compile } = workload(modules);
    // The first compiles load modules lazily, let V8 compile the hot code and, instrumented, let
    // demotion settle (a caller becomes tiny only once its tiny callees stop recording).
    let checksum = compile();
    for (let i = 0; i < (quick ? 0 : WARMUP_COMPILES - 1); i++) checksum += compile();
    // CPU time (all of the process's threads: the compile, the GC, the JIT) rather than wall time:
    // on a shared machine a process waiting for a core would otherwise be billed for the wait.
    const samples = [];
    const wall = [];
    // No forced collection between compiles (unlike the micro cases): a full GC resets V8's heap
    // sizing, and the compile after it pays for extra major collections no real run would see.
    for (let r = 0; r < (quick ? 1 : Math.min(repeats, 3)); r++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      checksum += compile();
      const used = process.cpuUsage(cpu);
      wall.push(performance.now() - start);
      samples.push((used.user + used.system) / 1000);
    }
    const rep = modules === ORIGINAL ? null : report();
    return {
      unit: "ms/compile",
      clock: "cpu",
      inputBytes: bytes,
      samples,
      wall,
      ...summarize(samples),
      checksum,
      ...(rep === null ? {} : { demoted: rep.demoted?.length ?? 0, droppedSpans: rep.droppedSpans }),
    };
  };
}

function instrumented(options) {
  return () => {
    if (!realPrepared()) throw new Error("bench/.generated/real is missing: bench/run.mjs prepares it");
    install({ sink: new NullSink(), flushIntervalMs: 0, ...options.install });
    if (options.runtime !== undefined) configure(options.runtime);
    return REAL_MODULES;
  };
}

const cases = {
  "real-plain": { measure: measureWith(() => ORIGINAL) },
  "real-all": { measure: measureWith(instrumented({})) },
  "real-all-no-demote": { measure: measureWith(instrumented({ runtime: { demote: false } })) },
  // The instrumented code with recording off: what the generated code costs by itself.
  "real-all-disabled": { measure: measureWith(instrumented({ runtime: { enabled: false } })) },
};

const name = process.argv[2];
const bench = cases[name];
if (bench === undefined) {
  process.stderr.write(`unknown case "${name}"; this file has: ${Object.keys(cases).join(", ")}\n`);
  process.exit(2);
}
const at = process.argv.indexOf("--repeats");
const result = await bench.measure(process.argv.includes("--quick"), at === -1 ? 3 : Number(process.argv[at + 1]));
process.stdout.write("@@bench " + JSON.stringify({ case: name, ...result }) + "\n");
