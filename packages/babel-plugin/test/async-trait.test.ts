/**
 * The seed's demonstration, with real compilers: TypeScript services whose methods return
 * promises, compiled by `typescript` (ES2017 native async, ES2015 `__awaiter`, ES5
 * `__awaiter`/`__generator`, with and without `importHelpers`) and by `@babel/preset-env`
 * (async-to-generator, and regenerator for old targets), then instrumented in all-mode and run.
 * Whatever the compiler did, the methods record async spans from call to settlement, never
 * thread spans, with the right parents.
 */
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as babel from "@babel/core";
import ts from "typescript";
import * as tracing from "../../tracing/src/index.js";
import { compile, evaluate } from "./run-output.js";

const source = readFileSync(join(__dirname, "async-trait/services.ts"), "utf8");

function tsc(target: ts.ScriptTarget, importHelpers = false): string {
  return ts.transpileModule(source, {
    compilerOptions: { target, module: ts.ModuleKind.CommonJS, importHelpers, strict: false },
  }).outputText;
}

function babelEnv(targets: string): string {
  return babel.transformSync(source, {
    filename: "services.ts",
    babelrc: false,
    configFile: false,
    presets: [require.resolve("@babel/preset-typescript"), [require.resolve("@babel/preset-env"), { targets }]],
  })!.code!;
}

const COMPILERS: Array<[string, () => string]> = [
  ["tsc ES2017 (native async)", () => tsc(ts.ScriptTarget.ES2017)],
  ["tsc ES2015 (__awaiter)", () => tsc(ts.ScriptTarget.ES2015)],
  ["tsc ES2015 + importHelpers (tslib.__awaiter)", () => tsc(ts.ScriptTarget.ES2015, true)],
  ["tsc ES5 (__awaiter + __generator)", () => tsc(ts.ScriptTarget.ES5)],
  ["babel preset-env node 6 (_asyncToGenerator)", () => babelEnv("node 6")],
  ["babel preset-env ie 11 (regenerator)", () => babelEnv("ie 11")],
];

const sink = new tracing.InMemorySink();
beforeEach(() => {
  tracing.setSink(sink);
  tracing.flush();
  sink.clear();
});
afterAll(() => tracing.setSink(null));

const short = (name: string) => name.replace(/^.*::/, "").replace(/^.*\./, "");

describe.each(COMPILERS)("%s", (_name, compileWith) => {
  test("promise-returning methods record async spans from call to settlement, with true parents", async () => {
    const compiled = compileWith();
    const { code } = compile(compiled, "/project/src/services.js", { instrument: "all" });
    const exports = evaluate(code!, { tslib: require("tslib") });
    const result = await (exports.run as () => Promise<string>)();
    await new Promise((r) => setTimeout(r, 5));
    tracing.flush();
    expect(result).toBe(`A! 7 {"ok":true,"bytes":3} D! ${/* checksum of "A!" */ (65 * 31 + 33) >>> 0}`);

    const events = sink.events();
    const asyncNames = ["run", "process", "audit", "get", "encode"];
    // No thread span for any of them: that was micromegas' bug.
    const threadNames = new Set(events.filter((e) => e.kind === "thread-begin").map((e) => short(e.name)));
    for (const name of asyncNames) expect(threadNames).not.toContain(name);
    // Sync code keeps its thread spans.
    expect(threadNames).toContain("checksum");

    const begins = events.filter((e) => e.kind === "async-begin");
    const ends = new Map(events.filter((e) => e.kind === "async-end").map((e) => [e.spanId, e]));
    const byName = (name: string) => begins.filter((e) => short(e.name) === name);
    expect(byName("run")).toHaveLength(1);
    expect(byName("process")).toHaveLength(2);
    expect(byName("audit")).toHaveLength(2);
    expect(byName("get")).toHaveLength(1);
    expect(byName("encode")).toHaveLength(1);
    for (const b of begins) {
      const e = ends.get(b.spanId);
      expect(e).toBeDefined();
      expect(e!.outcome).toBe("fulfilled");
    }

    const run = byName("run")[0];
    expect(run).toMatchObject({ parentId: 0, depth: 1 });
    // Each method called from run's body (after its awaits resumed) has run as parent.
    for (const name of ["get", "encode"]) expect(byName(name)[0]).toMatchObject({ parentId: run.spanId, depth: 2 });
    const processes = byName("process");
    for (const p of processes) expect(p).toMatchObject({ parentId: run.spanId, depth: 2 });
    // audit runs after process's own await resumed: its parent is that process.
    const parentsOfAudit = byName("audit").map((a) => a.parentId).sort();
    expect(parentsOfAudit).toEqual(processes.map((p) => p.spanId).sort());

    // A method awaiting a 20 ms timer spans at least 20 ms (it ends when its promise settles).
    for (const name of ["process", "get", "encode"]) {
      for (const b of byName(name)) expect(ends.get(b.spanId)!.time - b.time).toBeGreaterThanOrEqual(18);
    }
  });
});

describe("an implements-contract method without async or a return type (TypeScript source)", () => {
  test("gets an async span that ends when the promise it passes on settles", async () => {
    const services = evaluate(
      compile(source, "/project/src/services.ts", { instrument: "all" }, {
        presets: [require.resolve("@babel/preset-typescript")],
        plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
      }).code!,
    );
    const contract = readFileSync(join(__dirname, "async-trait/contract.ts"), "utf8");
    const { code } = compile(contract, "/project/src/contract.ts", {}, {
      presets: [require.resolve("@babel/preset-typescript")],
      plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
    });
    // Unmarked, nothing is instrumented; marked, the contract routes the method to an async span.
    const marked = compile(contract.replace("  process(s) {", "  /** @spanFn */\n  process(s) {"), "/project/src/contract.ts", {}, {
      presets: [require.resolve("@babel/preset-typescript")],
      plugins: [require.resolve("@babel/plugin-transform-modules-commonjs")],
    }).code!;
    expect(code).not.toContain("beginAsync");
    expect(marked).toContain("_spanfn.beginAsync(");
    expect(marked).toContain("_spanfn.endAsync(_sf$s, _sf$r)");
    const exports = evaluate(marked, { "./services": services });
    await expect((exports.run as () => Promise<string>)()).resolves.toBe("D!");
    await new Promise((r) => setTimeout(r, 5));
    tracing.flush();
    const events = sink.events();
    expect(events.filter((e) => e.kind === "thread-begin" && short(e.name) === "process")).toEqual([]);
    const forwarding = events.find((e) => e.kind === "async-begin" && e.name === "src/contract::Forwarding.process")!;
    const inner = events.find((e) => e.kind === "async-begin" && e.name === "src/services::Simple.process")!;
    expect(inner.parentId).toBe(forwarding.spanId);
    const endOf = (id: number) => events.find((e) => e.kind === "async-end" && e.spanId === id)!;
    expect(endOf(forwarding.spanId).time).toBeGreaterThanOrEqual(endOf(inner.spanId).time);
    expect(endOf(forwarding.spanId).time - forwarding.time).toBeGreaterThanOrEqual(18);
  });
});
