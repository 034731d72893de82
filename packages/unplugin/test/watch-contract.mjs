// A watch build across a contract edit: `node watch-contract.mjs <rollup|webpack> <dir>` writes a
// small TypeScript project into dir (which must resolve @spanfn/tracing), builds it in watch mode
// with @spanfn/unplugin, runs the output, then gives the method's contract a promise in the other
// file and runs the rebuilt output. Prints `{ before, after }`: the kinds of the events the method
// recorded each time, `after: null` when the watcher never rebuilt.
// A child process, not jest: the bundlers are ES modules and run their own file watchers.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const bundler = process.argv[2];
const dir = resolve(process.argv[3]);
/** How long the watcher has to notice the edit before the test says it never rebuilt. */
const PATIENCE_MS = 15_000;

const contract = (returns) => `export interface User { id: string }
export interface UserService {
  getUser(id: string): ${returns};
}
`;

mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
writeFileSync(join(dir, "types.ts"), contract("User"));
// Nothing in getUser itself says it returns a promise: only the interface in types.ts can.
writeFileSync(
  join(dir, "service.ts"),
  `import type { User, UserService } from "./types";

export class Service implements UserService {
  constructor(private db: { query(sql: string, id: string): any }) {}
  /** @spanFn */
  getUser(id: string) {
    return this.db.query("select * from users where id = ?", id);
  }
}
`,
);
writeFileSync(
  join(dir, "main.ts"),
  `import { InMemorySink, flush, setSink } from "@spanfn/tracing";
import { Service } from "./service";

const sink = new InMemorySink();
setSink(sink);
const service = new Service({ query: async (_sql: string, id: string) => ({ id }) });
service.getUser("u1").then(() => {
  flush();
  const kinds = sink.events().filter((e) => e.name === "service::Service.getUser").map((e) => e.kind);
  process.stdout.write(JSON.stringify(kinds));
});
`,
);

/** Starts the watch build; calls `built(outputFile)` after each build, returns a function that stops it. */
const watchers = {
  async rollup(built, failed) {
    const { watch } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const { default: spanfn } = await import("@spanfn/unplugin/rollup");
    const output = join(dir, "out.mjs");
    const watcher = watch({
      input: join(dir, "main.ts"),
      plugins: [spanfn({ root: dir }), nodeResolve({ extensions: [".ts", ".js"] })],
      external: [/^@spanfn\//],
      output: { file: output, format: "es" },
    });
    watcher.on("event", (event) => {
      if (event.code === "BUNDLE_END") event.result.close();
      else if (event.code === "END") built(output);
      else if (event.code === "ERROR") failed(event.error);
    });
    return () => watcher.close();
  },
  async webpack(built, failed) {
    const { default: webpack } = await import("webpack");
    const { default: spanfn } = await import("@spanfn/unplugin/webpack");
    const output = join(dir, "out.cjs");
    const compiler = webpack({
      mode: "development",
      devtool: false,
      target: "node",
      context: dir,
      entry: join(dir, "main.ts"),
      output: { path: dir, filename: "out.cjs" },
      resolve: { extensions: [".ts", ".js"] },
      externals: { "@spanfn/tracing": "commonjs @spanfn/tracing" },
      plugins: [spanfn({ typescript: "strip" })],
    });
    const watching = compiler.watch({ aggregateTimeout: 50 }, (error, stats) => {
      if (error) failed(error);
      else if (stats.hasErrors()) failed(new Error(stats.toString("errors-only")));
      else built(output);
    });
    return () => new Promise((resolve) => watching.close(resolve));
  },
};

function runOutput(file) {
  const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  if (run.status !== 0) throw new Error(`${file} failed (${run.status ?? run.signal}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

const builds = [];
let waiting = null;
const nextBuild = () =>
  new Promise((resolve, reject) => {
    if (builds.length > 0) return resolve(builds.shift());
    waiting = { resolve, reject };
  });
const stop = await watchers[bundler](
  (output) => (waiting ? (waiting.resolve(output), (waiting = null)) : builds.push(output)),
  (error) => (waiting ? (waiting.reject(error), (waiting = null)) : builds.push(Promise.reject(error))),
);

const before = runOutput(await nextBuild());
// The watcher may still be setting up when the first build ends, and miss a single write: the
// same edit is written again until a rebuild comes, or the patience runs out.
const edit = () => writeFileSync(join(dir, "types.ts"), contract("Promise<User>"));
edit();
const rewrite = setInterval(edit, 500);
const rebuilt = await Promise.race([nextBuild(), new Promise((resolve) => setTimeout(() => resolve(null), PATIENCE_MS))]);
clearInterval(rewrite);
const after = rebuilt === null ? null : runOutput(rebuilt);
await stop();
process.stdout.write(JSON.stringify({ before, after }) + "\n");
process.exit(0);
