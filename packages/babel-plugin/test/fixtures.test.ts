/**
 * The plugin's specification: every folder under fixtures/ with an `input.(ts|js)` is a case.
 * `output.js` is the exact transform; `error.txt`, the error it must raise instead; `events.txt`,
 * the spans the transformed code records when run (its `run` export is called and awaited).
 * `options.json` files apply to their folder and everything below it (fixtures/runner.cjs).
 * UPDATE_FIXTURES=1 writes missing or changed expectations instead of failing.
 */
import { afterAll, beforeEach, describe, expect, test } from "@jest/globals";
import * as babel from "@babel/core";
import { join } from "node:path";
import * as tracing from "../../tracing/src/index.js";
import { checkFile, listCases, loadCase, runCase, transformCase } from "../../../fixtures/runner.cjs";
import plugin from "../src/index.js";
import { useExactSettlement } from "../../tracing/src/node/settlement.js";

// As under Node, where the runtime's main entry observes returned promises exactly.
useExactSettlement();

const UPDATE = process.env.UPDATE_FIXTURES === "1";
const sink = new tracing.InMemorySink();
const how = { babel, plugin, resolve: (name: string) => require.resolve(name), tracing, sink };

beforeEach(() => {
  tracing.setSink(sink);
  tracing.configure({ enabled: true });
  tracing.flush();
  sink.clear();
});
afterAll(() => tracing.setSink(null));

describe.each(listCases().map((dir) => [loadCase(dir)] as const))("$name", (c) => {
  if (c.expectedError !== null) {
    test("fails with the expected error", () => {
      expect(() => transformCase(c, how)).toThrow(c.expectedError!);
    });
    return;
  }

  test("output", () => {
    expect(checkFile(join(c.dir, "output.js"), `${transformCase(c, how)}\n`, UPDATE)).toBeNull();
  });

  if (c.runnable) {
    test("recorded spans", async () => {
      expect(checkFile(join(c.dir, "events.txt"), await runCase(c, how), UPDATE)).toBeNull();
    });
  }
});
