/**
 * @babel/core with preset-env (old targets: classes, generators to regenerator, async to
 * generators), preset-typescript and preset-react compiling the corpus, a deeply nested file and
 * a file with a syntax error: sync-heavy, recursive, generator-driven (Babel's config loading runs
 * on gensync generators). Prints a digest of every output and every error message.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import babel from "@babel/core";
import { corpus, deepSource } from "./corpus.mjs";
import { startClock } from "./timing.mjs";

const digest = (text) => createHash("sha256").update(text).digest("hex").slice(0, 16);

const options = (filename, targets) => ({
  filename,
  babelrc: false,
  configFile: false,
  sourceType: "module",
  presets: [
    ["@babel/preset-env", { targets, modules: "commonjs" }],
    ["@babel/preset-typescript", { allowDeclareFields: true }],
  ],
});

// Loads the presets and their plugins once (Babel requires them on first use), so the clock
// measures compiling, not loading (which under spanfn run includes instrumenting each file).
babel.transformSync("x;", options("warm-up.ts", "ie 11"));
babel.transformSync("<a />;", { filename: "warm-up.jsx", babelrc: false, configFile: false, presets: ["@babel/preset-react"] });

const stop = startClock();
let total = 0;
// A third of the corpus: instrumented, Babel records several hundred thousand events a file.
for (const [path, source] of corpus().filter((_, i) => i % 3 === 0)) {
  for (const targets of ["ie 11"]) {
    try {
      const { code } = babel.transformSync(source, options(path, targets));
      total += code.length;
      console.log(`${path} [${targets}] ${code.length} ${digest(code)}`);
    } catch (error) {
      console.log(`${path} [${targets}] threw ${error.message.split("\n")[0]}`);
    }
  }
}

// The async API (transformAsync runs the same gensync generators through promises).
const jsx = `export function App({ items }) { return <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>; }\n`;
const react = await babel.transformAsync(jsx, { filename: "app.jsx", babelrc: false, configFile: false, presets: ["@babel/preset-react"] });
console.log(`app.jsx ${digest(react.code)}`);

const deep = deepSource(120);
const compiled = babel.transformSync(deep, options("deep.js", "ie 11"));
console.log(`deep.js ${compiled.code.length} ${digest(compiled.code)}`);

try {
  babel.transformSync("const a = ;\n", options("broken.js", "node 20"));
} catch (error) {
  console.log(`broken.js threw ${error.constructor.name}: ${error.message.split("\n")[0]}`);
}
// A config file found on disk and imported (an ES module config can only load asynchronously),
// its function called with Babel's API: the async side of Babel's gensync generators.
const configDir = join(dirname(fileURLToPath(import.meta.url)), "../.work/babel-config");
mkdirSync(configDir, { recursive: true });
writeFileSync(
  join(configDir, "babel.config.mjs"),
  'export default (api) => { api.cache.never(); return { presets: [["@babel/preset-env", { targets: "ie 11", modules: false }]] }; };\n',
);
const configured = await babel.transformAsync("export const f = async (xs) => [...new Set(xs)].map((x) => x ** 2);\n", {
  filename: join(configDir, "input.js"),
  cwd: configDir,
  root: configDir,
  babelrc: false,
});
console.log(`babel.config.mjs ${configured.code.length} ${digest(configured.code)}`);
try {
  await babel.transformAsync("x;", { filename: join(configDir, "input.js"), cwd: configDir, configFile: join(configDir, "missing.config.mjs") });
} catch (error) {
  console.log(`missing config threw ${error.message.split("\n")[0].replace(configDir, "<dir>")}`);
}

console.log(`total ${total}`);
stop();
