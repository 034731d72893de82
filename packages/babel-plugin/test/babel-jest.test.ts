/**
 * The plugin as users run it under babel-jest: a small project with its own babel.config and
 * jest config, whose spec checks the spans its instrumented sources record.
 */
import { expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

test("a babel-jest project instruments its sources and sees the spans", () => {
  const project = join(__dirname, "projects/babel-jest");
  const jest = join(__dirname, "../../../node_modules/jest/bin/jest.js");
  const result = spawnSync(process.execPath, [jest, "--config", join(project, "jest.config.cjs"), "--no-cache"], {
    cwd: project,
    encoding: "utf8",
    timeout: 60000,
  });
  expect(result.stderr).toContain("Tests:       1 passed, 1 total");
  expect(result.status).toBe(0);
});
