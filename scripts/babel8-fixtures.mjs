// Runs every fixture case through Babel 8 (from tools/matrix) with the built plugin and runtime:
// the same errors, the same output.js, and the same recorded spans as under Babel 7.
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tracing from "@spanfn/tracing";
import plugin from "@spanfn/babel-plugin";

const require = createRequire(import.meta.url);
const repo = fileURLToPath(new URL("..", import.meta.url));
const { listCases, loadCase, runCase, transformCase } = require("../fixtures/runner.cjs");
const matrixRequire = createRequire(join(repo, "tools/matrix/package.json"));
const babel = await import(matrixRequire.resolve("@babel/core"));
const resolve = (name) => matrixRequire.resolve(name);

if (!babel.version.startsWith("8.")) throw new Error(`expected Babel 8, got ${babel.version}`);
const sink = new tracing.InMemorySink();
tracing.setSink(sink);

let failed = 0;
let passed = 0;
for (const dir of listCases()) {
  const c = loadCase(dir);
  const how = { babel, plugin, resolve, tracing, sink };
  try {
    if (c.expectedError !== null) {
      let message = null;
      try {
        transformCase(c, how);
      } catch (error) {
        message = error.message;
      }
      if (message === null || !message.includes(c.expectedError)) throw new Error(`expected error "${c.expectedError}", got ${message}`);
    } else {
      const output = `${transformCase(c, how)}\n`;
      if (output !== c.expectedOutput) throw new Error(`output differs from output.js:\n${output}`);
      if (c.runnable) {
        const events = await runCase(c, how);
        if (events !== c.expectedEvents) throw new Error(`recorded spans differ:\n${events}\nexpected:\n${c.expectedEvents}`);
      }
    }
    passed++;
  } catch (error) {
    failed++;
    console.error(`✕ ${c.name}: ${error.stack ?? error}`);
  }
}
console.log(`fixtures on babel ${babel.version}, node ${process.version}`);
console.log(`babel8: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
