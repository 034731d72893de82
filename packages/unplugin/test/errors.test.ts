/**
 * What the plugin says when something is wrong: bad options fail when the plugin is made, naming
 * the option; a misplaced marker fails the build naming the file and line; a file Babel cannot
 * read is bundled as it is, with a warning (the bundler reports its own syntax errors). Built
 * with Rollup's API on files in a temporary directory; the runtime import stays external.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { rollup, type RollupLog } from "rollup";
import spanfn from "@spanfn/unplugin/rollup";
const spanfnRollup = spanfn;
import spanfnVite from "@spanfn/unplugin/vite";
import spanfnWebpack from "@spanfn/unplugin/webpack";
import spanfnRspack from "@spanfn/unplugin/rspack";
import spanfnEsbuild from "@spanfn/unplugin/esbuild";

const dir = mkdtempSync(join(tmpdir(), "spanfn-unplugin-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, code: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return path;
}

async function bundle(input: string, options: Parameters<typeof spanfn>[0] = {}): Promise<{ code: string; warnings: string[] }> {
  const warnings: string[] = [];
  const build = await rollup({
    input,
    plugins: [spanfn({ root: dir, ...options })],
    external: (id) => !id.startsWith(dir) && id !== input,
    onwarn: (warning: RollupLog) => warnings.push(warning.message),
  });
  const { output } = await build.generate({ format: "es" });
  await build.close();
  return { code: output[0].code, warnings };
}

describe("options", () => {
  test.each([
    [{ instrumen: "all" }, 'unknown option "instrumen"; known options: instrument, root, runtimeModule, promiseTypes, promiseFunctions, followImports, typeChecker, include, exclude, typescript'],
    [{ typeChecker: "yes" }, 'option "typeChecker" must be true, false or { tsconfig: "path/to/tsconfig.json" }; got "yes"'],
    [{ instrument: "some" }, 'option "instrument" must be "marked" or "all"; got "some"'],
    [{ typescript: "remove" }, 'option "typescript" must be "keep" or "strip"; got "remove"'],
    [{ include: [42] }, 'option "include" must be a glob string, a RegExp, or an array of them; got [42]'],
    [{ promiseTypes: "Bluebird" }, 'option "promiseTypes" must be an array of type names; got "Bluebird"'],
  ])("%j throws where the config makes the plugin, naming the option", (options, message) => {
    const expected = `@spanfn/unplugin: ${message}`;
    for (const make of [spanfnRollup, spanfnVite, spanfnWebpack, spanfnRspack, spanfnEsbuild]) {
      let thrown: Error | undefined;
      try {
        make(options as never);
      } catch (error) {
        thrown = error as Error;
      }
      expect(thrown?.message).toBe(expected);
      // The stack leads to the config's line (here, this file's).
      expect(thrown?.stack).toContain("errors.test.ts");
    }
  });

  test("include and exclude select files by glob (relative to root) or RegExp; node_modules only when named", async () => {
    const marked = "/** @spanFn */\nexport function work() {\n  return 1;\n}\n";
    const kept = file("kept.js", marked);
    const skipped = file("skipped.js", marked);
    const vendored = file("node_modules/lib/index.js", marked);
    expect((await bundle(kept, { exclude: ["skipped.js"] })).code).toContain("registerSpans");
    expect((await bundle(skipped, { exclude: ["skipped.js"] })).code).not.toContain("registerSpans");
    expect((await bundle(skipped, { exclude: [/skipped\.js$/] })).code).not.toContain("registerSpans");
    expect((await bundle(kept, { include: [/kept\.js$/] })).code).toContain("registerSpans");
    expect((await bundle(skipped, { include: ["kept.js"] })).code).not.toContain("registerSpans");
    expect((await bundle(vendored)).code).not.toContain("registerSpans");
    expect((await bundle(vendored, { include: ["node_modules/lib/**"] })).code).toContain("registerSpans");
  });
});

test("Vite: a module is instrumented with the queries Vite adds, not when imported as text or URL", async () => {
  const path = file("page.ts", "/** @spanFn */\nexport function work(): number {\n  return 1;\n}\n");
  const plugin = spanfnVite({ root: dir }) as unknown as { transform: (code: string, id: string) => Promise<{ code: string } | null | undefined> };
  const code = "/** @spanFn */\nexport function work(): number {\n  return 1;\n}\n";
  const context = { warn: (message: string) => { throw new Error(message); } };
  for (const id of [path, `${path}?t=1712`, `${path}?v=abc`]) expect((await plugin.transform.call(context, code, id))?.code).toContain("registerSpans");
  for (const id of [`${path}?raw`, `${path}?url`, `${path}?inline`, "\0virtual:page.ts"]) expect(await plugin.transform.call(context, code, id)).toBeFalsy();
});

describe("build errors and warnings", () => {
  test("a marker on no function fails the build, naming the file and line with a code frame", async () => {
    const input = file("misplaced.ts", "export const a = 1;\n\n/** @spanFn */\nexport const limit: number = 10;\n");
    const failure = bundle(input);
    const message = await failure.then(() => "", (error: Error) => stripVTControlCharacters(error.message));
    expect(message).toMatch(/@spanfn\/unplugin: misplaced\.ts:3:1: @spanfn\/babel-plugin: .*\n(.|\n)*> 3 \| \/\*\* @spanFn \*\//);
    await expect(failure).rejects.toMatchObject({ id: input, loc: { file: input, line: 3 } });
  });

  test("all-mode: a file Babel cannot parse is left to the bundler, with a warning naming it", async () => {
    // Valid for a bundler with a JavaScript parser that knows this (none here): Babel's error is
    // not the build's. Rollup then reports its own.
    const input = file("odd.js", "export const x = 1;\nexport function f() {\n  return x +;\n}\n");
    const warnings: string[] = [];
    const failure = rollup({ input, plugins: [spanfn({ root: dir, instrument: "all" })], onwarn: (w) => warnings.push(w.message) });
    await expect(failure).rejects.toThrow(/Unexpected token|Expression expected/);
    expect(warnings.join("\n")).toMatch(/@spanfn\/unplugin: odd\.js:3:\d+: .*\n(.|\n)*odd\.js is bundled without spans/);
  });

  test("all-mode instruments every function of a valid module and the build succeeds without a warning", async () => {
    const input = file(
      "everything.ts",
      [
        "export class Store<T> {",
        "  #items: T[] = [];",
        "  static create<T>(): Store<T> { return new Store<T>(); }",
        "  get size(): number { return this.#items.length; }",
        "  *[Symbol.iterator](): Iterator<T> { yield* this.#items; }",
        "  async *drain(): AsyncGenerator<T> { for (const item of this.#items) yield item; }",
        "  add = (item: T): void => { this.#items.push(item); };",
        "}",
        "export default function (x: number) { return () => x satisfies number; }",
        "",
      ].join("\n"),
    );
    const { code, warnings } = await bundle(input, { instrument: "all" });
    expect(warnings).toEqual([]);
    const names = ["Store.create", "Store.get size", "Store.[Symbol.iterator]", "Store.drain", "Store.add", "everything::default"];
    for (const name of names) expect(code).toContain(`"everything::${name.replace("everything::", "")}"`);
  });
});
