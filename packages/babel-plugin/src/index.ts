/**
 * @spanfn/babel-plugin: gives marked functions (or all of them) spans recorded by
 * @spanfn/tracing. All analysis runs in one eager pass from `Program` enter, before other
 * plugins (preset-typescript, preset-env) have stripped types or rewritten async code.
 */
import type { ConfigAPI, NodePath, PluginObj, PluginPass, Visitor, types as t } from "@babel/core";
import { instrumentCompiledBody, instrumentFunction, instrumentStateMachine, type FileRefs } from "./codegen.js";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { TypeCheckers, type ReturnTypes } from "./checker.js";
import { analyzeFile, createContext, type Detection } from "./detect.js";
import { functionsInPropertyKeys } from "./keys.js";
import { findCommentMarker, isSpanFnReference, parseTag, returnedFunction, type FoundMarker, type Marker } from "./markers.js";
import { functionName, modulePath, spanName } from "./naming.js";
import { ModuleGraph } from "./modules.js";
import { normalizeOptions, type NormalizedOptions, type SpanFnPluginOptions } from "./options.js";
import { Resolver } from "./resolve.js";
import { addRuntimeImport, alreadyInstrumented, hoistSites, type SiteTable } from "./program.js";

export type { SpanFnPluginOptions } from "./options.js";
export { RULES, detect, type Route, type Detection } from "./detect.js";

type Api = ConfigAPI & {
  types: typeof t;
  assertVersion(range: number | string): void;
  /** Babel ≥ 7.17: a file the build's result depends on besides its source (watchers re-run it). */
  addExternalDependency?: (file: string) => void;
};

/**
 * Modules read for their types, shared by every instance of the plugin in the process: Babel
 * builds a new instance per config, and a build's files import the same contracts.
 */
const graph = new ModuleGraph(new Resolver());
/** TypeScript language services (option `typeChecker`), one per tsconfig, shared likewise. */
const checkers = new TypeCheckers();

export default function spanfnPlugin(api: Api, rawOptions: SpanFnPluginOptions): PluginObj<PluginPass> {
  api.assertVersion("^7.22.0 || ^8.0.0-0");
  const options = normalizeOptions(rawOptions);
  const plugin: PluginContext = {
    options,
    types: api.types,
    runtimeModules: new Set([options.runtimeModule, "@spanfn/tracing"]),
  };
  reportContracts(api);

  return {
    name: "spanfn",
    manipulateOptions(_opts: unknown, parserOpts: { plugins: unknown[] }) {
      const has = (name: string) => parserOpts.plugins.some((p) => p === name || (Array.isArray(p) && p[0] === name));
      if (!has("decorators") && !has("decorators-legacy")) parserOpts.plugins.push("decorators");
    },
    visitor: {
      Program: {
        // All analysis runs here, before other plugins strip types or rewrite async code.
        enter(program, pass) {
          const file = prepare(program, pass.file, plugin);
          if (file === null) return;
          program.traverse(functionVisitor, file);
          finish(program, file);
        },
      },
    },
  };
}

/**
 * The contract files earlier transforms read, as Babel's external dependencies: Babel records
 * them when it builds the plugin, not while a file is transformed, so the plugin is rebuilt
 * (cheaply: the parsed modules stay cached) whenever that list grows, and later results name them.
 */
function reportContracts(api: Api): void {
  if (typeof api.addExternalDependency !== "function" || typeof api.cache?.invalidate !== "function") return;
  api.cache.invalidate(() => graph.readVersion);
  for (const file of graph.everRead) api.addExternalDependency(file);
}

interface PluginContext {
  readonly options: NormalizedOptions;
  readonly types: typeof t;
  readonly runtimeModules: ReadonlySet<string>;
}

/** What instrumenting one file needs, from prepare to finish. */
interface FileState extends PluginContext {
  readonly file: BabelFile;
  readonly filename: string | null;
  readonly module: string;
  readonly detections: Map<t.Node, Detection>;
  readonly keyFunctions: WeakSet<t.Node>;
  readonly hasWith: boolean;
  readonly compiledBodies: WeakMap<t.Node, t.Identifier>;
  compiledCode: boolean;
  readonly sites: SiteTable;
  readonly sitesId: t.Identifier;
  readonly refs: FileRefs;
  readonly consumed: Set<t.Comment>;
  readonly removedDecorators: NodePath<t.Decorator>[];
  readonly done: WeakSet<t.Node>;
  /** Markers of functions returned by wrappers, found when the wrapper was visited. */
  readonly innerMarkers: WeakMap<t.Node, FoundMarker | null>;
}

type BabelFile = PluginPass["file"];

/** Decides whether the file is instrumented and detects every function's route; null: left alone. */
function prepare(program: NodePath<t.Program>, file: BabelFile, plugin: PluginContext): FileState | null {
  const { options, types } = plugin;
  const filename = file.opts.filename ?? null;
  const root = options.root ?? file.opts.root ?? file.opts.cwd ?? process.cwd();
  const module = modulePath(filename, root);
  if (filename && !options.matches(module, filename)) return null;
  if (alreadyInstrumented(program, types)) return null;
  const source = file.code ?? "";
  // Marked mode and nothing marked, nor compiled async code to keep parents through: the
  // file is left as it is, at the cost of two text searches.
  if (options.instrument === "marked" && !source.includes("spanFn") && !COMPILED_ASYNC.test(source)) return null;

  graph.refresh();
  const context = createContext(program, types, {
    filename,
    promiseTypes: options.promiseTypes,
    promiseFunctions: options.promiseFunctions,
    graph: filename === null || !options.followImports ? null : graph,
    checker: filename === null || options.typeChecker === null ? null : returnTypes(filename, source, root, options.typeChecker),
  });
  const detections = analyzeFile(program, context);
  (file.metadata as { spanfn?: { dependencies: string[] } }).spanfn = { dependencies: [...graph.dependencies] };

  const sitesId = program.scope.generateUidIdentifier("spanfnSites");
  let prefix = "_sf$";
  for (let n = 2; source.includes(prefix); n++) prefix = `_sf${n}$`;
  const words = new Set<number>();
  return {
    ...plugin,
    file,
    filename,
    module,
    detections,
    keyFunctions: functionsInPropertyKeys(program, types),
    hasWith: /\bwith\s*\(/.test(source),
    compiledBodies: new WeakMap(),
    compiledCode: false,
    sites: [],
    sitesId,
    refs: {
      types,
      sites: sitesId,
      runtime: program.scope.generateUidIdentifier("spanfn"),
      word(index) {
        words.add(index);
        return types.identifier(`${prefix}w${index}`);
      },
      words,
      readWords: types.identifier(`${prefix}words`),
      local: (role) => types.identifier(`${prefix}${role}`),
      generated: new WeakSet(),
    },
    consumed: new Set(),
    removedDecorators: [],
    done: new WeakSet(),
    innerMarkers: new WeakMap(),
  };
}

/** The checker's answers for the file, in the project of the named or the nearest tsconfig. */
function returnTypes(filename: string, source: string, root: string, option: { readonly tsconfig: string | null }): ReturnTypes | null {
  const prefix = '@spanfn/babel-plugin: option "typeChecker"';
  let tsconfig: string | null;
  if (option.tsconfig !== null) {
    tsconfig = resolve(root, option.tsconfig);
    if (!existsSync(tsconfig)) throw new Error(`${prefix}: the tsconfig "${option.tsconfig}" is not there (${tsconfig}, relative to the root ${root}).`);
  } else {
    tsconfig = graph.resolver.tsconfigOf(filename);
    if (tsconfig === null) throw new Error(`${prefix}: no tsconfig.json in ${dirname(filename)} or above it; name one with typeChecker: { tsconfig: "path" }.`);
  }
  return checkers.forFile(filename, source, tsconfig, resolve(root));
}

const functionVisitor: Visitor<FileState> = {
  Function(path, file) {
    visitFunction(path, file);
  },
  // A marker on something that is not a function with a body is a mistake to report.
  "TSDeclareFunction|TSDeclareMethod|ClassProperty|ClassPrivateProperty|ClassAccessorProperty"(path, file) {
    checkNotMarked(path, file);
  },
};

/** Instruments one function by its route and marker. */
function visitFunction(path: NodePath<t.Function>, file: FileState): void {
  const { types, refs } = file;
  if (file.done.has(path.node) || refs.generated.has(path.node)) return;
  file.done.add(path.node);
  if (file.keyFunctions.has(path.node)) {
    // Its source text can be a property key (keys.ts): instrumented, the key would change.
    const found = findMarker(path, file);
    if (found?.marker.kind === "span") {
      misplaced(file, path.node, "cannot instrument a function that is, or is inside, a computed property key: its source text can be the key, and the generated code would change it. Remove the marker.");
    }
    consume(file, found);
    return;
  }
  const detection = file.detections.get(path.node) ?? { route: "thread", rule: "default" };
  if (detection.route === "plumbing") return;
  if (detection.route === "compiled-body") {
    file.compiledBodies.set(path.node, instrumentCompiledBody(path, refs));
    file.compiledCode = true;
    return;
  }
  if (detection.route === "state-machine") {
    // Its own compiled body is the function right around it (`function () { return __generator(this, …) }`).
    const owner = path.parentPath.getFunctionParent();
    if (owner !== null && file.compiledBodies.has(owner.node)) instrumentStateMachine(path, file.compiledBodies.get(owner.node)!, refs);
    return;
  }
  // A wrapper's marker is the function's it returns: found now, before the wrapper's own
  // instrumentation moves that function out of sight (markers.ts).
  const inner = returnedFunction(path, types);
  if (inner !== null) file.innerMarkers.set(inner.node, findMarker(inner, file));
  const found = file.innerMarkers.has(path.node) ? file.innerMarkers.get(path.node)! : findMarker(path, file);
  consume(file, found);
  if (found?.decorator) {
    file.removedDecorators.push(found.decorator);
    found.decorator.remove();
  }
  const marker: Marker | null = found?.marker ?? null;
  if (marker?.kind === "ignore") return;
  if (marker === null && file.options.instrument !== "all") return;
  const explicit = marker?.kind === "span" ? marker.name : null;
  if (file.hasWith && inOrAroundWith(path)) {
    // Inside `with (obj)`, every name the generated code uses would be looked up on obj.
    if (marker !== null) {
      misplaced(file, path.node, "cannot instrument a function inside or containing a `with` statement: generated code would resolve its names through the `with` object. Remove the marker or the `with`.");
    }
    return;
  }
  const line = path.node.loc?.start.line ?? 0;
  file.sites.push([explicit ?? spanName(file.module, functionName(path, types), line), line]);
  const index = file.sites.length - 1;
  const site = index === 0 ? types.cloneNode(file.sitesId) : types.binaryExpression("+", types.cloneNode(file.sitesId), types.numericLiteral(index));
  instrumentFunction(path, detection.route, site, index, refs);
}

function checkNotMarked(path: NodePath, file: FileState): void {
  const { types } = file;
  const node = path.node as t.Node & { value?: t.Node | null; decorators?: t.Decorator[] | null };
  if ((types.isClassProperty(node) || types.isClassPrivateProperty(node)) && types.isFunction(node.value)) return;
  const exported = path.parentPath?.isExportDeclaration() ? (path.parent.leadingComments ?? []) : [];
  for (const comment of [...(node.leadingComments ?? []), ...exported]) {
    const tag = parseTag(comment);
    if (tag !== null && tag !== "malformed" && tag.kind === "span") {
      file.consumed.add(comment);
      misplaced(file, comment, `${whatCannotCarry(node, types)} cannot carry a span. ${FIX}`);
    }
  }
  for (const decorator of decoratorsOf(path)) {
    if (decoratorMarker(decorator, file.runtimeModules) !== null) {
      misplaced(file, decorator.node, `${whatCannotCarry(node, types)} cannot carry a span. ${FIX}`);
    }
  }
}

/** Checks the markers nothing used up, and adds the file's site table and runtime import. */
function finish(program: NodePath<t.Program>, file: FileState): void {
  const { types, refs } = file;
  for (const comment of file.file.ast.comments ?? []) {
    const tag = parseTag(comment);
    if (tag === null) continue;
    if (tag === "malformed") return markerError(file, comment, MALFORMED);
    if (tag.kind === "span" && !file.consumed.has(comment)) {
      misplaced(file, comment, `@spanFn marks a function, but no function follows this comment. ${FIX}`);
    }
  }
  if (file.removedDecorators.length > 0) removeUnusedSpanFnImports(program, file.runtimeModules);
  if (file.sites.length === 0 && !file.compiledCode) return;
  const target = file.filename ? relativeFile(file.module, file.filename) : file.module;
  hoistSites(program, types, refs, file.sitesId, file.module, target, file.sites);
  addRuntimeImport(program, types, refs.runtime, file.options.runtimeModule);
  // Register the generated references, or preset-typescript's import elision (which
  // runs after this, on TypeScript files) would take the runtime import for unused.
  if (file.filename === null || /\.[cm]?tsx?$/.test(file.filename)) program.scope.crawl();
}

function consume(file: FileState, found: FoundMarker | null): void {
  if (found?.comment) file.consumed.add(found.comment);
  for (const copy of found?.copies ?? []) file.consumed.add(copy);
}

function markerError(file: FileState, node: t.Node | t.Comment, message: string): never {
  const withFrames = file.file as unknown as { buildCodeFrameError(node: unknown, message: string): Error };
  throw withFrames.buildCodeFrameError(node, `@spanfn/babel-plugin: ${message}`);
}

/**
 * A marker that cannot be placed: an error in marked mode, where the marker is the request; a
 * warning in all-mode, where everything is instrumented anyway and compilers move comments.
 */
function misplaced(file: FileState, node: t.Node | t.Comment, message: string): void {
  if (file.options.instrument !== "all") markerError(file, node, message);
  const withFrames = file.file as unknown as { buildCodeFrameError(node: unknown, message: string): Error };
  const frame = withFrames.buildCodeFrameError(node, `@spanfn/babel-plugin: warning: ${message}`).message;
  console.warn(frame.startsWith(file.filename ?? "\0") ? frame : `${file.filename ?? "unknown file"}: ${frame}`);
}

const COMPILED_ASYNC = /__awaiter|_asyncToGenerator|_regenerator|regeneratorRuntime/;

const FIX = "Put /** @spanFn */ on a function with a body (the implementation, not a signature), or remove it.";
const MALFORMED = 'malformed @spanFn tag: write /** @spanFn */, /** @spanFn "name" */ or /** @spanFn ignore */.';

function whatCannotCarry(node: t.Node, types: typeof t): string {
  if (types.isTSDeclareFunction(node)) return node.declare ? "a `declare function`" : "an overload signature";
  if (types.isTSDeclareMethod(node)) return node.abstract ? "an abstract method" : "a method overload signature";
  return "a class field that is not a function";
}

function relativeFile(module: string, filename: string): string {
  const extension = /\.[^./\\]+$/.exec(filename)?.[0] ?? "";
  return module + extension;
}

function findMarker(path: NodePath<t.Function>, file: FileState): FoundMarker | null {
  if (path.isClassMethod() || path.isClassPrivateMethod()) {
    for (const decorator of decoratorsOf(path)) {
      const marker = decoratorMarker(decorator, file.runtimeModules);
      if (marker !== null) return { marker, comment: null, decorator };
    }
  }
  return findCommentMarker(path, file.types, (comment) => markerError(file, comment, MALFORMED));
}

function inOrAroundWith(path: NodePath<t.Function>): boolean {
  if (path.findParent((p) => p.isWithStatement()) !== null) return true;
  let contains = false;
  path.traverse({
    WithStatement(p) {
      contains = true;
      p.stop();
    },
  });
  return contains;
}

function decoratorsOf(path: NodePath): NodePath<t.Decorator>[] {
  const node = path.node as { decorators?: t.Decorator[] | null };
  return node.decorators ? (path.get("decorators") as NodePath<t.Decorator>[]) : [];
}

function decoratorMarker(decorator: NodePath<t.Decorator>, runtimeModules: ReadonlySet<string>): Marker | null {
  const expression = decorator.get("expression");
  if (isSpanFnReference(expression, runtimeModules)) return { kind: "span", name: null };
  if (expression.isCallExpression() && isSpanFnReference(expression.get("callee") as NodePath, runtimeModules)) {
    const args = expression.node.arguments;
    if (args.length === 0) return { kind: "span", name: null };
    if (args.length === 1 && args[0].type === "StringLiteral" && args[0].value !== "") return { kind: "span", name: args[0].value };
    throw decorator.buildCodeFrameError('@spanfn/babel-plugin: @spanFn takes no argument or one non-empty string literal: @spanFn("name").');
  }
  return null;
}

/** The decorator is gone at build time; so is its import, once nothing else uses it. */
function removeUnusedSpanFnImports(program: NodePath<t.Program>, runtimeModules: ReadonlySet<string>): void {
  program.scope.crawl();
  for (const statement of program.get("body")) {
    if (!statement.isImportDeclaration() || !runtimeModules.has(statement.node.source.value)) continue;
    for (const specifier of statement.get("specifiers")) {
      const binding = program.scope.getBinding(specifier.node.local.name);
      const imported = specifier.isImportSpecifier() ? specifier.node.imported : null;
      const importedName = imported === null ? null : "name" in imported ? imported.name : imported.value;
      if (importedName === "spanFn" && binding !== undefined && !binding.referenced) specifier.remove();
    }
    if (statement.node.specifiers.length === 0) statement.remove();
  }
}
