/**
 * The optional TypeScript checker (option `typeChecker`): return types that only `tsc` knows (a
 * function's type inferred in another file, a promise held in a variable, a field typed by a
 * package's `.d.ts`) give async spans from the call; a mixed type stays on the run-time check.
 * The emitted code is pinned in projects/checker/expected/ (UPDATE_FIXTURES=1 rewrites it), the
 * recorded spans are checked by running it; detect.test.ts's table has the type shapes.
 */
import { afterAll, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { transformSync, type TransformOptions } from "@babel/core";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import plugin from "../src/index.js";
import type { SpanFnPluginOptions } from "../src/index.js";
import { TypeCheckers } from "../src/checker.js";
import * as tracing from "../../tracing/src/index.js";
import { checkFile } from "../../../fixtures/runner.cjs";

const PROJECT = join(__dirname, "projects/checker");
const SERVICE = join(PROJECT, "src/service.ts");
const CHECKER: SpanFnPluginOptions = { typeChecker: { tsconfig: "tsconfig.json" } };

function transform(file: string, options: SpanFnPluginOptions, extra: { code?: string; commonjs?: boolean } = {}): string {
  const result = transformSync(extra.code ?? readFileSync(file, "utf8"), {
    filename: file,
    root: PROJECT,
    cwd: PROJECT,
    babelrc: false,
    configFile: false,
    presets: [require.resolve("@babel/preset-typescript")],
    plugins: [[plugin, options], ...(extra.commonjs ? [require.resolve("@babel/plugin-transform-modules-commonjs")] : [])],
  });
  return result!.code!;
}

/** Loads the service and what it imports, each compiled as babel-jest would (TypeScript, CommonJS, the plugin). */
function loadService(options: SpanFnPluginOptions): Record<string, any> {
  const loaded = new Map<string, { exports: Record<string, unknown> }>();
  const load = (file: string): Record<string, unknown> => {
    const cached = loaded.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} as Record<string, unknown> };
    loaded.set(file, module);
    const require_ = (name: string) => (name === "@spanfn/tracing" ? tracing : load(resolve(dirname(file), name) + ".ts"));
    new Function("require", "module", "exports", transform(file, options, { commonjs: true }))(require_, module, module.exports);
    return module.exports;
  };
  return load(SERVICE);
}

const sink = new tracing.InMemorySink();
beforeEach(() => {
  tracing.setSink(sink);
  tracing.flush();
  sink.clear();
});
afterAll(() => tracing.setSink(null));

/** Calls every marked function once; returns the spans of each, by method. */
async function runService(options: SpanFnPluginOptions) {
  const service = loadService(options);
  service.prepare();
  const client = { get: (path: string) => new Promise((r) => setTimeout(() => r(`page ${path}`), 20)) };
  const results = [
    (await service.load("ada")).name,
    await service.whenReady(),
    await new service.Api(client).page("/a"),
    await service.maybe(true),
    await service.maybe(false),
    service.count(["x", "y"]),
  ];
  expect(results.join(" ")).toBe("ADA 1 page /a later now 2");
  await new Promise((r) => setTimeout(r, 5));
  tracing.flush();
  const events = sink.events();
  return (method: string) => {
    const name = `src/service::${method}`;
    const threads = events.filter((e) => e.kind === "thread-begin" && e.name === name).length;
    const asyncs = events.filter((e) => e.kind === "async-begin" && e.name === name);
    const durations = asyncs.map((begin) => events.find((e) => e.kind === "async-end" && e.spanId === begin.spanId)!.time - begin.time);
    return { threads, asyncs: asyncs.length, durations };
  };
}

const UNSEEN = ["load", "whenReady", "Api.page"];

describe("emitted code", () => {
  const update = process.env.UPDATE_FIXTURES === "1";
  test.each([
    ["with the checker", CHECKER, "service.checker.js"],
    ["without it", {}, "service.plain.js"],
  ] as const)("%s", (_name, options, expected) => {
    expect(checkFile(join(PROJECT, "expected", expected), `${transform(SERVICE, options)}\n`, update)).toBeNull();
  });
});

describe("recorded spans", () => {
  test("with the checker: an async span from the call, and no thread span, where only the types say promise", async () => {
    const spans = await runService(CHECKER);
    for (const method of UNSEEN) {
      const { threads, asyncs, durations } = spans(method);
      expect([method, threads, asyncs]).toEqual([method, 0, 1]);
      // From the call: the span covers the whole wait.
      if (method !== "whenReady") expect(durations[0]).toBeGreaterThanOrEqual(18);
    }
    // `Promise<string> | "now"`: the value decides, at run time, as without the checker.
    expect(spans("maybe")).toMatchObject({ threads: 2, asyncs: 1 });
    expect(spans("count")).toMatchObject({ threads: 1, asyncs: 0 });
  });

  test("without it: thread spans, and the run-time check finds the promises", async () => {
    const spans = await runService({});
    for (const method of UNSEEN) expect([method, spans(method).threads, spans(method).asyncs]).toEqual([method, 1, 1]);
    expect(spans("maybe")).toMatchObject({ threads: 2, asyncs: 1 });
    expect(spans("count")).toMatchObject({ threads: 1, asyncs: 0 });
  });
});

describe("the text Babel has", () => {
  const source = readFileSync(SERVICE, "utf8");

  test("is what the checker reads, not the disk's: positions moved, a function added", () => {
    const edited = `// edited, not saved\n${source}\n/** @spanFn */\nexport function again() {\n  return load("x");\n}\n`;
    const code = transform(SERVICE, CHECKER, { code: edited });
    for (const name of ["load", "whenReady", "page", "again"]) expect([name, asyncFunctions(code)]).toEqual([name, expect.arrayContaining([name])]);
    expect(asyncFunctions(code)).not.toContain("maybe");
    // And the disk's text again, afterwards.
    expect(asyncFunctions(transform(SERVICE, CHECKER))).toEqual(["load", "whenReady", "page"]);
  });
});

describe("another file of the project changing on disk", () => {
  const dir = mkdtempSync(join(__dirname, ".run-checker-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string, at: number) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
    utimesSync(join(dir, file), new Date(at), new Date(at));
  };

  test("is read again", () => {
    write("tsconfig.json", JSON.stringify({ compilerOptions: { target: "ES2022", strict: true, types: [] } }), Date.now());
    write("src/use.ts", 'import { make } from "./make";\n/** @spanFn */\nexport function use() {\n  return make();\n}\n', Date.now());
    write("src/make.ts", "export const make = (() => () => Promise.resolve(1))();\n", Date.now());
    const file = join(dir, "src/use.ts");
    // typeChecker: true, the nearest tsconfig.json.
    const run = () => transformSync(readFileSync(file, "utf8"), { filename: file, babelrc: false, configFile: false, plugins: [[plugin, { typeChecker: true }]] })!.code!;
    expect(asyncFunctions(run())).toEqual(["use"]);
    write("src/make.ts", "export const make = (() => () => 1)();\n", Date.now() + 5000);
    expect(asyncFunctions(run())).toEqual([]);
  });
});

describe("errors", () => {
  test("a tsconfig that is not there names the option and the path", () => {
    expect(() => transform(SERVICE, { typeChecker: { tsconfig: "missing/tsconfig.json" } })).toThrow(
      `option "typeChecker": the tsconfig "missing/tsconfig.json" is not there (${join(PROJECT, "missing/tsconfig.json")}, relative to the root ${PROJECT})`,
    );
  });

  test("no typescript to load names the option and the fix", () => {
    const checkers = new TypeCheckers(() => {
      throw new Error("Cannot find module 'typescript'");
    });
    expect(() => checkers.forFile(SERVICE, readFileSync(SERVICE, "utf8"), join(PROJECT, "tsconfig.json"), PROJECT)).toThrow(
      `option "typeChecker" needs the "typescript" package, which could not be loaded from ${PROJECT} (Cannot find module 'typescript'). Install it (npm install -D typescript) or remove the option.`,
    );
  });

  test("TypeScript failing on a file is a warning naming it, and the rules alone decide", () => {
    const real = require("typescript");
    const failing = {
      ...real,
      createLanguageService: (...args: unknown[]) => ({
        ...real.createLanguageService(...args),
        getProgram: () => {
          throw new Error("boom");
        },
      }),
    };
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const checkers = new TypeCheckers(() => failing);
      expect(checkers.forFile(SERVICE, readFileSync(SERVICE, "utf8"), join(PROJECT, "tsconfig.json"), PROJECT)).toBeNull();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`warning: TypeScript failed on ${SERVICE} (boom)`));
    } finally {
      warn.mockRestore();
    }
  });

  test.each([["yes"], [{ tsconfig: 1 }], [{ tsconfig: "" }], [{ tsconfg: "tsconfig.json" }], [[]]])("typeChecker: %j", (value) => {
    expect(() => transform(SERVICE, { typeChecker: value as never })).toThrow(
      `option "typeChecker" must be true, false or { tsconfig: "path/to/tsconfig.json" }; got ${JSON.stringify(value)}`,
    );
  });
});

/** The functions the emitted code gives async spans (`beginAsync` in their bodies), by name. */
function asyncFunctions(code: string): string[] {
  const names: string[] = [];
  const pattern = /(?:function (\w+)|^\s+(\w+))\([^)]*\) \{\n\s+var [^\n]*beginAsync\(/gm;
  for (const match of code.matchAll(pattern)) names.push(match[1] ?? match[2]);
  return names;
}
