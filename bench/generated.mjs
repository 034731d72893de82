// Compiles bench/subjects/ with the spanfn plugin (marked mode) into bench/.generated/, so the
// generated-code cases run what the plugin emits today, not a hand-written imitation of it.
// Files with nothing marked come out unchanged.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "@babel/core";
import spanfn from "@spanfn/babel-plugin";

const SUBJECTS = fileURLToPath(new URL("./subjects/", import.meta.url));
export const GENERATED = fileURLToPath(new URL("./.generated/", import.meta.url));

export function prepareGenerated() {
  mkdirSync(GENERATED, { recursive: true });
  for (const name of readdirSync(SUBJECTS)) {
    const from = join(SUBJECTS, name);
    const { code } = transformSync(readFileSync(from, "utf8"), {
      filename: from,
      root: SUBJECTS,
      babelrc: false,
      configFile: false,
      plugins: [[spanfn, { instrument: "marked" }]],
    });
    writeFileSync(join(GENERATED, name), code);
  }
  return GENERATED;
}
