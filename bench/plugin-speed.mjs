// Plugin transform speed on a real file (@babel/parser's lib/index.js, about 0.5 MB): a plain
// Babel pass, spanfn in all-mode and in marked mode, and babel-plugin-istanbul, the instrumenter
// every Babel user already pays for. Median and range of 5 runs after one warm-up, in one process.
// Then a marked build of a typical TypeScript project (bench/typical-project.mjs), every file
// transformed as a bundler's loader does, from a cold start (a fresh plugin, nothing cached): with
// and without following imports to other modules' contracts, with the TypeScript checker on
// (option typeChecker: the project's program built once per build), and with --baseline DIR, the
// plugin built in DIR (another version's packages/babel-plugin) as well.
// With --json it prints one machine-readable line instead (bench/run.mjs reads it).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { prepareTypicalProject, PROJECT } from "./typical-project.mjs";
import { createRequire } from "node:module";
import { transformSync } from "@babel/core";
import spanfn from "@spanfn/babel-plugin";

const require = createRequire(import.meta.url);
const istanbul = require("babel-plugin-istanbul").default;
const file = require.resolve("@babel/parser");
const source = readFileSync(file, "utf8");

function once(plugins) {
  const start = performance.now();
  transformSync(source, { filename: "/bench/parser.js", root: "/bench", cwd: "/bench", babelrc: false, configFile: false, compact: true, plugins });
  return performance.now() - start;
}

const cases = {
  "plain Babel pass": [],
  "spanfn, all": [[spanfn, { instrument: "all" }]],
  "spanfn, marked (none)": [[spanfn, {}]],
  "babel-plugin-istanbul": [[istanbul, { cwd: "/bench", include: ["**"], exclude: [] }]],
};

const json = process.argv.includes("--json");
const title = `plugin transform speed: ${file.replace(/.*node_modules\//, "")} (${(source.length / 1e6).toFixed(2)} MB), node ${process.version}`;
if (!json) console.log(title);
let baseline = 0;
const results = [];
for (const [name, plugins] of Object.entries(cases)) {
  once(plugins);
  const runs = Array.from({ length: 5 }, () => once(plugins)).sort((a, b) => a - b);
  const median = runs[2];
  if (baseline === 0) baseline = median;
  const msPerMB = median / (source.length / 1e6);
  results.push({ case: name, samples: runs, median, min: runs[0], max: runs[4], msPerMB, vsPlain: median / baseline });
  if (!json) {
    console.log(
      `${name.padEnd(24)} median ${median.toFixed(0).padStart(6)} ms  range ${runs[0].toFixed(0)}–${runs[4].toFixed(0)}  ${msPerMB.toFixed(0)} ms/MB  ${(median / baseline).toFixed(2)}x plain`,
    );
  }
}

// ---- a marked build of a typical project -------------------------------------------------------

const files = prepareTypicalProject();
const sources = files.map((f) => [f, readFileSync(f, "utf8")]);
const pluginEntry = new URL("../packages/babel-plugin/dist/esm/index.js", import.meta.url).href;
const baselineAt = process.argv.indexOf("--baseline");
const baselineEntry = baselineAt === -1 ? null : pathToFileURL(`${process.argv[baselineAt + 1]}/dist/esm/index.js`).href;
const typescript = require.resolve("@babel/preset-typescript");

let fresh = 0;
/** Every file of the project through one fresh instance of the plugin module (its caches empty). */
async function build(entry, options) {
  const plugin = (await import(`${entry}?instance=${fresh++}`)).default;
  const item = [plugin, options];
  const start = performance.now();
  for (const [filename, code] of sources) {
    transformSync(code, { filename, root: PROJECT, cwd: PROJECT, babelrc: false, configFile: false, presets: [typescript], plugins: [item] });
  }
  return performance.now() - start;
}

const builds = {
  "marked, file alone": [pluginEntry, { followImports: false }],
  "marked, follows imports": [pluginEntry, {}],
  // One TypeScript program built per fresh instance (typescript itself stays loaded).
  "marked, type checker": [pluginEntry, { typeChecker: { tsconfig: "tsconfig.json" } }],
};
if (baselineEntry !== null) builds["marked, baseline build"] = [baselineEntry, {}];
const projectTitle = `marked build of a typical project: ${files.length} TypeScript files, cold`;
if (!json) console.log(`\n${projectTitle}`);
const project = [];
const samples = Object.fromEntries(Object.keys(builds).map((name) => [name, []]));
for (const [entry, options] of Object.values(builds)) await build(entry, options);
// Interleaved, so that a busy stretch of a shared machine hits every build alike.
for (let round = 0; round < 7; round++) {
  for (const [name, [entry, options]] of Object.entries(builds)) samples[name].push(await build(entry, options));
}
const alone = [...samples["marked, file alone"]].sort((a, b) => a - b)[3];
for (const [name, runs] of Object.entries(samples)) {
  runs.sort((a, b) => a - b);
  const median = runs[3];
  project.push({ case: name, samples: runs, median, min: runs[0], max: runs[6], vsAlone: median / alone });
  if (!json) {
    console.log(`${name.padEnd(24)} median ${median.toFixed(0).padStart(6)} ms  range ${runs[0].toFixed(0)}–${runs[6].toFixed(0)}  ${(median / alone).toFixed(3)}x file alone`);
  }
}
if (json) console.log(JSON.stringify({ title, bytes: source.length, results, project: { title: projectTitle, results: project } }));
