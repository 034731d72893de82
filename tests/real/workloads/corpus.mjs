/**
 * The files the workloads feed to the compilers and the formatter: fixture inputs (each function
 * form, generators, async, classes) and runtime sources of this repository, in a fixed order, so
 * plain and instrumented runs see the same bytes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../..", import.meta.url));

function walk(dir, keep, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, keep, out);
    else if (keep(name)) out.push(path);
  }
  return out;
}

/**
 * `[path relative to the repository, source]` for the corpus: every function form, compiled
 * async code and two runtime sources. Small on purpose: instrumented Babel records several
 * hundred thousand events per file compiled, and the trace has to stay checkable.
 */
export function corpus() {
  const fixtures = walk(join(REPO, "fixtures"), (name) => /^input\.[jt]s$/.test(name)).filter((path) =>
    /\/fixtures\/(forms|promise-returning|all-mode\/everything)\//.test(path),
  );
  const sources = ["thread-spans.ts", "settle.ts"].map((name) => join(REPO, "packages/tracing/src", name));
  return [...fixtures, ...sources].map((path) => [relative(REPO, path), readFileSync(path, "utf8")]);
}

/**
 * An expression nested `depth` levels deep, for the compilers' recursive descent (parser,
 * traversal, generator, printer): calls, arrows and conditionals inside each other.
 */
export function deepSource(depth) {
  let expression = "x";
  for (let i = 0; i < depth; i++) expression = i % 3 === 0 ? `f(${expression}, ${i})` : i % 3 === 1 ? `(() => ${expression})()` : `(c ? ${expression} : ${i})`;
  return `export const deep = (f, c, x) => ${expression};\n`;
}
