/**
 * The optional TypeScript checker (option `typeChecker`): what `tsc` says a function returns,
 * inferred types included, for the functions detect.ts's syntactic rules leave undecided. One
 * language service per tsconfig per process, kept from file to file. The file being transformed
 * is given to it as Babel has it (`file.code`): Babel's positions are then TypeScript's, and a
 * file newer than the disk (a watcher, an earlier loader) is checked as it is now.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { types as t } from "@babel/core";
import type * as TS from "typescript";
import { fileStamp } from "./file-stamp.js";

type TypeScript = typeof TS;

/** What a type checker says of the functions of one file (detect.ts's last rule). */
export interface ReturnTypes {
  /** Whether every value the function can return is a promise or another thenable. */
  returnsPromise(fn: t.Function): boolean;
}

/** Loads `typescript` as a file in `directory` would: the project's own compiler. */
export type TypeScriptLoader = (directory: string) => unknown;

const requireTypeScript: TypeScriptLoader = (directory) => createRequire(join(directory, "noop.js"))("typescript");

const PREFIX = '@spanfn/babel-plugin: option "typeChecker"';

/** The language services of one process, by tsconfig. */
export class TypeCheckers {
  private readonly projects = new Map<string, Project>();
  private readonly compilers = new Map<string, TypeScript>();
  /** Parsed files shared by the projects, the lib files above all. */
  private readonly registries = new Map<TypeScript, TS.DocumentRegistry>();

  constructor(private readonly load: TypeScriptLoader = requireTypeScript) {}

  /**
   * The checker's answers for `filename`, whose text is `code`, in the project of `tsconfig`;
   * null where it has none (a file the project does not compile, such as JavaScript without
   * `allowJs`). A tsconfig that cannot be read, or no `typescript` to load, is an error.
   */
  forFile(filename: string, code: string, tsconfig: string, root: string): ReturnTypes | null {
    const stamp = fileStamp(tsconfig);
    if (stamp === null) throw new Error(`${PREFIX}: cannot read the tsconfig ${tsconfig}.`);
    let project = this.projects.get(tsconfig);
    if (project === undefined || project.stamp !== stamp) {
      project?.dispose();
      const ts = this.compiler(root);
      let registry = this.registries.get(ts);
      if (registry === undefined) {
        registry = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames);
        this.registries.set(ts, registry);
      }
      project = new Project(ts, registry, tsconfig, stamp);
      this.projects.set(tsconfig, project);
    }
    return project.returnTypes(filename.replace(/\\/g, "/"), code);
  }

  private compiler(root: string): TypeScript {
    let ts = this.compilers.get(root);
    if (ts === undefined) {
      try {
        ts = this.load(root) as TypeScript;
        if (typeof ts?.createLanguageService !== "function") throw new Error("it has no createLanguageService");
      } catch (error) {
        throw new Error(
          `${PREFIX} needs the "typescript" package, which could not be loaded from ${root} (${(error as Error).message}). Install it (npm install -D typescript) or remove the option.`,
        );
      }
      this.compilers.set(root, ts);
    }
    return ts;
  }
}

/**
 * One tsconfig's language service. Files on disk are versioned by mtime and size, checked once
 * per transformed file (files under node_modules once per process); a file Babel hands over with
 * other text than the disk's is given that text, under a version of its own. An unchanged project
 * keeps its program and checker from one file to the next.
 */
class Project {
  private readonly service: TS.LanguageService;
  private readonly roots: Set<string>;
  private readonly given = new Map<string, { text: string; version: number }>();
  private readonly disk = new Map<string, { version: string; generation: number }>();
  private readonly indexes = new WeakMap<TS.SourceFile, Map<number, TS.SignatureDeclaration>>();
  private generation = 0;
  private givenVersions = 0;

  constructor(
    private readonly ts: TypeScript,
    registry: TS.DocumentRegistry,
    tsconfig: string,
    readonly stamp: string,
  ) {
    const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(`${PREFIX}: cannot read the tsconfig ${tsconfig}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`);
      },
    });
    if (parsed === undefined) throw new Error(`${PREFIX}: cannot read the tsconfig ${tsconfig}.`);
    // tsc would stop at these; the checker answers anyway, as well as such a config lets it.
    const problems = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== NO_INPUTS);
    if (problems.length > 0) {
      const text = problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " ")).join("; ");
      console.warn(`${PREFIX}: warning: ${tsconfig}: ${text}`);
    }
    this.roots = new Set(parsed.fileNames);
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => parsed.options,
      getProjectReferences: () => parsed.projectReferences,
      getScriptFileNames: () => [...this.roots],
      getScriptVersion: (file) => this.version(file),
      getScriptSnapshot: (file) => {
        const text = this.given.get(file)?.text ?? ts.sys.readFile(file);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => dirname(tsconfig),
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (file) => this.given.has(file) || ts.sys.fileExists(file),
      readFile: (file, encoding) => this.given.get(file)?.text ?? ts.sys.readFile(file, encoding),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
    };
    this.service = ts.createLanguageService(host, registry);
  }

  dispose(): void {
    this.service.dispose();
  }

  private version(file: string): string {
    const given = this.given.get(file);
    if (given !== undefined) return `given ${given.version}`;
    let entry = this.disk.get(file);
    if (entry === undefined || (entry.generation !== this.generation && !file.includes("/node_modules/"))) {
      entry = { version: fileStamp(file) ?? "missing", generation: this.generation };
      this.disk.set(file, entry);
    }
    return entry.version;
  }

  returnTypes(file: string, code: string): ReturnTypes | null {
    this.generation++;
    this.roots.add(file);
    let disk: string | null = null;
    try {
      disk = readFileSync(file, "utf8");
    } catch {
      // A file only Babel has (a virtual module): its text is the given one.
    }
    if (disk === code) this.given.delete(file);
    else if (this.given.get(file)?.text !== code) this.given.set(file, { text: code, version: ++this.givenVersions });

    let program: TS.Program | undefined;
    try {
      program = this.service.getProgram();
    } catch (error) {
      // TypeScript's own failure must not fail the build: the rules alone decide for this file.
      console.warn(`${PREFIX}: warning: TypeScript failed on ${file} (${(error as Error).message}); its spans are decided without it.`);
      return null;
    }
    const source = program?.getSourceFile(file);
    if (program === undefined || source === undefined || source.text !== code) return null;
    const checker = program.getTypeChecker();
    const index = this.indexOf(source);
    const ts = this.ts;
    return {
      returnsPromise: (fn) => {
        if ((fn.type === "ClassMethod" || fn.type === "ClassPrivateMethod" || fn.type === "ObjectMethod") && (fn.kind === "constructor" || fn.kind === "set")) return false;
        const declaration = index.get(bodyStart(fn) ?? -1);
        if (declaration === undefined || declaration.end !== fn.end) return false;
        try {
          const signature = checker.getSignatureFromDeclaration(declaration);
          return signature !== undefined && isPromiseLike(ts, checker, checker.getReturnTypeOfSignature(signature), declaration);
        } catch {
          // A checker that fails on a declaration says nothing: the run-time check decides.
          return false;
        }
      },
    };
  }

  /** The file's functions by where their bodies start (inside any parentheses), as Babel's are found. */
  private indexOf(source: TS.SourceFile): Map<number, TS.SignatureDeclaration> {
    let index = this.indexes.get(source);
    if (index !== undefined) return index;
    const ts = this.ts;
    const found = new Map<number, TS.SignatureDeclaration>();
    const visit = (node: TS.Node): void => {
      if (ts.isFunctionLike(node) && !ts.isConstructorDeclaration(node)) {
        let body = (node as { body?: TS.Node }).body;
        while (body !== undefined && ts.isParenthesizedExpression(body)) body = body.expression;
        if (body !== undefined) found.set(body.getStart(source), node);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    this.indexes.set(source, found);
    index = found;
    return index;
  }
}

/** "No inputs were found in config file": the transformed file is added as a root anyway. */
const NO_INPUTS = 18003;

function bodyStart(fn: t.Function): number | null | undefined {
  let body: t.Node = fn.body;
  while (body.type === "ParenthesizedExpression") body = body.expression;
  return body.start;
}

/**
 * Whether every constituent of `type` has a callable `then` (an optional one, under
 * strictNullChecks, is not). `any`, `unknown`, an unconstrained type parameter and a union with
 * anything else are not: the run-time check decides for them.
 */
function isPromiseLike(ts: TypeScript, checker: TS.TypeChecker, type: TS.Type, at: TS.Node): boolean {
  if (type.isUnion()) return type.types.every((member) => isPromiseLike(ts, checker, member, at));
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return false;
  if (type.flags & ts.TypeFlags.Instantiable) {
    const constraint = checker.getBaseConstraintOfType(type);
    return constraint !== undefined && constraint !== type && isPromiseLike(ts, checker, constraint, at);
  }
  const then = checker.getPropertyOfType(type, "then");
  if (then === undefined) return false;
  return checker.getTypeOfSymbolAtLocation(then, at).getCallSignatures().length > 0;
}
