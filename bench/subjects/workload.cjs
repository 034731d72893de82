// The real workload, loaded from a node_modules directory given by the caller (the original or
// the instrumented copy): @babel/core compiling @babel/parser's lib/index.js with preset-env for
// Node 6. Run directly with --list-modules it compiles once and prints the modules it loaded.
"use strict";
const { readFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { join } = require("node:path");

function workload(modules) {
  const load = createRequire(join(modules, "_.js"));
  const babel = load("@babel/core");
  const preset = load.resolve("@babel/preset-env");
  // The input is always the original file, whichever copy of Babel compiles it.
  const input = readFileSync(require.resolve("@babel/parser"), "utf8");
  const options = {
    babelrc: false,
    configFile: false,
    compact: true,
    filename: "/bench/parser.js",
    sourceType: "unambiguous",
    presets: [[preset, { targets: { node: "6" } }]],
  };
  return { bytes: input.length, compile: () => babel.transformSync(input, options).code.length };
}

module.exports = { workload };

if (require.main === module && process.argv[3] === "--list-modules") {
  workload(process.argv[2]).compile();
  process.stdout.write(JSON.stringify(Object.keys(require.cache)));
}
