// Every workspace package as npm would publish it (`npm publish --dry-run`, after the build):
// no warning from npm about the manifest (an invalid bin is dropped silently from the published
// package, for one), a README and a LICENSE, repository and homepage, and every file the manifest
// points to (main, types, exports, bin) inside the tarball. Workspaces are found with
// `npm query .workspace`, so a new package is checked with no change here.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// What dry runs always say, and says nothing about the package: no one is logged in here.
const EXPECTED_WARNINGS = [/requires you to be logged in/];

const workspaces = JSON.parse(execFileSync(npm, ["query", ".workspace"], { cwd: root, encoding: "utf8" }));
const problems = [];

for (const workspace of workspaces) {
  const manifest = JSON.parse(readFileSync(join(workspace.path, "package.json"), "utf8"));
  if (manifest.private) continue;
  const say = (problem) => problems.push(`${manifest.name} (${join(workspace.location, "package.json")}): ${problem}`);

  // Scripts are skipped: the build has run, and prepack would run it again.
  const result = spawnSync(npm, ["publish", "--dry-run", "--ignore-scripts", "--json"], { cwd: workspace.path, encoding: "utf8" });
  if (result.status !== 0) {
    say(`npm publish --dry-run failed:\n${result.stderr}`);
    continue;
  }
  for (const line of result.stderr.split("\n")) {
    if (/^npm (warn|error)/i.test(line) && !EXPECTED_WARNINGS.some((expected) => expected.test(line))) say(line);
  }
  const report = JSON.parse(result.stdout);
  const packed = new Set((report[manifest.name] ?? report).files.map((file) => file.path));

  for (const file of ["README.md", "LICENSE"]) if (!packed.has(file)) say(`no ${file} in the package`);
  for (const field of ["license", "repository", "homepage", "description"]) if (manifest[field] === undefined) say(`no "${field}"`);
  for (const [where, target] of pointers(manifest)) {
    const file = target.replace(/^\.\//, "");
    if (!packed.has(file)) say(`${where} names ${target}, which is not in the package`);
  }
  for (const [name, target] of Object.entries(typeof manifest.bin === "string" ? { [manifest.name]: manifest.bin } : manifest.bin ?? {})) {
    const file = target.replace(/^\.\//, "");
    if (packed.has(file) && !readFileSync(join(workspace.path, file), "utf8").startsWith("#!")) say(`bin ${name} (${target}) has no #! line`);
  }
  // A package the code imports belongs in dependencies or peerDependencies, never only in the
  // monorepo's devDependencies: checked by the pack-and-install test (tests/real/pack.test.ts).
}

/** [where, file] for every file the manifest points to. */
function pointers(manifest) {
  const found = [];
  for (const field of ["main", "module", "types", "typings"]) if (typeof manifest[field] === "string") found.push([field, manifest[field]]);
  for (const [name, target] of Object.entries(typeof manifest.bin === "string" ? { [manifest.name]: manifest.bin } : manifest.bin ?? {})) found.push([`bin ${name}`, target]);
  const walk = (node, path) => {
    if (typeof node === "string") {
      if (!node.includes("*")) found.push([`exports${path}`, node]);
    } else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) walk(value, `${path}[${JSON.stringify(key)}]`);
    }
  };
  walk(manifest.exports, "");
  return found;
}

if (problems.length > 0) {
  process.stderr.write(`check-publish: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`check-publish: ${workspaces.length} packages publishable (${workspaces.map((w) => w.name).join(", ")})\n`);
}
