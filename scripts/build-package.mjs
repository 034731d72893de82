// Builds the package in the current directory twice: ESM (dist/esm) and CommonJS (dist/cjs).
// CommonJS is shipped because Babel 7, jest and older register hooks load packages with `require`;
// `--esm-only` for a package nothing requires (the CLI).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

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

// Executables named in `bin` must be runnable however the package was linked.
const { bin } = JSON.parse(readFileSync("package.json", "utf8"));
for (const file of typeof bin === "string" ? [bin] : Object.values(bin ?? {})) chmodSync(file, 0o755);
