/**
 * The packages' types as a consumer's TypeScript sees them: the built declarations, installed
 * with only the dependencies their manifests declare, checked over consumer code
 * (`consumer/*.ts`) under each module resolution a project can use (node16, nodenext, bundler;
 * ESM and CommonJS projects) with standard decorators and with `experimentalDecorators`.
 * Every entry point of every workspace package is imported, so a new package or entry is
 * checked without a change here. Runs on the built packages (`npm run build` first).
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "../..");
const CONSUMER = join(__dirname, "consumer");

interface Workspace {
  name: string;
  path: string;
  exports?: Record<string, unknown> | string;
  type?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const workspaces = JSON.parse(execFileSync("npm", ["query", ".workspace"], { cwd: ROOT, encoding: "utf8" })) as Workspace[];

/**
 * `import` lines for every entry point: a namespace import where the entry has types, else a
 * bare one. A CommonJS project leaves out the entries that are ES modules only (a preload for
 * `node --import`): it could not `require` them, and TypeScript 7 says so.
 */
function allEntries(format: "esm" | "cjs"): string {
  const lines: string[] = [];
  for (const workspace of workspaces) {
    const exports = typeof workspace.exports === "string" || workspace.exports === undefined ? { ".": workspace.exports ?? "" } : workspace.exports;
    for (const [subpath, target] of Object.entries(exports)) {
      if (subpath.endsWith(".json") || subpath.includes("*")) continue;
      const esmOnly = typeof target === "string" && (target.endsWith(".mjs") || (workspace.type === "module" && target.endsWith(".js")));
      if (format === "cjs" && esmOnly) continue;
      const specifier = workspace.name + subpath.slice(1);
      const typed = JSON.stringify(target).includes('"types"');
      lines.push(typed ? `import * as entry${lines.length} from "${specifier}";\nvoid entry${lines.length};` : `import "${specifier}";`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Where Node would find `name` for the package in `dir`: its own node_modules, then the repository's. */
function installed(name: string, dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, "node_modules", name);
    if (existsSync(candidate)) return realpathSync(candidate);
    if (dirname(at) === at) throw new Error(`${name} (needed by ${dir}) is not installed`);
  }
}

/**
 * A consumer project outside the repository: each workspace package copied in (manifest and
 * build), and linked beside it only what its manifest declares and a consumer installs
 * (@types/node). Nothing else the repository has installed can be found from the copies.
 */
const project = mkdtempSync(join(tmpdir(), "spanfn-types-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));
const modules = join(project, "node_modules");
const link = (name: string, target: string) => {
  const at = join(modules, name);
  if (existsSync(at)) return;
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, "dir");
};
for (const workspace of workspaces) {
  const copy = join(modules, workspace.name);
  mkdirSync(copy, { recursive: true });
  cpSync(join(workspace.path, "package.json"), join(copy, "package.json"));
  if (existsSync(join(workspace.path, "dist"))) cpSync(join(workspace.path, "dist"), join(copy, "dist"), { recursive: true });
}
for (const workspace of workspaces) {
  for (const name of Object.keys({ ...workspace.dependencies, ...workspace.peerDependencies })) {
    if (!workspaces.some((w) => w.name === name)) link(name, installed(name, workspace.path));
  }
}
link("@types/node", installed("@types/node", ROOT));
for (const [format, type] of [["esm", "module"], ["cjs", "commonjs"]] as const) {
  const src = join(project, format);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, "package.json"), JSON.stringify({ type }));
  for (const file of readdirSync(CONSUMER)) cpSync(join(CONSUMER, file), join(src, file));
  writeFileSync(join(src, "all-entries.ts"), allEntries(format));
}

const RESOLUTIONS = [
  { name: "node16, ESM project", format: "esm", module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  { name: "node16, CommonJS project", format: "cjs", module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  { name: "nodenext, ESM project", format: "esm", module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  { name: "nodenext, CommonJS project", format: "cjs", module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  { name: "bundler", format: "esm", module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
] as const;
const DECORATORS = [
  { name: "standard decorators", experimentalDecorators: false },
  { name: "experimentalDecorators", experimentalDecorators: true },
] as const;

/**
 * Source files parsed once for every check (the declarations of Node and of the packages are
 * most of the work), as TypeScript's language service shares them between programs.
 */
const parsed = new Map<string, ts.SourceFile | undefined>();
function compilerHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    if (!parsed.has(key)) parsed.set(key, read(fileName, languageVersion, ...rest));
    return parsed.get(key);
  };
  return host;
}

/** tsc's diagnostics for the consumer files, one formatted string ("" when it type-checks). */
function check(format: string, options: ts.CompilerOptions): string {
  const dir = join(project, format);
  const files = readdirSync(dir).filter((file) => file.endsWith(".ts")).map((file) => join(dir, file));
  const compilerOptions: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    noEmit: true,
    esModuleInterop: true,
    // The packages' declarations are checked too, as a project without skipLibCheck does.
    skipLibCheck: false,
    ...options,
  };
  const program = ts.createProgram(files, compilerOptions, compilerHost(compilerOptions));
  const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => "\n" };
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program).filter((d) => !knownElsewhere(d)), host);
}

/**
 * unplugin's own declarations import the types of the bundlers it supports, optional peers
 * (@farmfe/core, unloader) and ES-module-only ones (vite, rolldown, @rspack/core, which a
 * CommonJS project under node16 may not `require`): without skipLibCheck, such a project gets
 * errors inside unplugin's files whatever plugin built on it it uses (@spanfn/unplugin's README
 * says so). Errors anywhere else, our declarations included, still fail the check.
 */
function knownElsewhere(diagnostic: ts.Diagnostic): boolean {
  return /[\\/]node_modules[\\/]unplugin[\\/]/.test(diagnostic.file?.fileName ?? "");
}

/**
 * TypeScript 7 (the native compiler, whose JavaScript API is not TypeScript 5's): its `tsc` over
 * the same consumer files, from a tsconfig per resolution and decorator mode. Its errors, one a
 * line, with those inside unplugin's own declarations left out as above.
 */
const TSC_7 = join(dirname(require.resolve("typescript-7/package.json")), "bin", "tsc");
function check7(format: string, module: string, moduleResolution: string, experimentalDecorators: boolean): string {
  const dir = join(project, format);
  const config = join(dir, `tsconfig.${module}.${moduleResolution}.${experimentalDecorators}.json`);
  const compilerOptions = { strict: true, target: "es2022", lib: ["es2022"], types: ["node"], noEmit: true, esModuleInterop: true, skipLibCheck: false, module, moduleResolution, experimentalDecorators };
  writeFileSync(config, JSON.stringify({ compilerOptions, include: ["*.ts"] }));
  try {
    execFileSync(process.execPath, [TSC_7, "-p", config, "--pretty", "false"], { cwd: dir, encoding: "utf8" });
    return "";
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? "") + String((error as { stderr?: string }).stderr ?? "");
    const errors = output.split("\n").filter((line) => line.trim() !== "" && !/[\\/]node_modules[\\/]unplugin[\\/]/.test(line));
    return errors.length > 0 ? errors.join("\n") : "";
  }
}

const RESOLUTIONS_7 = [
  { name: "node16, ESM project", format: "esm", module: "node16", moduleResolution: "node16" },
  { name: "node16, CommonJS project", format: "cjs", module: "node16", moduleResolution: "node16" },
  { name: "nodenext, ESM project", format: "esm", module: "nodenext", moduleResolution: "nodenext" },
  { name: "nodenext, CommonJS project", format: "cjs", module: "nodenext", moduleResolution: "nodenext" },
  { name: "bundler", format: "esm", module: "esnext", moduleResolution: "bundler" },
] as const;

describe("consumer code type-checks against the built packages", () => {
  test("the consumer project imports every entry point", () => {
    const entries = allEntries("esm");
    expect(entries).toContain('"@spanfn/tracing"');
    expect(entries).toContain('"@spanfn/tracing/node"');
    expect(entries).toContain('"@spanfn/babel-plugin"');
    expect(entries).toContain('"@spanfn/cli/register"');
    expect(allEntries("cjs")).not.toContain('"@spanfn/cli/register"');
  });

  for (const resolution of RESOLUTIONS) {
    for (const decorators of DECORATORS) {
      test(`${resolution.name}, ${decorators.name}`, () => {
        const { format, module, moduleResolution } = resolution;
        expect(check(format, { module, moduleResolution, experimentalDecorators: decorators.experimentalDecorators })).toBe("");
      });
    }
  }
});

describe("consumer code type-checks against the built packages with TypeScript 7", () => {
  test("its tsc reports an error in consumer code (the check can fail)", () => {
    const dir = join(project, "esm");
    const broken = join(dir, "broken-on-purpose.ts");
    writeFileSync(broken, 'import { instrumentPromise } from "@spanfn/tracing";\nexport const p: number = instrumentPromise(Promise.resolve("x"), 0);\n');
    try {
      expect(check7("esm", "nodenext", "nodenext", false)).toMatch(/broken-on-purpose\.ts\(2,14\): error TS2322/);
    } finally {
      rmSync(broken);
    }
  });

  for (const resolution of RESOLUTIONS_7) {
    for (const decorators of DECORATORS) {
      test(`${resolution.name}, ${decorators.name}`, () => {
        expect(check7(resolution.format, resolution.module, resolution.moduleResolution, decorators.experimentalDecorators)).toBe("");
      });
    }
  }
});
