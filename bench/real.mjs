// The real workload: @babel/core compiling @babel/parser's lib/index.js (0.53 MB) with
// preset-env for Node 6, plain and with every function of every @babel/* module it loads
// instrumented (all-mode): millions of calls, most of them tiny, which is where tracers that
// record every call fall over.
//
// prepareReal() builds bench/.generated/real/node_modules: the @babel packages copied, the
// modules the workload loads compiled by the spanfn plugin in all-mode, every other package a
// symlink to the original. The result is kept until the lock file or the plugin build changes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SOURCE_MODULES = join(ROOT, "node_modules");
export const REAL = join(ROOT, "bench/.generated/real");
export const REAL_MODULES = join(REAL, "node_modules");
const WORKLOAD = fileURLToPath(new URL("./subjects/workload.cjs", import.meta.url));

function stamp() {
  const plugin = join(ROOT, "packages/babel-plugin/dist");
  const hash = createHash("sha256");
  hash.update(readFileSync(join(ROOT, "package-lock.json")));
  for (const file of listFiles(plugin)) hash.update(file).update(readFileSync(file));
  return hash.digest("hex");
}

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

/** The @babel modules the plain workload loads, as paths relative to node_modules. */
function loadedBabelModules() {
  const child = spawnSync(process.execPath, [WORKLOAD, SOURCE_MODULES, "--list-modules"], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`the workload failed:\n${child.stderr}`);
  return JSON.parse(child.stdout)
    .filter((file) => file.startsWith(SOURCE_MODULES + "/@babel/") && file.endsWith(".js"))
    .map((file) => relative(SOURCE_MODULES, file));
}

export async function prepareReal(log = (line) => process.stderr.write(line + "\n")) {
  const wanted = stamp();
  const stampFile = join(REAL, "stamp");
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === wanted) return REAL_MODULES;
  const started = performance.now();
  rmSync(REAL, { recursive: true, force: true });
  mkdirSync(REAL_MODULES, { recursive: true });
  for (const entry of readdirSync(SOURCE_MODULES)) {
    if (entry === "@babel") cpSync(join(SOURCE_MODULES, entry), join(REAL_MODULES, entry), { recursive: true });
    else if (entry !== ".bin") symlinkSync(join(SOURCE_MODULES, entry), join(REAL_MODULES, entry));
  }
  const require = createRequire(import.meta.url);
  const { transformSync } = require("@babel/core");
  const spanfn = require("@spanfn/babel-plugin").default ?? require("@spanfn/babel-plugin");
  const modules = loadedBabelModules();
  let bytes = 0;
  for (const file of modules) {
    const target = join(REAL_MODULES, file);
    const source = readFileSync(join(SOURCE_MODULES, file), "utf8");
    bytes += source.length;
    const { code } = transformSync(source, {
      filename: target,
      root: REAL,
      babelrc: false,
      configFile: false,
      sourceType: "unambiguous",
      plugins: [[spanfn, { instrument: "all", include: ["**/node_modules/**"] }]],
    });
    writeFileSync(target, code);
  }
  writeFileSync(stampFile, wanted);
  log(`real workload: instrumented ${modules.length} @babel modules (${(bytes / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return REAL_MODULES;
}

/** Is the instrumented copy there (prepareReal ran)? */
export function realPrepared() {
  return existsSync(join(REAL, "stamp")) && statSync(REAL_MODULES).isDirectory();
}
