// Writes a typical TypeScript service project into bench/.generated/typical-project/ for
// bench/plugin-speed.mjs: services implementing contracts that live in other files (behind a
// tsconfig paths alias and a re-exporting index, generic, extending a base interface), calling
// helpers of another module, their methods marked; models and plain modules with nothing marked.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT = fileURLToPath(new URL("./.generated/typical-project/", import.meta.url));
const CONTRACTS = 10;
const SERVICES = 40;
const PLAIN = 20;

function write(path, text) {
  mkdirSync(dirname(join(PROJECT, path)), { recursive: true });
  writeFileSync(join(PROJECT, path), text);
}

/** Writes the project; returns its source files (absolute paths). */
export function prepareTypicalProject() {
  rmSync(PROJECT, { recursive: true, force: true });
  const files = [];
  const source = (path, text) => {
    write(path, text);
    files.push(join(PROJECT, path));
  };
  write("tsconfig.json", JSON.stringify({ compilerOptions: { target: "ES2022", strict: true, baseUrl: ".", paths: { "@app/*": ["src/*"] } } }));
  source("src/contracts/base.ts", "export interface Closable {\n  close(): Promise<void>;\n}\n");
  const index = ['export * from "./base";'];
  for (let i = 0; i < CONTRACTS; i++) {
    source(`src/models/model${i}.ts`, `export interface Model${i} {\n  id: string;\n  name: string;\n  size${i}: number;\n}\n`);
    source(
      `src/contracts/service${i}.ts`,
      `import type { Closable } from "./base";\nimport type { Model${i} } from "../models/model${i}";\n\n` +
        `export interface Service${i}<T = Model${i}> extends Closable {\n  get(id: string): Promise<T>;\n  list(limit: number): Promise<T[]>;\n  count(): number;\n}\n`,
    );
    index.push(`export * from "./service${i}";`);
  }
  source("src/contracts/index.ts", index.join("\n") + "\n");
  source(
    "src/util/http.ts",
    "export function request(url: string, body?: unknown) {\n  return new Promise((resolve) => setTimeout(() => resolve({ url, body }), 1));\n}\n\n" +
      "export function format(value: unknown): string {\n  return typeof value === \"string\" ? value : JSON.stringify(value);\n}\n",
  );
  for (let i = 0; i < SERVICES; i++) {
    const c = i % CONTRACTS;
    const helpers = Array.from(
      { length: 8 },
      (_, h) =>
        `function helper${h}(items: number[]): number {\n  let total = 0;\n  for (const item of items) {\n    if (item % ${h + 2} === 0) total += item * ${h};\n    else total -= item;\n  }\n  return total + format(items).length;\n}\n`,
    ).join("\n");
    source(
      `src/services/impl${i}.ts`,
      `import type { Model${c}, Service${c} } from "@app/contracts";\nimport { format, request } from "../util/http";\n\n${helpers}\n` +
        `export class Impl${i} implements Service${c}<Model${c}> {\n  private client: any;\n  private cache = new Map<string, unknown>();\n\n` +
        `  /** @spanFn */\n  get(id: string) {\n    return this.client.fetch(\`/model${c}/\${id}\`);\n  }\n\n` +
        `  /** @spanFn */\n  list(limit: number) {\n    return request(\`/model${c}?limit=\${limit}\`);\n  }\n\n` +
        `  /** @spanFn */\n  count() {\n    return this.cache.size + helper0([1, 2, 3]);\n  }\n\n` +
        `  /** @spanFn */\n  close() {\n    return this.client.end();\n  }\n\n` +
        `  describe(): string {\n    return format({ impl: ${i}, size: helper${i % 8}([${i}, ${i + 1}]) });\n  }\n}\n`,
    );
  }
  for (let i = 0; i < PLAIN; i++) {
    source(
      `src/plain/module${i}.ts`,
      `export interface Options${i} {\n  depth: number;\n}\n\nexport function walk${i}(tree: { children: unknown[] }, options: Options${i}): number {\n` +
        `  let count = 0;\n  const stack = [tree];\n  while (stack.length > 0) {\n    const node = stack.pop()!;\n    count += node.children.length;\n  }\n  return count * options.depth;\n}\n`,
    );
  }
  return files;
}
