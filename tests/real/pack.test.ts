/**
 * The packages as a user gets them: every workspace packed (`npm pack`), the tarballs installed
 * with npm into a fresh project outside the repository (`pack-consumer/`, copied to a temporary
 * directory), which then runs a marked TypeScript file through babel-jest, through `spanfn run`
 * and through `node --import @spanfn/cli/register`, and type-checks code importing every package.
 * A dependency missing from a manifest, a file left out of a package or a broken bin fails here,
 * where the monorepo's own node_modules would hide it. Needs the build (`npm run test:real` runs
 * it) and the npm registry (the project's own dev tools; the cache serves what the repository
 * has installed).
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFileSync, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseChromeTrace } from "../../packages/tracing/src/index.js";
import { asPairs } from "../../packages/tracing/test/chrome-pairs.js";

const ROOT = join(__dirname, "../..");
const CONSUMER = join(__dirname, "pack-consumer");
const work = mkdtempSync(join(tmpdir(), "spanfn-pack-"));
const project = join(work, "project");
afterAll(() => {
  if (process.env.SPANFN_REAL_KEEP !== "1") rmSync(work, { recursive: true, force: true });
});

interface Workspace {
  name: string;
  path: string;
  private?: boolean;
}

/** The version the repository has installed: the npm cache holds it, and it is what the repository tests with. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const env: NodeJS.ProcessEnv = {};
  // The test's own SPANFN_* settings are not the project's.
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("SPANFN_")) env[name] = value;
  const result = spawnSync(command, args, { cwd: project, encoding: "utf8", timeout: 600000, ...options, env: { ...env, ...options.env } });
  if (result.error) throw result.error;
  return result as typeof result & { stdout: string; stderr: string };
}

function spanNames(file: string, phase: string): string[] {
  const names = asPairs(parseChromeTrace(readFileSync(file, "utf8"))).filter((e) => e.ph === phase).map((e) => e.name!);
  return [...new Set(names)].sort();
}

let workspaces: Workspace[] = [];

beforeAll(() => {
  workspaces = (JSON.parse(execFileSync("npm", ["query", ".workspace"], { cwd: ROOT, encoding: "utf8" })) as Workspace[]).filter((w) => !w.private);
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  const dependencies: Record<string, string> = {};
  for (const workspace of workspaces) {
    // The build has run (npm run test:real builds first): prepack's would be the same again.
    const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tarballs], { cwd: workspace.path, encoding: "utf8" })) as Array<{ filename: string }>;
    dependencies[workspace.name] = `file:${join(tarballs, packed[0].filename)}`;
  }
  cpSync(CONSUMER, project, { recursive: true });
  const tools = ["@babel/core", "@babel/preset-typescript", "@babel/plugin-transform-modules-commonjs", "babel-jest", "jest", "@jest/globals", "typescript", "@types/node"];
  const manifest = {
    name: "spanfn-pack-consumer",
    private: true,
    type: "module",
    dependencies,
    devDependencies: Object.fromEntries(tools.map((name) => [name, installedVersion(name)])),
  };
  writeFileSync(join(project, "package.json"), JSON.stringify(manifest, null, 2));
  const install = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"]);
  if (install.status !== 0) throw new Error(`npm install in ${project} failed:\n${install.stderr}`);
}, 900000);

describe("the packed packages, installed into a fresh project", () => {
  test("every workspace package was packed and installed", () => {
    expect(workspaces.map((w) => w.name)).toEqual(expect.arrayContaining(["@spanfn/tracing", "@spanfn/babel-plugin", "@spanfn/cli", "@spanfn/otel"]));
    for (const workspace of workspaces) {
      const installed = join(project, "node_modules", workspace.name);
      expect(existsSync(join(installed, "README.md"))).toBe(true);
      expect(existsSync(join(installed, "LICENSE"))).toBe(true);
    }
  });

  test("babel-jest: the marked function and the decorated method record spans, the unmarked function none", () => {
    const spansOut = join(work, "jest-spans.json");
    const result = run(process.execPath, [join(project, "node_modules/jest/bin/jest.js"), "--ci"], { env: { SPANS_OUT: spansOut } });
    expect(`${result.status}\n${result.stderr}`).toMatch(/^0\n/);
    const recorded = [...new Set(JSON.parse(readFileSync(spansOut, "utf8")) as string[])].sort();
    expect(recorded).toEqual([
      "async-begin:src/work::Store.load",
      "async-end:src/work::Store.load",
      "thread-begin:src/work::add",
      "thread-end:src/work::add",
    ]);
  });

  test("spanfn run (the installed bin): the program's output and a trace of the marked spans", () => {
    const out = join(work, "run.json");
    const result = run(join(project, "node_modules/.bin/spanfn"), ["run", "--quiet", "--out", out, "src/main.ts"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("3 6 A\n");
    expect(result.status).toBe(0);
    expect(spanNames(out, "B")).toEqual(["src/work::add"]);
    expect(spanNames(out, "b")).toEqual(["src/work::Store.load"]);
  });

  test("node --import @spanfn/cli/register, configured by SPANFN_* variables", () => {
    const out = join(work, "register.json");
    const result = run(process.execPath, ["--import", "@spanfn/cli/register", "src/main.ts"], { env: { SPANFN_ALL: "1", SPANFN_QUIET: "1", SPANFN_OUT: out } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("3 6 A\n");
    expect(spanNames(out, "B")).toEqual(["src/work::add", "src/work::unmarked"]);
  });

  test("tsc: code importing every package type-checks with only what the packages bring", () => {
    const result = run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  test("--otlp without @spanfn/otel installed: a message saying to install it, and the trace still written", () => {
    const otel = join(project, "node_modules/@spanfn/otel");
    const aside = join(work, "otel-aside");
    renameSync(otel, aside);
    try {
      const out = join(work, "no-otel.json");
      const result = run(join(project, "node_modules/.bin/spanfn"), ["run", "--quiet", "--otlp", "--out", out, "src/main.ts"]);
      expect(result.stdout).toBe("3 6 A\n");
      expect(result.status).toBe(0);
      expect(result.stderr).toContain("needs the @spanfn/otel package beside @spanfn/cli: npm install --save-dev @spanfn/otel; running without OpenTelemetry export");
      expect(spanNames(out, "B")).toEqual(["src/work::add"]);
    } finally {
      renameSync(aside, otel);
    }
  });
});
