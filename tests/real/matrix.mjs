// The real-code suite's async workloads again on Node 22 and 24 (the binaries tools/matrix
// installs for the main test matrix): promise hooks, AsyncContextFrame and the settlement
// observer differ between versions, and these workloads take seconds, not minutes.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const matrix = join(repo, "tools/matrix");
const WORKLOADS = "async,crash";

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: repo, ...options });
  if (result.status !== 0) {
    console.error(`real-code matrix: ${[command, ...args].join(" ")} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

if (!existsSync(join(matrix, "node_modules/node22/bin/node"))) run("npm", ["ci", "--no-audit", "--no-fund", "--prefix", matrix]);

for (const node of ["node22", "node24"]) {
  const binary = join(matrix, "node_modules", node, "bin/node");
  const version = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`\n== real-code suite (${WORKLOADS}) on Node ${version}`);
  run(binary, [join(repo, "node_modules/jest/bin/jest.js"), "--config", "tests/real/jest.config.js"], {
    env: { ...process.env, SPANFN_REAL_ONLY: WORKLOADS },
  });
}
