/**
 * scripts/check-cycles.mjs, which `npm test` runs over every package's sources: it fails on an
 * import cycle, names the files around it, and leaves type-only imports out.
 */
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const script = join(__dirname, "../../../scripts/check-cycles.mjs");

function check(...dirs: string[]) {
  const result = spawnSync(process.execPath, [script, ...dirs], { encoding: "utf8", timeout: 30000 });
  if (result.error) throw result.error;
  return result;
}

/** A scratch source tree: file name -> contents. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "spanfn-cycles-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("the import cycle check", () => {
  test("passes on the packages' sources as they are", () => {
    const result = check();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^import cycles: none in \d+ source files/);
  });

  test("fails on a cycle, naming the files around it", () => {
    const dir = tree({
      "a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
      "b.ts": 'import { c } from "./deep/c.js";\nexport const b = c;\n',
      "deep/c.ts": 'export { a as c } from "../a.js";\n',
      "leaf.ts": 'import { a } from "./a.js";\nexport const leaf = a;\n',
    });
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("1 import cycle(s)");
    const line = result.stderr.split("\n").find((l) => l.startsWith("import cycle:"))!;
    for (const file of ["a.ts", "b.ts", "deep/c.ts"]) expect(line).toContain(file);
    expect(line).not.toContain("leaf.ts");
  });

  test("fails on a cycle through a folder's index and a dynamic import", () => {
    const dir = tree({
      "main.ts": 'export * from "./lib/index.js";\n',
      "lib/index.ts": 'export const load = () => import("../main.js");\n',
    });
    expect(check(dir).status).toBe(1);
  });

  test("leaves out imports that name only types", () => {
    const dir = tree({
      "a.ts": 'import type { B } from "./b.js";\nexport interface A { b?: B }\n',
      "b.ts": 'import { type A } from "./a.js";\nexport type { A } from "./a.js";\nexport interface B { a?: A }\n',
    });
    const result = check(dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("none in 2 source files");
  });
});
