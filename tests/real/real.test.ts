/**
 * The real-code suite (`npm run test:real`): real packages from the npm registry, installed from
 * this folder's own lockfile, each driven by a workload that runs twice: plain (`node`) and under
 * `spanfn run --all --node-modules`, which passes every module it loads, the packages' own files
 * included, through the plugin in all-mode. The two runs must be indistinguishable (stdout bytes,
 * stderr without spanfn's own lines, exit code; thrown errors are printed by the workloads), and
 * the trace well-formed (see trace-problems.ts). The overhead is printed, never asserted.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromChrome, TraceChecker } from "../../packages/tracing/test/trace-problems.js";
import { readTrace } from "./read-trace.js";
import { WORKLOADS, type Workload } from "./workloads.js";

const SUITE = __dirname;
const BIN = join(SUITE, "../../packages/cli/bin/spanfn.js");
const WORK = join(SUITE, ".work");

/** The suite's packages, from its own lockfile, installed on first use (as tools/matrix is). */
function ensureInstalled(): void {
  const manifest = JSON.parse(readFileSync(join(SUITE, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  const installed = (name: string) => {
    const path = join(SUITE, "node_modules", name, "package.json");
    return existsSync(path) && (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version === manifest.devDependencies[name];
  };
  if (Object.keys(manifest.devDependencies).every(installed)) return;
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", SUITE], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm ci --prefix ${SUITE} failed (${result.status ?? result.signal})`);
}

interface Run {
  stdout: Buffer;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The whole process, module loading (and under spanfn, instrumenting) included. */
  wallMs: number;
  /** The workload's own measure, from after its warm-up (workloads/timing.mjs). */
  workMs: number;
}

function run(args: string[], name: string): Promise<Run> {
  const timing = join(WORK, `${name}.timing.json`);
  rmSync(timing, { force: true });
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: SUITE, env: { ...process.env, SPANFN_REAL_TIMING: timing } });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status, signal) => {
      const wallMs = performance.now() - start;
      const workMs = existsSync(timing) ? (JSON.parse(readFileSync(timing, "utf8")) as { ms: number }).ms : NaN;
      resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString("utf8"), status, signal, wallMs, workMs });
    });
  });
}

/** What an error report on stderr says, without where: `RangeError: …` lines (name and message). */
const errorLines = (text: string) => text.split("\n").filter((line) => /^[A-Z]\w*(Error|Exception)\b[^:]*: /.test(line));

/** stderr without the lines spanfn writes itself. */
const programStderr = (text: string) => text.split("\n").filter((line) => !line.startsWith("spanfn: ")).join("\n");

interface RuntimeReportArgs {
  unfinished: string[];
  promiseReturningSync: string[];
  droppedSpans: number;
  lostEvents: number;
}

interface TraceResult {
  checker: TraceChecker;
  problems: string[];
  report: RuntimeReportArgs | undefined;
  names: Set<string>;
}

/** Checks the trace as it is read: traces run to gigabytes. */
async function checkTrace(file: string, workload: Workload): Promise<TraceResult> {
  const checker = new TraceChecker();
  const names = new Set<string>();
  let report: RuntimeReportArgs | undefined;
  await readTrace(file, (event) => {
    if (event.ph === "M") {
      if (event.name === "spanfn_report") report = event.args as unknown as RuntimeReportArgs;
      return;
    }
    if ((event.ph === "b" || event.ph === "B" || event.ph === "X") && event.name !== undefined) names.add(event.name);
    for (const e of fromChrome(event)) checker.add(e);
  });
  const problems = checker.finish((name) => Object.hasOwn(workload.neverSettles, name));
  return { checker, problems, report, names };
}

/** `name (file:line)`, as the checker and the report name functions -> `name`. */
const functionName = (entry: string) => entry.replace(/ \([^()]*\)$/, "");

interface Row {
  workload: string;
  plainMs: number;
  instrumentedMs: number;
  plainWallMs: number;
  instrumentedWallMs: number;
  events: number;
  threadSpans: number;
  asyncSpans: number;
  traceMB: number;
  /** Reading and checking the trace. */
  checkMs: number;
}
const rows: Row[] = [];

beforeAll(() => {
  ensureInstalled();
  mkdirSync(WORK, { recursive: true });
}, 600_000);

afterAll(() => {
  if (rows.length === 0) return;
  const table = [
    "real-code suite: the workload's own time (after warm-up), then the whole process (instrumenting at load included)",
    `${"workload".padEnd(11)} ${"plain ms".padStart(9)} ${"instr. ms".padStart(10)} ${"ratio".padStart(6)}   ${"wall plain".padStart(10)} ${"wall instr.".padStart(11)}   ${"events".padStart(11)} ${"thread sp.".padStart(11)} ${"async sp.".padStart(9)} ${"trace MB".padStart(8)} ${"check s".padStart(7)}`,
    ...rows.map(
      (r) =>
        `${r.workload.padEnd(11)} ${r.plainMs.toFixed(0).padStart(9)} ${r.instrumentedMs.toFixed(0).padStart(10)} ${(r.instrumentedMs / r.plainMs).toFixed(1).padStart(5)}x   ` +
        `${r.plainWallMs.toFixed(0).padStart(10)} ${r.instrumentedWallMs.toFixed(0).padStart(11)}   ${String(r.events).padStart(11)} ${String(r.threadSpans).padStart(11)} ${String(r.asyncSpans).padStart(9)} ${r.traceMB.toFixed(0).padStart(8)} ${(r.checkMs / 1000).toFixed(1).padStart(7)}`,
    ),
  ].join("\n");
  process.stdout.write(`\n${table}\n\n`);
  writeFileSync(join(WORK, "results.json"), JSON.stringify(rows, null, 2));
});

/** `SPANFN_REAL_ONLY=async,crash npm run test:real` runs those workloads alone. */
const only = process.env.SPANFN_REAL_ONLY?.split(",");
for (const name of only ?? []) if (!WORKLOADS.some((w) => w.name === name)) throw new Error(`SPANFN_REAL_ONLY: no workload ${name}`);

describe.each(WORKLOADS.filter((w) => only === undefined || only.includes(w.name)))("$name", (workload) => {
  const trace = join(WORK, `${workload.name}.trace.json`);
  const script = join("workloads", workload.script);
  let plain: Run;
  let instrumented: Run;
  let result: TraceResult;

  beforeAll(async () => {
    plain = await run([script], `${workload.name}.plain`);
    // A trace left by an earlier run must not pass for this one's.
    rmSync(trace, { force: true });
    instrumented = await run([BIN, "run", "--all", "--node-modules", "--quiet", "--out", trace, script], `${workload.name}.instrumented`);
    const checkStart = performance.now();
    result = await checkTrace(trace, workload);
    const checkMs = performance.now() - checkStart;
    const size = existsSync(trace) ? statSync(trace).size : 0;
    // The traces run to hundreds of megabytes: kept only when asked (to look at a failure).
    if (!process.env.SPANFN_REAL_KEEP) rmSync(trace, { force: true });
    rows.push({
      workload: workload.name,
      plainMs: plain.workMs,
      instrumentedMs: instrumented.workMs,
      plainWallMs: plain.wallMs,
      instrumentedWallMs: instrumented.wallMs,
      events: result.checker.events,
      threadSpans: result.checker.threadSpans,
      asyncSpans: result.checker.asyncSpans,
      traceMB: size / 1e6,
      checkMs,
    });
  }, 900_000);

  const known = workload.knownDifferences ?? {};
  const check = (key: keyof NonNullable<Workload["knownDifferences"]>, title: string, body: () => void) => {
    // A known difference must still show (test.failing): a fix is noticed, and the entry removed.
    if (known[key] !== undefined) test.failing(`${title} [known difference: ${known[key]}]`, body);
    else test(title, body);
  };

  test("the plain run does its work", () => {
    expect(plain.stdout.length).toBeGreaterThan(0);
    expect(plain.signal).toBeNull();
    expect(plain.status).toBe(workload.exitCode ?? 0);
  });

  check("output", "same stdout bytes, exit code, and errors reported on stderr plain and instrumented", () => {
    expect(instrumented.stdout.toString("utf8")).toBe(plain.stdout.toString("utf8"));
    expect(Buffer.compare(instrumented.stdout, plain.stdout)).toBe(0);
    expect(errorLines(programStderr(instrumented.stderr))).toEqual(errorLines(plain.stderr));
    expect(instrumented.signal).toBe(plain.signal);
    expect(instrumented.status).toBe(plain.status);
  });

  check("stderr", "same stderr, line for line (spanfn's own lines aside)", () => {
    expect(programStderr(instrumented.stderr)).toBe(plain.stderr);
  });

  test("spanfn reported no failure of its own (its lines are left out of the comparison above)", () => {
    expect(instrumented.stderr.split("\n").filter((line) => line.startsWith("spanfn: ") && /fail/i.test(line))).toEqual([]);
  });

  test("every function of the packages was instrumented", () => {
    for (const name of workload.packages) {
      expect([...result.names].some((span) => span.startsWith(`node_modules/${name}/`))).toBe(true);
    }
  });

  check("trace", "the trace is well-formed: balanced thread spans, every settled async span ended, parents open", () => {
    expect(result.report).toBeDefined();
    expect(result.report!.droppedSpans).toBe(0);
    expect(result.report!.lostEvents).toBe(0);
    expect(result.checker.events).toBeGreaterThan(0);
    expect(result.problems).toEqual([]);
  });

  check("open", "spans left open at exit are exactly those whose promise never settles by design", () => {
    expect([...result.checker.leftOpen.keys()].sort()).toEqual(Object.keys(workload.neverSettles).sort());
    expect([...new Set(result.report!.unfinished)].sort()).toEqual(Object.keys(workload.neverSettles).map(functionName).sort());
  });

  check("promises", "a function compiled as sync that returned a promise is covered by an async span until it settled", () => {
    expect([...result.checker.promiseReturning].sort()).toEqual([...result.report!.promiseReturningSync].sort());
  });
});
