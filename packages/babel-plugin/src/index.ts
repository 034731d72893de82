/**
 * @spanfn/babel-plugin: gives marked functions (or all of them) spans recorded by
 * @spanfn/tracing. All analysis runs in one eager pass from `Program` enter, before other
 * plugins (preset-typescript, preset-env) have stripped types or rewritten async code.
 */
import type { ConfigAPI, NodePath, PluginObj, PluginPass, types as t } from "@babel/core";
import { instrumentCompiledBody, instrumentFunction, instrumentStateMachine, type FileRefs } from "./codegen.js";
import { analyzeFile, collectDeclarations, type DetectContext } from "./detect.js";
import { functionsInPropertyKeys } from "./keys.js";
import { findCommentMarker, isSpanFnReference, parseTag, type FoundMarker, type Marker } from "./markers.js";
import { functionName, modulePath, spanName } from "./naming.js";
import { normalizeOptions, type SpanFnPluginOptions } from "./options.js";
import { addRuntimeImport, alreadyInstrumented, hoistSites, isModule, type SiteTable } from "./program.js";

export type { SpanFnPluginOptions } from "./options.js";
export { RULES, detect, type Route, type Detection } from "./detect.js";

type Api = ConfigAPI & { types: typeof t; assertVersion(range: number | string): void };

export default function spanfnPlugin(api: Api, rawOptions: SpanFnPluginOptions): PluginObj<PluginPass> {
  api.assertVersion("^7.22.0 || ^8.0.0-0");
  const options = normalizeOptions(rawOptions);
  const types = api.types;
  const runtimeModules = new Set([options.runtimeModule, "@spanfn/tracing"]);

  return {
    name: "spanfn",
    manipulateOptions(_opts: unknown, parserOpts: { plugins: unknown[] }) {
      const has = (name: string) => parserOpts.plugins.some((p) => p === name || (Array.isArray(p) && p[0] === name));
      if (!has("decorators") && !has("decorators-legacy")) parserOpts.plugins.push("decorators");
    },
    visitor: {
      Program: {
        enter(program, pass) {
          const file = pass.file;
          const filename = file.opts.filename ?? null;
          const root = options.root ?? file.opts.root ?? file.opts.cwd ?? process.cwd();
          const module = modulePath(filename, root);
          if (filename && !options.matches(module, filename)) return;
          if (alreadyInstrumented(program, types)) return;
          const source = file.code ?? "";
          // Marked mode and nothing marked, nor compiled async code to keep parents through: the
          // file is left as it is, at the cost of two text searches.
          if (options.instrument === "marked" && !source.includes("spanFn") && !COMPILED_ASYNC.test(source)) return;

          const context: DetectContext = {
            types,
            promiseTypes: options.promiseTypes,
            promiseFunctions: options.promiseFunctions,
            ...collectDeclarations(program),
            knownPromise: new WeakSet(),
          };
          const detections = analyzeFile(program, context);
          const keyFunctions = functionsInPropertyKeys(program, types);
          const fileHasWith = /\bwith\s*\(/.test(source);
          const compiledBodies = new WeakMap<t.Node, t.Identifier>();
          let compiledCode = false;
          const sites: SiteTable = [];
          let prefix = "_sf$";
          for (let n = 2; source.includes(prefix); n++) prefix = `_sf${n}$`;
          const refs: FileRefs = {
            types,
            runtime: program.scope.generateUidIdentifier("spanfn"),
            gates: program.scope.generateUidIdentifier("spanfnGates"),
            calls: program.scope.generateUidIdentifier("spanfnCalls"),
            gated: false,
            esModule: isModule(program, types),
            local: (role) => types.identifier(`${prefix}${role}`),
            generated: new WeakSet(),
          };
          const sitesId = program.scope.generateUidIdentifier("spanfnSites");
          const consumed = new Set<t.Comment>();
          const removedDecorators: NodePath<t.Decorator>[] = [];
          const done = new WeakSet<t.Node>();

          const markerError = (node: t.Node | t.Comment, message: string): never => {
            const withFrames = file as unknown as { buildCodeFrameError(node: unknown, message: string): Error };
            throw withFrames.buildCodeFrameError(node, `@spanfn/babel-plugin: ${message}`);
          };

          const siteFor = (index: number): t.Expression =>
            index === 0 ? types.cloneNode(sitesId) : types.binaryExpression("+", types.cloneNode(sitesId), types.numericLiteral(index));

          program.traverse({
            Function(path) {
              if (done.has(path.node) || refs.generated.has(path.node)) return;
              done.add(path.node);
              if (keyFunctions.has(path.node)) {
                // Its source text can be a property key (keys.ts): instrumented, the key would change.
                const found = findMarker(path, types, runtimeModules, markerError);
                if (found?.marker.kind === "span") {
                  throw path.buildCodeFrameError(
                    "@spanfn/babel-plugin: cannot instrument a function that is, or is inside, a computed property key: its source text can be the key, and the generated code would change it. Remove the marker.",
                  );
                }
                if (found?.comment) consumed.add(found.comment);
                return;
              }
              const detection = detections.get(path.node) ?? { route: "thread", rule: "default" };
              if (detection.route === "plumbing") return;
              if (detection.route === "compiled-body") {
                compiledBodies.set(path.node, instrumentCompiledBody(path, refs));
                compiledCode = true;
                return;
              }
              if (detection.route === "state-machine") {
                // Its own compiled body is the function right around it (`function () { return __generator(this, …) }`).
                const owner = path.parentPath.getFunctionParent();
                if (owner !== null && compiledBodies.has(owner.node)) instrumentStateMachine(path, compiledBodies.get(owner.node)!, refs);
                return;
              }
              const found = findMarker(path, types, runtimeModules, markerError);
              if (found?.comment) consumed.add(found.comment);
              if (found?.decorator) {
                removedDecorators.push(found.decorator);
                found.decorator.remove();
              }
              const marker: Marker | null = found?.marker ?? null;
              if (marker?.kind === "ignore") return;
              if (marker === null && options.instrument !== "all") return;
              const explicit = marker?.kind === "span" ? marker.name : null;
              if (fileHasWith && inOrAroundWith(path)) {
                // Inside `with (obj)`, every name the generated code uses would be looked up on obj.
                if (marker !== null) {
                  throw path.buildCodeFrameError(
                    "@spanfn/babel-plugin: cannot instrument a function inside or containing a `with` statement: generated code would resolve its names through the `with` object. Remove the marker or the `with`.",
                  );
                }
                return;
              }
              const line = path.node.loc?.start.line ?? 0;
              sites.push([explicit ?? spanName(module, functionName(path, types), line), line]);
              instrumentFunction(path, detection.route, siteFor(sites.length - 1), sites.length - 1, refs);
            },
            // A marker on something that is not a function with a body is a mistake to report.
            "TSDeclareFunction|TSDeclareMethod|ClassProperty|ClassPrivateProperty|ClassAccessorProperty"(path) {
              const node = path.node as t.Node & { value?: t.Node | null; decorators?: t.Decorator[] | null };
              if ((types.isClassProperty(node) || types.isClassPrivateProperty(node)) && types.isFunction(node.value)) return;
              const exported = path.parentPath?.isExportDeclaration() ? (path.parent.leadingComments ?? []) : [];
              for (const comment of [...(node.leadingComments ?? []), ...exported]) {
                const tag = parseTag(comment);
                if (tag !== null && tag !== "malformed" && tag.kind === "span") {
                  markerError(comment, `${whatCannotCarry(node, types)} cannot carry a span. ${FIX}`);
                }
              }
              for (const decorator of decoratorsOf(path)) {
                if (decoratorMarker(decorator, runtimeModules) !== null) {
                  throw decorator.buildCodeFrameError(`@spanfn/babel-plugin: ${whatCannotCarry(node, types)} cannot carry a span. ${FIX}`);
                }
              }
            },
          });

          for (const comment of file.ast.comments ?? []) {
            const tag = parseTag(comment);
            if (tag === null) continue;
            if (tag === "malformed") return markerError(comment, MALFORMED);
            if (tag.kind === "span" && !consumed.has(comment)) {
              markerError(comment, `@spanFn marks a function, but no function follows this comment. ${FIX}`);
            }
          }
          if (removedDecorators.length > 0) removeUnusedSpanFnImports(program, runtimeModules);
          if (sites.length === 0 && !compiledCode) return;
          hoistSites(program, types, refs, sitesId, module, filename ? relativeFile(module, filename) : module, sites);
          addRuntimeImport(program, types, refs.runtime, options.runtimeModule);
          // Register the generated references, or preset-typescript's import elision (which
          // runs after this, on TypeScript files) would take the runtime import for unused.
          if (filename === null || /\.[cm]?tsx?$/.test(filename)) program.scope.crawl();
        },
      },
    },
  };
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

function findMarker(
  path: NodePath<t.Function>,
  types: typeof t,
  runtimeModules: ReadonlySet<string>,
  onError: (node: t.Comment, message: string) => never,
): FoundMarker | null {
  if (path.isClassMethod() || path.isClassPrivateMethod()) {
    for (const decorator of decoratorsOf(path)) {
      const marker = decoratorMarker(decorator, runtimeModules);
      if (marker !== null) return { marker, comment: null, decorator };
    }
  }
  return findCommentMarker(path, types, (comment) => onError(comment, MALFORMED));
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
