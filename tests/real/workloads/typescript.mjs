/**
 * typescript (5.x) type-checking and emitting a small project (workloads/project) for ES2015
 * (async via __awaiter, generators native), transpiling it for ES5 (__awaiter over __generator
 * state machines), then running what it emitted: under spanfn run that output is instrumented in its turn, so the
 * compiled-async detection meets real tsc output. Prints diagnostics, a digest of each emitted
 * file and the emitted program's own log.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { corpus } from "./corpus.mjs";
import { startClock } from "./timing.mjs";

const stop = startClock();
const here = dirname(fileURLToPath(import.meta.url));
const project = join(here, "project");
// Inside the suite's folder: spanfn run instruments files under its working directory.
const out = join(here, "../.work/typescript");
const digest = (text) => createHash("sha256").update(text).digest("hex").slice(0, 16);
const roots = ["globals.d.ts", "store.ts", "service.ts", "broken.ts"].map((f) => join(project, f));

/** Type-checks the project and emits it for ES2015 (async functions become __awaiter calls). */
function build() {
  const outDir = prepare("es2015");
  const options = {
    target: ts.ScriptTarget.ES2015,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    // What the project uses, not all of es2018 (Intl, typed arrays…): instrumented, the checker
    // records events for every declaration it binds.
    lib: ["lib.es5.d.ts", "lib.es2015.promise.d.ts", "lib.es2015.iterable.d.ts", "lib.es2015.generator.d.ts", "lib.es2015.collection.d.ts", "lib.es2015.symbol.d.ts", "lib.es2015.symbol.wellknown.d.ts", "lib.es2018.asynciterable.d.ts", "lib.es2018.asyncgenerator.d.ts"],
    types: [],
    skipDefaultLibCheck: true,
    outDir,
    rootDir: project,
  };
  const program = ts.createProgram(roots, options);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const where = d.file ? `${relative(project, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "-";
    console.log(`es2015 TS${d.code} ${where} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  }
  const result = program.emit(undefined, (file, text) => write("es2015", outDir, file, text));
  console.log(`es2015 emit skipped=${result.emitSkipped}`);
  return outDir;
}

/** The same project for ES5, file by file without type information (__awaiter over __generator). */
function transpileES5() {
  const outDir = prepare("es5");
  for (const root of roots.filter((f) => !f.endsWith(".d.ts"))) {
    const { outputText } = ts.transpileModule(readFileSync(root, "utf8"), {
      fileName: root,
      compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS, downlevelIteration: true, strict: true },
    });
    write("es5", outDir, join(outDir, relative(project, root).replace(/\.ts$/, ".js")), outputText);
  }
  return outDir;
}

function prepare(name) {
  const outDir = join(out, name);
  rmSync(outDir, { recursive: true, force: true });
  // The emitted CommonJS sits inside this "type": "module" folder.
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "package.json"), '{ "type": "commonjs" }\n');
  return outDir;
}

function write(name, outDir, file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`${name} emitted ${relative(outDir, file)} ${text.length} ${digest(text)} awaiter=${text.includes("__awaiter")} generator=${text.includes("__generator")}`);
}

for (const [name, outDir] of [["es2015", build()], ["es5", transpileES5()]]) {
  const require = createRequire(join(outDir, "index.js"));
  await require("./service.js").main((line) => console.log(`${name} run ${line}`));
}

// The fast path: one file at a time, no type information.
for (const [path, source] of corpus().filter(([path]) => path.endsWith(".ts"))) {
  const { outputText } = ts.transpileModule(source, { fileName: path, compilerOptions: { target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.ESNext } });
  console.log(`transpiled ${path} ${outputText.length} ${digest(outputText)}`);
}
stop();
