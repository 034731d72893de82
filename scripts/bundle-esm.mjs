// After build-package.mjs, in a package whose ES modules load at a program's start (the runtime,
// spanfn run's preload): bundles dist/esm into its entry points and the chunks they share.
// Node resolves, reads and links every ES module on its own, so a preload of some seventy small
// files cost a traced program more start-up than everything else spanfn does before it runs.
// Entries are the package's exports and the modules a thread or a test loads by URL (given as
// arguments, relative to dist/esm). Other packages stay imports, so that a program and the
// preload share one copy of each. tsc's modules that are now inside a bundle are removed, so
// that no second copy can be loaded by a deep path; their declarations stay.
//
//   node ../../scripts/bundle-esm.mjs [--chunks DIR] [ENTRY.js ...]
//
// --chunks: the folder the shared chunks go in (default: dist/esm itself). A module that finds a
// file from its own URL (`new URL("../x.js", import.meta.url)`) finds it only from the depth it
// was written for; the build fails if a bundled one no longer does.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { exportedFiles } from "./package-exports.mjs";

const DIST = "dist/esm";

const args = process.argv.slice(2);
const chunksAt = args.indexOf("--chunks");
const chunks = chunksAt === -1 ? "." : args[chunksAt + 1];
const extra = args.filter((_, i) => chunksAt === -1 || (i !== chunksAt && i !== chunksAt + 1));

const manifest = JSON.parse(readFileSync("package.json", "utf8"));
const exported = exportedFiles(manifest.exports, { require: false }).filter((file) => file.startsWith(`./${DIST}/`)).map((file) => file.slice(2));
const entries = [...new Set([...exported, ...extra.map((file) => join(DIST, file))])];
for (const entry of entries) if (!existsSync(entry)) throw new Error(`bundle-esm: no ${entry} to bundle`);

const result = await build({
  entryPoints: entries,
  outdir: DIST,
  outbase: DIST,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  // tsc has compiled for the supported Nodes and browsers already: nothing to lower here.
  target: "esnext",
  packages: "external",
  chunkNames: join(chunks, "chunk-[hash]"),
  // Linked to tsc's maps, so the bundle's map leads to src/, which the package ships.
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: "warning",
});

const written = new Set(Object.keys(result.metafile.outputs).map((file) => resolve(file)));
let removed = 0;
for (const name of readdirSync(DIST, { recursive: true })) {
  const file = resolve(DIST, name);
  const module = file.endsWith(".js.map") ? file.slice(0, -".map".length) : file;
  if (module.endsWith(".js") && !written.has(module)) {
    rmSync(file);
    removed += file.endsWith(".js") ? 1 : 0;
  }
}

// Every file a bundled module finds from its own URL must be there.
for (const file of written) {
  if (!file.endsWith(".js")) continue;
  for (const [, target] of readFileSync(file, "utf8").matchAll(/new URL\(\s*"([^"]+)",\s*import\.meta\.url\s*\)/g)) {
    const found = fileURLToPath(new URL(target, `file://${file}`));
    if (!existsSync(found)) throw new Error(`bundle-esm: ${relative(".", file)} looks for ${target}, which is not at ${relative(".", found)}`);
  }
}

const chunkCount = [...written].filter((file) => file.endsWith(".js")).length - entries.length;
process.stdout.write(`${manifest.name}: ${entries.length} entries and ${chunkCount} chunks in ${DIST}, in place of ${entries.length + removed} modules\n`);
