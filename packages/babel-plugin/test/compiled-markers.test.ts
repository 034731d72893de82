/**
 * Markers in code another compiler has rewritten: preset-env for old targets (ie 11) moves a
 * method's `/** @spanFn *\/` onto its class helper's wrapper, `value: (function () { var _m =
 * _asyncToGenerator(…); function m() {…} return m; }())`. The marker applies to the function the
 * wrapper returns, in both modes; a marker that cannot be placed stops a marked build and is a
 * warning in an all-mode one.
 */
import { afterAll, afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import * as babel from "@babel/core";
import { stripVTControlCharacters } from "node:util";
import * as tracing from "../../tracing/src/index.js";
import { compile, evaluate } from "./run-output.js";

const SOURCE = `
export class Service {
  /** @spanFn */
  async handle(x) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return x + 1;
  }
}

/** @spanFn */
export async function top(x) {
  return new Service().handle(x);
}
`;

const ie11 = babel.transformSync(SOURCE, {
  filename: "/project/src/service.js",
  babelrc: false,
  configFile: false,
  presets: [[require.resolve("@babel/preset-env"), { targets: "ie 11" }]],
})!.code!;

const sink = new tracing.InMemorySink();
beforeEach(() => {
  tracing.setSink(sink);
  tracing.flush();
  sink.clear();
});
afterAll(() => tracing.setSink(null));
afterEach(() => {
  jest.restoreAllMocks();
});

test("the compiler put the marker on the wrapper (the shape this file is about)", () => {
  expect(ie11).toMatch(/\/\*\* @spanFn \*\/\s*function \(\) \{\s*var _handle = _asyncToGenerator/);
});

describe.each(["marked", "all"] as const)("instrument: %s", (instrument) => {
  test("the marked method records an async span from its call; no error, no warning", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    const { code } = compile(ie11, "/project/src/service.js", { instrument });
    expect(warn).not.toHaveBeenCalled();
    const exports = evaluate(code!);
    await expect((exports.top as (x: number) => Promise<number>)(1)).resolves.toBe(2);
    tracing.flush();
    const events = sink.events();
    const begins = events.filter((e) => e.kind === "async-begin");
    const handle = begins.find((e) => e.name === "src/service::Service.handle" || e.name === "src/service::handle");
    const top = begins.find((e) => e.name === "src/service::top");
    expect(handle).toBeDefined();
    expect(top).toBeDefined();
    expect(handle!.parentId).toBe(top!.spanId);
    const end = events.find((e) => e.kind === "async-end" && e.spanId === handle!.spanId)!;
    expect(end.time - handle!.time).toBeGreaterThanOrEqual(18);
    expect(events.filter((e) => e.kind === "thread-begin" && /handle$/.test(e.name))).toEqual([]);
  });
});

/** The message `run` throws, without the colours Babel gives code frames where it sees colour support. */
function thrownBy(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return stripVTControlCharacters((error as Error).message);
  }
  throw new Error("expected a throw");
}

describe("a marker that cannot be placed", () => {
  const orphan = "const x = 1;\n/** @spanFn */\nconst y = 2;\nexport function f() { return x + y; }\n";

  test("stops a marked build, naming the file and the line", () => {
    expect(() => compile(orphan, "/project/src/orphan.js", {})).toThrow(/orphan\.js.*no function follows this comment/);
    expect(thrownBy(() => compile(orphan, "/project/src/orphan.js", {}))).toMatch(/> 2 \| \/\*\* @spanFn \*\//);
  });

  test("is a warning with a code frame in all-mode, and the build goes on", () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    const { code } = compile(orphan, "/project/src/orphan.js", { instrument: "all" });
    expect(code).toContain("registerSpans(");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(stripVTControlCharacters(String(warn.mock.calls[0][0]))).toMatch(/orphan\.js.*warning: @spanFn marks a function, but no function follows this comment[\s\S]*> 2 \| \/\*\* @spanFn \*\//);
  });
});
