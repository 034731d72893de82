// The rest of the test matrix, after the main run on the machine's Node (20, Babel 7):
// the whole jest suite on Node 22 and 24, and every fixture through Babel 8 on both.
// Node binaries and Babel 8 come from tools/matrix, installed here on first use.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const matrix = join(repo, "tools/matrix");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: repo, ...options });
  if (result.status !== 0) {
    console.error(`matrix: ${[command, ...args].join(" ")} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

if (!existsSync(join(matrix, "node_modules/node22/bin/node")) || !existsSync(join(matrix, "node_modules/@babel/core"))) {
  run("npm", ["ci", "--no-audit", "--no-fund", "--prefix", matrix]);
}

for (const node of ["node22", "node24"]) {
  const binary = join(matrix, "node_modules", node, "bin/node");
  const version = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`\n== jest on Node ${version} (Babel 7)`);
  run(binary, [join(repo, "node_modules/jest/bin/jest.js"), "--silent"]);
  console.log(`\n== fixtures through Babel 8 on Node ${version}`);
  run(binary, [join(repo, "scripts/babel8-fixtures.mjs")]);
}
