// Plugin transform speed on a real file (@babel/parser's lib/index.js, about 0.5 MB): a plain
// Babel pass, spanfn in all-mode and in marked mode, and babel-plugin-istanbul, the instrumenter
// every Babel user already pays for. Median and range of 5 runs after one warm-up, in one process.
// With --json it prints one machine-readable line instead (bench/run.mjs reads it).
import { readFileSync } from "node:fs";
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
if (json) console.log(JSON.stringify({ title, bytes: source.length, results }));
