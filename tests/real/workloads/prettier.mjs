/**
 * prettier formatting the corpus through its async API: parsers and printers are plugins it
 * imports on first use (typescript, babel, estree, markdown, postcss, yaml), several formats run
 * concurrently, a cursor is carried through, a syntax error is reported. Prints a digest of each
 * result and each error message.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { corpus, REPO } from "./corpus.mjs";
import { startClock } from "./timing.mjs";

const digest = (text) => createHash("sha256").update(text).digest("hex").slice(0, 16);

const extra = [
  ["fixtures/README.md", readFileSync(join(REPO, "fixtures/README.md"), "utf8"), "markdown"],
  ["package.json", readFileSync(join(REPO, "package.json"), "utf8"), "json"],
  ["style.css", "a{color:red;margin:0 auto}@media (max-width:600px){.b>.c{display:none}}\n", "css"],
  ["ci.yml", "jobs:\n  test:\n     runs-on: [ubuntu-latest]\n     steps: [{run: npm test}]\n", "yaml"],
];

// Loads every parser and printer used below once, so the clock measures formatting, not the
// first import (which under spanfn run includes instrumenting the plugin's file).
for (const [, source, parser] of [["", "let a", "typescript"], ["", "a", "babel"], ...extra]) await prettier.format(source, { parser });

const stop = startClock();
const files = corpus().map(([path, source]) => [path, source, path.endsWith(".ts") ? "typescript" : "babel"]);
for (const [path, source, parser] of files) {
  const formatted = await prettier.format(source, { parser, filepath: path, printWidth: 100 });
  console.log(`${path} ${parser} ${formatted.length} ${digest(formatted)} ${await prettier.check(formatted, { parser, printWidth: 100 })}`);
}

// Concurrent formats of different languages, each possibly importing its plugin.
const results = await Promise.all(extra.map(([path, source, parser]) => prettier.format(source, { parser, proseWrap: "always" })));
extra.forEach(([path], i) => console.log(`${path} ${results[i].length} ${digest(results[i])}`));

const { formatted, cursorOffset } = await prettier.formatWithCursor("const  a=(b)=>{return b+1}", { parser: "babel", cursorOffset: 12 });
console.log(`cursor ${cursorOffset} ${JSON.stringify(formatted)}`);

for (const [source, parser] of [["const a = ;", "babel"], ["let x: = 1", "typescript"], ["a {", "css"]]) {
  try {
    await prettier.format(source, { parser });
    console.log(`${parser} accepted ${JSON.stringify(source)}`);
  } catch (error) {
    console.log(`${parser} threw ${error.name}: ${error.message.split("\n")[0]}`);
  }
}
try {
  await prettier.format("a", { parser: "no-such-parser" });
} catch (error) {
  console.log(`unknown parser threw ${error.name}: ${error.message}`);
}
console.log(`languages ${(await prettier.getSupportInfo()).languages.length}`);

// Configuration and ignore files searched for on disk, through prettier's async file system code.
const configDir = join(REPO, "tests/real/.work/prettier-config");
mkdirSync(join(configDir, "nested"), { recursive: true });
writeFileSync(join(configDir, ".prettierrc.json"), '{ "semi": false, "overrides": [{ "files": "*.ts", "options": { "singleQuote": true } }] }\n');
writeFileSync(join(configDir, ".prettierignore"), "ignored.js\n");
writeFileSync(join(configDir, ".editorconfig"), "root = true\n[*]\nindent_style = tab\n");
for (const file of ["nested/a.ts", "b.js"]) {
  const options = await prettier.resolveConfig(join(configDir, file), { editorconfig: true });
  console.log(`config ${file} ${JSON.stringify(options)}`);
  console.log(`formatted ${file} ${JSON.stringify(await prettier.format('const a = "x";\n', { ...options, filepath: join(configDir, file) }))}`);
}
for (const file of ["ignored.js", "kept.js", "README.unknown"]) {
  const info = await prettier.getFileInfo(join(configDir, file), { ignorePath: join(configDir, ".prettierignore") });
  console.log(`file info ${file} ${JSON.stringify(info)}`);
}
await prettier.clearConfigCache();
stop();
