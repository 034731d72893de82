// The demo: compile a small TypeScript service with the spanfn Babel plugin (every function
// instrumented), run it with a trace file, and print a summary of where the time went.
// Until `spanfn run` exists this does by hand what it will do at load time.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformFileSync } from "@babel/core";
import spanfn from "@spanfn/babel-plugin";
import { install } from "@spanfn/tracing/node";
import { summarize } from "./summary.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "../out/demo");
mkdirSync(out, { recursive: true });
for (const file of readdirSync(join(here, "src"))) {
  const { code } = transformFileSync(join(here, "src", file), {
    babelrc: false,
    configFile: false,
    root: here,
    presets: ["@babel/preset-typescript"],
    plugins: [[spanfn, { instrument: "all" }]],
  });
  writeFileSync(join(out, file.replace(/\.ts$/, ".js")), code);
}

const trace = process.argv[2] ?? join(here, "../out/demo-trace.json");
install({ out: trace, processName: "spanfn demo", onExit: () => summarize(trace) });
const { main } = await import(join(out, "main.js"));
await main();
