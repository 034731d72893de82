// Builds the package in the current directory twice: ESM (dist/esm) and CommonJS (dist/cjs).
// CommonJS is shipped because Babel 7, jest and older register hooks load packages with `require`;
// `--esm-only` for a package nothing requires (the CLI).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { exportedFiles } from "./package-exports.mjs";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");

const esmOnly = process.argv.includes("--esm-only");
rmSync("dist", { recursive: true, force: true });
const builds = [
  ["tsconfig.json", "dist/esm", "module"],
  ["tsconfig.cjs.json", "dist/cjs", "commonjs"],
];
for (const [config, dir, type] of esmOnly ? builds.slice(0, 1) : builds) {
  execFileSync(process.execPath, [tsc, "-p", config], { stdio: "inherit" });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + "\n");
}

// Modules that locate files beside themselves use `import.meta.url`, which CommonJS lacks.
if (!esmOnly) for (const file of findFiles("dist/cjs", ".js")) {
  const code = readFileSync(file, "utf8");
  if (code.includes("import.meta.url")) writeFileSync(file, code.replaceAll("import.meta.url", 'require("node:url").pathToFileURL(__filename)'));
}

const manifest = JSON.parse(readFileSync("package.json", "utf8"));
if (!esmOnly) for (const entry of exportedFiles(manifest.exports, { require: true })) flattenExports(entry);

// Executables named in `bin` must be runnable however the package was linked.
const { bin } = manifest;
for (const file of typeof bin === "string" ? [bin] : Object.values(bin ?? {})) chmodSync(file, 0o755);

function findFiles(dir, extension) {
  return readdirSync(dir, { recursive: true }).filter((name) => name.endsWith(extension)).map((name) => `${dir}/${name}`);
}


/*
 * TypeScript compiles a re-export (`export { begin } from "./spans.js"`, `export *`) to a getter
 * on `exports`, a live binding. Generated code that Babel compiled to CommonJS reads
 * `_spanfn.beginGated` and `_spanfn.endReturn` at every recorded span, so each read was a getter
 * call: inlined once V8 optimizes the caller, a full call in every function it has not (most of a
 * large program's code). An entry's exports are functions, classes and constants, never
 * reassigned: once the entry has run, `module.exports` is swapped for a frozen object holding the
 * same values as plain properties (faster on the real workload in all-mode; a copy left
 * unfrozen was no faster than the getters). ESM code that imports the file learns its names from
 * Node's static scan of the source, which drops `export *`'s names at a `module.exports =`: the
 * names follow, in the form that scan reads and nothing runs (`0 && (module.exports = { ... })`,
 * as esbuild writes it).
 */
function flattenExports(file) {
  const code = readFileSync(file, "utf8");
  // `default` is every such import's anyway (module.exports), and no shorthand property.
  const names = Object.keys(require(resolve(file))).filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name));
  // Before the source map comment, which stays the file's last line.
  const at = code.lastIndexOf("//# sourceMappingURL=");
  const swap = [
    "// scripts/build-package.mjs: the entry's exports as plain properties, not re-export getters.",
    "module.exports = (function (live) {",
    "    const flat = Object.defineProperty({}, \"__esModule\", { value: true });",
    "    for (const key of Object.keys(live)) flat[key] = live[key];",
    "    return Object.freeze(flat);",
    "})(module.exports);",
    `0 && (module.exports = { ${names.join(", ")} });`,
    "",
  ].join("\n");
  writeFileSync(file, at === -1 ? `${code}\n${swap}` : code.slice(0, at) + swap + code.slice(at));
}
