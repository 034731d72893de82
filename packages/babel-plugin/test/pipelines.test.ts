/**
 * The plugin inside real pipelines: beside preset-typescript and preset-env in either order and
 * with old targets that down-compile async code after the plugin ran, and with source maps.
 */
import { beforeEach, describe, expect, test } from "@jest/globals";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import type { PluginItem } from "@babel/core";
import * as tracing from "../../tracing/src/index.js";
import { compile, evaluate, render } from "./run-output.js";

const sink = new tracing.InMemorySink();
beforeEach(() => {
  tracing.setSink(sink);
  tracing.flush();
  sink.clear();
});

const SERVICE = `
interface Service {
  process(s: string): Promise<string>;
}
type Later<T> = Promise<T>;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Impl implements Service {
  /** @spanFn */
  process(s: string): Later<string> {
    return this.work(s);
  }
  /** @spanFn */
  async work(s: string): Promise<string> {
    await delay(2);
    return this.shout(s);
  }
  /** @spanFn */
  shout(s: string): string {
    return s.toUpperCase();
  }
}

export async function run(): Promise<string> {
  return new Impl().process("hi");
}
`;

const EXPECTED = `b#1 src/service::Impl.process parent=root depth=1
b#2 src/service::Impl.work parent=#1 depth=2
B src/service::Impl.shout
E src/service::Impl.shout
e#2 src/service::Impl.work fulfilled
e#1 src/service::Impl.process fulfilled
`;

const typescript: PluginItem = [require.resolve("@babel/preset-typescript")];
const env = (targets: string): PluginItem => [require.resolve("@babel/preset-env"), { targets, modules: "commonjs" }];

async function runWith(presets: PluginItem[]): Promise<{ result: unknown; trace: string; code: string }> {
  const { code } = compile(SERVICE, "/project/src/service.ts", {}, { presets });
  const exports = evaluate(code!, { "regenerator-runtime": undefined });
  const result = await (exports.run as () => Promise<unknown>)();
  await new Promise((r) => setTimeout(r, 0));
  tracing.flush();
  const trace = render(sink.events());
  sink.clear();
  return { result, trace, code: code! };
}

describe("presets", () => {
  test.each([
    ["typescript, then env", [typescript, env("node 20")]],
    ["env, then typescript", [env("node 20"), typescript]],
    ["typescript, then env down to generators (node 6)", [typescript, env("node 6")]],
    ["env down to generators, then typescript", [env("node 6"), typescript]],
  ])("%s: the annotated method still gets its async span, and the trace is the same", async (_name, presets) => {
    const { result, trace, code } = await runWith(presets as PluginItem[]);
    expect(result).toBe("HI");
    expect(trace).toBe(EXPECTED);
    expect(code).toContain('require("@spanfn/tracing")');
  });
});

describe("source maps", () => {
  test("a position inside an instrumented function maps back to its original line", () => {
    const source = ["/** @spanFn */", "export function area(w, h) {", "  const product = w * h;", "  return product;", "}", ""].join("\n");
    const result = compile(source, "/project/src/area.js", {}, { sourceMaps: true });
    const code = result.code!;
    const lines = code.split("\n");
    const generatedLine = lines.findIndex((l) => l.includes("const product")) + 1;
    expect(generatedLine).toBeGreaterThan(3);
    const column = lines[generatedLine - 1].indexOf("product");
    const map = new TraceMap(result.map as never);
    const original = originalPositionFor(map, { line: generatedLine, column });
    expect(original).toMatchObject({ source: "area.js", line: 3 });
    // Generated statements carry no location: they map to nothing, or to the function itself,
    // never to a user statement (a stack trace through them must not blame line 3 or 4).
    const beginLine = lines.findIndex((l) => l.includes("_spanfn.beginWord(")) + 1;
    expect([null, 2]).toContain(originalPositionFor(map, { line: beginLine, column: lines[beginLine - 1].indexOf("_spanfn") }).line);
  });
});
