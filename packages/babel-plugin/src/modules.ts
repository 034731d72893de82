/**
 * What other modules say about types: a file's top-level names (interfaces, type aliases,
 * classes, functions), its imports and its exports, read from its statements without visiting
 * function bodies. A name a file cannot resolve itself is followed through its import, across
 * re-exports and index files, to its declaration (resolve.ts says which file an import names).
 * Parsed files are cached per process and read again when their mtime changes.
 */
import { readFileSync } from "node:fs";
import { parse } from "@babel/parser";
import * as core from "@babel/core";
import type { types as t } from "@babel/core";
import type { Resolver } from "./resolve.js";
import { fileStamp } from "./file-stamp.js";

/** A binding imported by a module: `imported` is a name, "default", or "*" for a namespace. */
export interface ImportRef {
  readonly source: string;
  readonly imported: string;
}

export type ExportRef = { readonly local: string } | ({ readonly from: string } & { readonly imported: string });

export interface ModuleInfo {
  /** Absolute path; null for a file Babel was handed without a name. */
  readonly file: string | null;
  readonly program: t.Program;
  /** Interfaces and type aliases, by name. */
  readonly types: Map<string, t.Node>;
  /** Class declarations, abstract and `declare` ones included. */
  readonly classes: Map<string, t.Class>;
  /** Functions: declarations, `declare function`s and `const f = () => …`, by name. */
  readonly functions: Map<string, t.Node>;
  readonly imports: Map<string, ImportRef>;
  readonly exports: Map<string, ExportRef>;
  /** `export * from "…"` sources, in order. */
  readonly exportAll: string[];
  /** The parsed file, for another module's (its bodies are traversed only when asked about). */
  readonly ast?: t.File;
  /** Its functions found to return promises (detect.ts), with the modules that finding read. */
  promiseFunctions?: { functions: WeakSet<t.Node>; reads: Map<string, ModuleInfo | null> } | "pending";
}

export type Kind = "type" | "class" | "function";

export interface Found<N extends t.Node = t.Node> {
  readonly node: N;
  readonly module: ModuleInfo;
}

/** A module's names from its top-level statements (and, for its own file, anything `more` adds). */
export function summarize(program: t.Program, file: string | null, ast?: t.File): ModuleInfo {
  const info: ModuleInfo = {
    file,
    program,
    ast,
    types: new Map(),
    classes: new Map(),
    functions: new Map(),
    imports: new Map(),
    exports: new Map(),
    exportAll: [],
  };
  for (const statement of program.body) {
    switch (statement.type) {
      case "ImportDeclaration":
        for (const specifier of statement.specifiers) {
          const imported =
            specifier.type === "ImportNamespaceSpecifier"
              ? "*"
              : specifier.type === "ImportDefaultSpecifier"
                ? "default"
                : nameOf(specifier.imported);
          info.imports.set(specifier.local.name, { source: statement.source.value, imported });
        }
        break;
      case "ExportAllDeclaration":
        info.exportAll.push(statement.source.value);
        break;
      case "ExportNamedDeclaration":
        if (statement.declaration) {
          for (const name of declare(info, statement.declaration)) info.exports.set(name, { local: name });
        }
        for (const specifier of statement.specifiers) {
          if (specifier.type === "ExportSpecifier") {
            const exported = nameOf(specifier.exported);
            info.exports.set(
              exported,
              statement.source ? { from: statement.source.value, imported: specifier.local.name } : { local: specifier.local.name },
            );
          } else if (specifier.type === "ExportNamespaceSpecifier" && statement.source) {
            info.exports.set(specifier.exported.name, { from: statement.source.value, imported: "*" });
          }
        }
        break;
      case "ExportDefaultDeclaration": {
        const declaration = statement.declaration;
        if (declaration.type === "Identifier") info.exports.set("default", { local: declaration.name });
        else {
          const [name] = declare(info, declaration as t.Declaration, "default");
          if (name !== undefined) info.exports.set("default", { local: name });
        }
        break;
      }
      default:
        declare(info, statement);
    }
  }
  return info;
}

function nameOf(node: t.Identifier | t.StringLiteral): string {
  return node.type === "Identifier" ? node.name : node.value;
}

/** Records what `statement` declares; returns the names. */
function declare(info: ModuleInfo, statement: t.Node, fallbackName?: string): string[] {
  switch (statement.type) {
    case "TSInterfaceDeclaration":
    case "TSTypeAliasDeclaration":
      info.types.set(statement.id.name, statement);
      return [statement.id.name];
    case "ClassDeclaration": {
      const name = statement.id?.name ?? fallbackName;
      if (name !== undefined) info.classes.set(name, statement);
      return name === undefined ? [] : [name];
    }
    case "FunctionDeclaration":
    case "TSDeclareFunction": {
      const name = statement.id?.name ?? fallbackName;
      if (name !== undefined && !info.functions.has(name)) info.functions.set(name, statement);
      return name === undefined ? [] : [name];
    }
    case "VariableDeclaration": {
      const names: string[] = [];
      for (const declarator of statement.declarations) {
        if (declarator.id.type !== "Identifier") continue;
        names.push(declarator.id.name);
        info.functions.set(declarator.id.name, declarator);
      }
      return names;
    }
    default:
      return [];
  }
}

const PARSER_PLUGINS = ["typescript", "decorators", "jsx"] as const;

interface CacheEntry {
  readonly stamp: string;
  readonly info: ModuleInfo | null;
  /** The generation this entry's file was last checked in. */
  checked: number;
}

/**
 * Modules read for their types, with their lookups. One per plugin instance; `refresh` starts a
 * new file's transform, after which each cached module is checked against its mtime once.
 */
export class ModuleGraph {
  private readonly cache = new Map<string, CacheEntry>();
  private generation = 0;
  /** Files read for the file being transformed (its contracts' files), for the build's watchers. */
  dependencies = new Set<string>();
  /** Every file ever read, and a count that grows with it (the plugin reports them to Babel). */
  readonly everRead = new Set<string>();
  readVersion = 0;

  constructor(readonly resolver: Resolver) {}

  refresh(): void {
    this.generation++;
    this.dependencies = new Set();
    this.resolver.refresh();
  }

  /** The parsed module at `file` (null when it cannot be read or parsed). */
  load(file: string): ModuleInfo | null {
    let entry = this.cache.get(file);
    if (entry === undefined || entry.checked !== this.generation) {
      const stamp = fileStamp(file);
      if (stamp === null) {
        this.cache.delete(file);
        return null;
      }
      if (entry === undefined || entry.stamp !== stamp) {
        entry = { stamp, info: parseModule(file), checked: this.generation };
        this.cache.set(file, entry);
      }
      entry.checked = this.generation;
    }
    this.dependencies.add(file);
    if (!this.everRead.has(file)) {
      this.everRead.add(file);
      this.readVersion++;
    }
    return entry.info;
  }

  /** The module `source` names, imported from `from`. */
  imported(from: ModuleInfo, source: string): ModuleInfo | null {
    if (from.file === null) return null;
    const file = this.resolver.resolve(source, from.file);
    return file === null ? null : this.load(file);
  }

  /** The declaration `name` refers to in `module`, of the given kind: its own or imported. */
  find(module: ModuleInfo, name: string, kind: Kind, seen = new Set<string>()): Found | null {
    const own = table(module, kind).get(name);
    if (own !== undefined) return { node: own, module };
    const ref = module.imports.get(name);
    if (ref === undefined || ref.imported === "*") return null;
    const target = this.imported(module, ref.source);
    return target === null ? null : this.exported(target, ref.imported, kind, seen);
  }

  /** What `module` exports as `name`, followed through re-exports. */
  exported(module: ModuleInfo, name: string, kind: Kind, seen = new Set<string>()): Found | null {
    const key = `${module.file}\0${name}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const ref = module.exports.get(name);
    if (ref !== undefined) {
      if ("local" in ref) return this.find(module, ref.local, kind, seen);
      const target = this.imported(module, ref.from);
      return target === null ? null : this.exported(target, ref.imported, kind, seen);
    }
    // A declaration file without imports or exports declares globally; one with them, only what it exports.
    if (module.exports.size === 0 && module.exportAll.length === 0 && module.file?.endsWith(".d.ts")) {
      const own = table(module, kind).get(name);
      if (own !== undefined) return { node: own, module };
    }
    if (name === "default") return null;
    for (const source of module.exportAll) {
      const target = this.imported(module, source);
      const found = target === null ? null : this.exported(target, name, kind, seen);
      if (found !== null) return found;
    }
    return null;
  }

  /** `ns.Name` with `import * as ns from "…"` in `module`. */
  findQualified(module: ModuleInfo, namespace: string, name: string, kind: Kind): Found | null {
    const ref = module.imports.get(namespace);
    if (ref === undefined || ref.imported !== "*") return null;
    const target = this.imported(module, ref.source);
    return target === null ? null : this.exported(target, name, kind);
  }
}

function table(module: ModuleInfo, kind: Kind): Map<string, t.Node> {
  return kind === "type" ? module.types : kind === "class" ? (module.classes as Map<string, t.Node>) : module.functions;
}

function parseModule(file: string): ModuleInfo | null {
  try {
    const code = readFileSync(file, "utf8");
    const plugins = PARSER_PLUGINS.filter((p) => p !== "jsx" || /\.[jt]sx$/.test(file));
    const ast = parse(code, {
      sourceType: "unambiguous",
      sourceFilename: file,
      errorRecovery: true,
      plugins: plugins.map((p) => (p === "typescript" ? ["typescript", { dts: /\.d\.[cm]?ts$/.test(file) }] : p)) as never,
    });
    return summarize(ast.program as unknown as t.Program, file, ast as unknown as t.File);
  } catch {
    return null;
  }
}

type Traverse = (node: t.Node, visitors: Record<string, unknown>) => void;

/**
 * Traverses another module's AST with the @babel/core the plugin runs in (a peer dependency).
 * Loaded from ESM, @babel/core's exports are on its default export only.
 */
export function traverseFile(ast: t.File, visitors: Record<string, unknown>): void {
  const babel = core as unknown as { traverse?: Traverse; default?: { traverse: Traverse } };
  (babel.traverse ?? babel.default!.traverse)(ast, visitors);
}
