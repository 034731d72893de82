/**
 * Async traits across files: a TypeScript project whose implementations return promises without
 * `async` and without return types, while what they return is said in other modules (an
 * interface behind a path alias and a re-exporting index, a generic interface extending another,
 * an abstract class, a typed object literal, an imported alias, a callee in another module).
 * Each method gets an async span from its call, and no thread span: transformed as babel-jest
 * does and run here, and under `spanfn run`, marked and --all.
 */
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { transformSync, type TransformOptions } from "@babel/core";
import plugin from "../src/index.js";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { SpanFnPluginOptions } from "../src/index.js";
import * as tracing from "../../tracing/src/index.js";
import { asPairs } from "../../tracing/test/chrome-pairs.js";
import { compile } from "./run-output.js";

const PROJECT = join(__dirname, "projects/contracts");
const METHODS = ["Users.getUser", "UserRepo.get", "UserRepo.warm", "Lines.read", "Report.run", "echo.handle", "check", "later"];
const OUTPUT = "ADA linus undefined line done hi 1 bye";

/** Loads `file` and what it imports, each compiled as babel-jest would (TypeScript, CommonJS, the plugin). */
function loadProject(entry: string, options: SpanFnPluginOptions): Record<string, unknown> {
  const loaded = new Map<string, { exports: Record<string, unknown> }>();
  const load = (file: string): Record<string, unknown> => {
    const cached = loaded.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} as Record<string, unknown> };
    loaded.set(file, module);
    const { code } = compile(readFileSync(file, "utf8"), file, options, {
      root: PROJECT,
      presets: [require.resolve("@babel/preset-typescript")],
      plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
    });
    const require_ = (name: string) => (name === "@spanfn/tracing" ? tracing : load(resolve(dirname(file), name) + ".ts"));
    new Function("require", "module", "exports", code!)(require_, module, module.exports);
    return module.exports;
  };
  return load(entry);
}

const sink = new tracing.InMemorySink();
beforeEach(() => {
  tracing.setSink(sink);
  tracing.flush();
  sink.clear();
});
afterAll(() => tracing.setSink(null));

describe.each(["marked", "all"] as const)("babel-jest-style transform, instrument: %s", (instrument) => {
  test("every method records an async span from its call to settlement, and no thread span", async () => {
    const service = loadProject(join(PROJECT, "src/service.ts"), { instrument }) as Record<string, any>;
    const results = [
      (await new service.Users().getUser("ada")).name,
      (await new service.UserRepo().get("linus")).name,
      String(await new service.UserRepo().warm()),
      await new service.Lines().read(),
      await new service.Report().run(),
      await service.echo.handle("hi"),
      String((await service.check()).value),
      await service.later("bye"),
    ];
    expect(results.join(" ")).toBe(OUTPUT);
    await new Promise((r) => setTimeout(r, 5));
    tracing.flush();
    const events = sink.events();
    const named = (kind: string, method: string) => events.filter((e) => e.kind === kind && e.name === `src/service::${method}`);
    for (const method of METHODS) {
      expect([method, named("thread-begin", method)]).toEqual([method, []]);
      const [begin] = named("async-begin", method);
      expect([method, begin]).toEqual([method, expect.anything()]);
      const end = events.find((e) => e.kind === "async-end" && e.spanId === begin.spanId)!;
      // From the call: the span covers the query's whole latency.
      expect(end.time - begin.time).toBeGreaterThanOrEqual(18);
    }
  });
});

describe("spanfn run", () => {
  const scratch = mkdtempSync(join(tmpdir(), "spanfn-contracts-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const BIN = join(__dirname, "../../cli/bin/spanfn.js");

  test.each([[[]], [["--all"]]])("flags %j: async spans from the call, no thread spans", (flags: string[]) => {
    const out = join(scratch, `trace${flags.join("")}.json`);
    const result = spawnSync(process.execPath, [BIN, "run", "--quiet", ...flags, "--out", out, "src/main.ts"], {
      cwd: PROJECT,
      encoding: "utf8",
      timeout: 60000,
      env: { ...process.env, SPANFN_CACHE_DIR: join(scratch, "cache") },
    });
    expect(result.stderr).not.toContain("returned promises");
    expect(result.stdout).toBe(OUTPUT + "\n");
    expect(result.status).toBe(0);
    const events = asPairs(tracing.parseChromeTrace(readFileSync(out, "utf8")));
    for (const method of METHODS) {
      const name = `src/service::${method}`;
      expect([method, events.filter((e) => e.ph === "B" && e.name === name)]).toEqual([method, []]);
      const begins = events.filter((e) => e.ph === "b" && e.name === name);
      expect([method, begins.length]).toEqual([method, 1]);
      const end = events.find((e) => e.ph === "e" && e.id === begins[0].id)!;
      expect(end.ts! - begins[0].ts!).toBeGreaterThanOrEqual(18_000);
    }
  });
});

/** A class implementing the `Service` contract imported from `from`, its method returning a call's value. */
function implementation(from: string): string {
  return `import type { Service } from "${from}";\nexport class Impl implements Service {\n  load() {\n    return this.db.get();\n  }\n}\n`;
}

/** One options object, as a build's config hands the same plugin item to every file. */
function allModeConfig(filename: string): TransformOptions {
  return {
    filename,
    babelrc: false,
    configFile: false,
    presets: [require.resolve("@babel/preset-typescript")],
    plugins: [[plugin, { instrument: "all" }]],
  };
}

describe("a contract file changing", () => {
  const dir = mkdtempSync(join(__dirname, ".run-contracts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const contract = join(dir, "contract.ts");
  const service = join(dir, "service.ts");
  const source = implementation("./contract");
  const config = allModeConfig(service);
  const transform = () => transformSync(source, config)!;

  test("is read again when its mtime changes, and is reported as a dependency of the file", () => {
    writeFileSync(contract, "export interface Service { load(): Promise<string> }\n");
    const first = transform();
    expect(first.code).toContain("beginAsync(");
    expect((first.metadata as { spanfn?: { dependencies: string[] } }).spanfn?.dependencies).toContain(contract);

    writeFileSync(contract, "export interface Service { load(): string }\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(contract, later, later);
    const second = transform();
    expect(second.code).not.toContain("beginAsync(");
    // Babel takes external dependencies when it builds the plugin: files read by earlier
    // transforms are named in later results, for watchers (babel-loader, Parcel) to re-run them.
    // (@types/babel__core does not declare the result's externalDependencies yet.)
    const { externalDependencies } = second as { externalDependencies?: Set<string> };
    expect([...(externalDependencies ?? [])]).toContain(contract);
  });

  test("followImports: false reads the file alone", () => {
    writeFileSync(contract, "export interface Service { load(): Promise<string> }\n");
    const alone = transformSync(source, { ...config, plugins: [[plugin, { instrument: "all", followImports: false }]] })!;
    expect(alone.code).not.toContain("beginAsync(");
    expect((alone.metadata as { spanfn?: { dependencies: string[] } }).spanfn?.dependencies).toEqual([]);
    expect(transform().code).toContain("beginAsync(");
  });
});

describe("a tsconfig changing", () => {
  const dir = mkdtempSync(join(__dirname, ".run-tsconfig-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const service = join(dir, "service.ts");
  const source = implementation("@contract");
  const config = allModeConfig(service);
  const aliasTo = (target: string, at: Date) => {
    const tsconfig = join(dir, "tsconfig.json");
    writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { paths: { "@contract": [target] } } }));
    utimesSync(tsconfig, at, at);
  };

  test("its paths are read again, so an alias that now names another contract is followed there", () => {
    writeFileSync(join(dir, "promised.ts"), "export interface Service { load(): Promise<string> }\n");
    writeFileSync(join(dir, "plain.ts"), "export interface Service { load(): string }\n");
    aliasTo("./promised.ts", new Date(Date.now() - 60_000));
    expect(transformSync(source, config)!.code).toContain("beginAsync(");
    aliasTo("./plain.ts", new Date());
    expect(transformSync(source, config)!.code).not.toContain("beginAsync(");
  });
});
