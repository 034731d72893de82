/**
 * @spanfn/babel-plugin/jest under real jest runs with a kept cache: a method's span comes from
 * an interface in another file, and after an edit to that file alone the next run must see the
 * new contract. Plain babel-jest, beside it, keeps the output it cached before the edit.
 */
import { afterAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const JEST = join(__dirname, "../../../node_modules/jest/bin/jest.js");
// Inside the package, where the project resolves @spanfn/babel-plugin and @spanfn/tracing (git ignores .run-*).
const RUNS = join(__dirname, `.run-jest-cache-${process.pid}`);

afterAll(() => rmSync(RUNS, { recursive: true, force: true }));

const contract = (returns: string) => `export interface User { id: string }
export interface UserService {
  getUser(id: string): ${returns};
}
`;

/**
 * A project whose spec records the span kinds of getUser into kinds.json; jest's cache is kept in
 * it. `transform` is the jest config's text for the transformer; the Babel config is `babelConfig`.
 */
function makeProject(name: string, transform: string, babelConfig = "babel.config.cjs"): string {
  const dir = join(RUNS, name);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    "jest.config.cjs": `module.exports = {
  rootDir: __dirname,
  cacheDirectory: __dirname + "/.jest-cache",
  testEnvironment: "node",
  testMatch: ["**/*.spec.ts"],
  transform: { "\\\\.ts$": ${transform} },
};
`,
    [babelConfig]: `module.exports = {
  presets: [["@babel/preset-env", { targets: { node: "current" } }], "@babel/preset-typescript"],
  plugins: ["@spanfn/babel-plugin"],
};
`,
    "types.ts": contract("User"),
    // Nothing in getUser itself says it returns a promise: only the interface in types.ts can.
    "service.ts": `import type { User, UserService } from "./types";

export class Service implements UserService {
  constructor(private db: { query(sql: string, id: string): any }) {}
  /** @spanFn */
  getUser(id: string) {
    return this.db.query("select * from users where id = ?", id);
  }
}
`,
    "service.spec.ts": `import { InMemorySink, flush, setSink } from "@spanfn/tracing";
import { writeFileSync } from "node:fs";
import { Service } from "./service";

test("getUser records its spans", async () => {
  const sink = new InMemorySink();
  setSink(sink);
  await new Service({ query: async (_sql: string, id: string) => ({ id }) }).getUser("u1");
  flush();
  const kinds = sink.events().filter((e) => e.name === "service::Service.getUser").map((e) => e.kind);
  writeFileSync(__dirname + "/kinds.json", JSON.stringify(kinds));
});
`,
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** Runs the project's spec: the span kinds getUser recorded. */
function runJest(dir: string, ...args: string[]): string[] {
  rmSync(join(dir, "kinds.json"), { force: true });
  const result = spawnSync(process.execPath, [JEST, "--config", join(dir, "jest.config.cjs"), "--no-watchman", ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`jest failed (${result.status ?? result.signal}):\n${result.stderr}`);
  return JSON.parse(readFileSync(join(dir, "kinds.json"), "utf8")) as string[];
}

// No promise in the contract: a thread span, then an async span from the promise it returned.
const THREAD = ["thread-begin", "thread-end", "async-begin", "async-end"];
// `getUser(id): Promise<User>`: an async span from the call.
const ASYNC = ["async-begin", "async-end"];

test("@spanfn/babel-plugin/jest: the run after an edit to the contract file sees the new contract", () => {
  // With babel-jest's options, which it passes on: Babel finds no config file of that name itself.
  const dir = makeProject("spanfn", '["@spanfn/babel-plugin/jest", { configFile: __dirname + "/spanfn.babel.cjs" }]', "spanfn.babel.cjs");
  expect(runJest(dir)).toEqual(THREAD);
  writeFileSync(join(dir, "types.ts"), contract("Promise<User>"));
  expect(runJest(dir)).toEqual(ASYNC);
  // And back: the key follows every edit, not only the first.
  writeFileSync(join(dir, "types.ts"), contract("User"));
  expect(runJest(dir)).toEqual(THREAD);
});

test("plain babel-jest keeps the output it cached before the contract changed, until --no-cache", () => {
  const dir = makeProject("babel-jest", '"babel-jest"');
  expect(runJest(dir)).toEqual(THREAD);
  writeFileSync(join(dir, "types.ts"), contract("Promise<User>"));
  expect(runJest(dir)).toEqual(THREAD);
  expect(runJest(dir, "--no-cache")).toEqual(ASYNC);
});
