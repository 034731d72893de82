// Fails when the packages' sources import each other in a circle. A circle makes load order
// decide what a module sees of another (an import still uninitialized), bundlers warn about it,
// and it hides which layer a file belongs to. Imports are read with TypeScript's own parser;
// those that name only types (`import type`, `export type`, or every name marked `type`) are
// erased before the code runs and are left out.
//
//   node scripts/check-cycles.mjs [DIR...]   (default: packages/*/src)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ts = require("typescript");

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

function sourceDirs(args) {
  if (args.length > 0) return args.map((dir) => resolve(dir));
  const packages = join(ROOT, "packages");
  return readdirSync(packages)
    .map((name) => join(packages, name, "src"))
    .filter((dir) => existsSync(dir) && statSync(dir).isDirectory());
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, name))
    .filter((file) => SOURCE.test(file) && !file.endsWith(".d.ts") && statSync(file).isFile());
}

/** The file a relative specifier names: sources import "./x.js" for ./x.ts. */
function resolveSpecifier(from, specifier, known) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|cjs)$/, "");
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, join(base, "index.ts"), join(base, "index.js")];
  return candidates.find((file) => known.has(file)) ?? null;
}

/** Relative specifiers of the imports and re-exports in `file` that exist when it runs. */
export function runtimeImports(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const specifiers = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      if (!typeOnly && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly ||
        (clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly));
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteral(argument)) specifiers.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((specifier) => specifier.startsWith("."));
}

/** Strongly connected components of more than one file, or of one file that imports itself (Tarjan). */
export function findCycles(graph) {
  let index = 0;
  const indices = new Map();
  const lowlinks = new Map();
  const onStack = new Set();
  const stack = [];
  const cycles = [];
  const connect = (node) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        lowlinks.set(node, Math.min(lowlinks.get(node), lowlinks.get(next)));
      } else if (onStack.has(next)) lowlinks.set(node, Math.min(lowlinks.get(node), indices.get(next)));
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) connect(node);
  return cycles;
}

/** One circle through a component, for the message: a path that comes back to its start. */
function circleThrough(component, graph) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        for (let at = previous.get(node); at !== null; at = previous.get(at)) path.unshift(at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return component;
}

export function checkCycles(dirs) {
  const files = dirs.flatMap(filesUnder);
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const targets = new Set();
    for (const specifier of runtimeImports(file, readFileSync(file, "utf8"))) {
      const target = resolveSpecifier(file, specifier, known);
      if (target !== null) targets.add(target);
    }
    graph.set(file, targets);
  }
  return { files: files.length, cycles: findCycles(graph).map((component) => circleThrough(component, graph)) };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { files, cycles } = checkCycles(sourceDirs(process.argv.slice(2)));
  if (cycles.length === 0) {
    console.log(`import cycles: none in ${files} source files`);
  } else {
    for (const circle of cycles) console.error(`import cycle: ${circle.map((file) => relative(ROOT, file)).join(" -> ")}`);
    console.error(`${cycles.length} import cycle(s): make the imports point one way (move what both need below both).`);
    process.exitCode = 1;
  }
}
