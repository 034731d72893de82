/**
 * Why a function gets the span it gets: one table of rules, first match wins (`RULES`). A
 * function that returns a promise must get an async span whatever its syntax; everything else
 * gets a thread span, whose generated code still checks the returned value at run time.
 * The test table beside it is packages/babel-plugin/test/detect.test.ts.
 */
import type { NodePath, types as t } from "@babel/core";
import { calledHelper, compiledRole, isAsyncForwarderCallee, isHelperDefinition } from "./compiled.js";
import { summarize, traverseFile, type Found, type Kind, type ModuleGraph, type ModuleInfo } from "./modules.js";
import { isWrapper, skipWrappers } from "./wrappers.js";
import type { ReturnTypes } from "./checker.js";

export type Route =
  /** `async function`: an async span, ended in the body's own `finally`. */
  | "async"
  /** No `async` keyword, but returns a promise: an async span ended when that promise settles. */
  | "promise"
  /** A thread span per resumption of the generator body. */
  | "generator"
  /** An async span per resumption of the async generator body. */
  | "async-generator"
  /** A thread span, plus a run-time check that turns a returned promise into an async span. */
  | "thread"
  /** The body a compiler handed to an async helper: no span; takes the caller's span at its
   * first run and makes it current again whenever it resumes. */
  | "compiled-body"
  /** A compiled state machine: called at each resumption; makes that span current meanwhile. */
  | "state-machine"
  /** Compiler helpers and glue: plumbing, not the user's: left alone. */
  | "plumbing";

export interface DetectContext {
  readonly types: typeof t;
  readonly promiseTypes: ReadonlySet<string>;
  /** Callee names (`fetch`, `got`, `axios.get`) whose calls return promises. */
  readonly promiseFunctions: ReadonlySet<string>;
  /** The file's names: its type aliases, interfaces, classes and functions, and its imports. */
  readonly module: ModuleInfo;
  /** Follows imports into other modules; null: the file is read alone. */
  readonly graph: ModuleGraph | null;
  /** Functions of this file found to return promises, grown to a fixed point (analyzeFile). */
  readonly knownPromise: WeakSet<t.Node>;
  /** The TypeScript checker's answers for this file's functions (option `typeChecker`); null: none. */
  readonly checker: ReturnTypes | null;
}

export interface Rule {
  readonly id: string;
  readonly route: Route;
  readonly test: (path: NodePath<t.Function>, context: DetectContext) => boolean;
}

export const RULES: readonly Rule[] = [
  { id: "compiler helper", route: "plumbing", test: (p, c) => isHelperDefinition(p, c.types) },
  { id: "compiled glue", route: "plumbing", test: (p, c) => compiledRole(p, c.types) === "glue" },
  { id: "compiled async body", route: "compiled-body", test: (p, c) => compiledRole(p, c.types) === "body" },
  { id: "compiled state machine", route: "state-machine", test: (p, c) => compiledRole(p, c.types) === "state-machine" },
  { id: "async generator", route: "async-generator", test: (p) => Boolean(p.node.async && p.node.generator) },
  { id: "generator", route: "generator", test: (p) => Boolean(p.node.generator) },
  { id: "async keyword", route: "async", test: (p) => Boolean(p.node.async) },
  { id: "Promise return type", route: "promise", test: (p, c) => typeVerdict(p.node.returnType, fileScope(c), c) === "promise" },
  { id: "contract says Promise", route: "promise", test: (p, c) => contractVerdict(p, c) === "promise" },
  { id: "returns a promise", route: "promise", test: (p, c) => returnsPromise(p, c) },
  { id: "type checker says Promise", route: "promise", test: (p, c) => c.checker?.returnsPromise(p.node) === true },
];

export interface Detection {
  readonly route: Route;
  /** The rule that decided, for messages and the test table. */
  readonly rule: string;
}

export function detect(path: NodePath<t.Function>, context: DetectContext): Detection {
  for (const rule of RULES) {
    if (rule.test(path, context)) return { route: rule.route, rule: rule.id };
  }
  return { route: "thread", rule: "default" };
}

/**
 * Detects every function of the file before any is rewritten. "Calls a function of this module
 * that returns a promise" feeds on its own results, so it runs to a fixed point.
 */
export function analyzeFile(program: NodePath<t.Program>, context: DetectContext): Map<t.Node, Detection> {
  const functions: NodePath<t.Function>[] = [];
  program.traverse({
    Function(p) {
      functions.push(p);
    },
  });
  const result = new Map<t.Node, Detection>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const fn of functions) {
      const previous = result.get(fn.node);
      if (previous !== undefined && previous.route !== "thread") continue;
      const detection = detect(fn, context);
      if (detection.route === "async" || detection.route === "promise") {
        if (!context.knownPromise.has(fn.node)) {
          context.knownPromise.add(fn.node);
          changed = true;
        }
      }
      result.set(fn.node, detection);
    }
  }
  return result;
}

// ---- return types ---------------------------------------------------------------------------

type Verdict = "promise" | "mixed" | "other";

const BUILTIN_PROMISE_TYPES = new Set(["Promise", "PromiseLike"]);

/**
 * Where a type is read: the module whose names it uses, and what its type parameters stand for
 * (`Repo<User>` read through `interface Repo<T>` binds T to User, read in the first module).
 */
interface TypeScope {
  readonly module: ModuleInfo;
  readonly env: ReadonlyMap<string, { readonly type: t.Node; readonly scope: TypeScope }> | null;
}

function fileScope(context: DetectContext): TypeScope {
  return { module: context.module, env: null };
}

function typeVerdict(annotation: t.Node | null | undefined, scope: TypeScope, context: DetectContext): Verdict {
  const { types } = context;
  if (annotation == null || !types.isTSTypeAnnotation(annotation)) return "other";
  return verdictOf(annotation.typeAnnotation, scope, context, new Set());
}

function verdictOf(type: t.Node, scope: TypeScope, context: DetectContext, seen: Set<t.Node>): Verdict {
  const { types } = context;
  if (types.isTSParenthesizedType(type)) return verdictOf(type.typeAnnotation, scope, context, seen);
  if (types.isTSUnionType(type)) {
    const verdicts = type.types.map((member) => verdictOf(member, scope, context, seen));
    if (verdicts.every((v) => v === "promise")) return "promise";
    return verdicts.some((v) => v !== "other") ? "mixed" : "other";
  }
  if (!types.isTSTypeReference(type)) return "other";
  const typeName = type.typeName;
  if (types.isIdentifier(typeName)) {
    const bound = scope.env?.get(typeName.name);
    if (bound !== undefined) return verdictOf(bound.type, bound.scope, context, seen);
    if (BUILTIN_PROMISE_TYPES.has(typeName.name) || context.promiseTypes.has(typeName.name)) return "promise";
  } else if (context.promiseTypes.has(typeName.right.name)) {
    return "promise";
  }
  const found = findType(typeName, scope, "type", context);
  if (found === null || seen.has(found.node)) return "other";
  seen.add(found.node);
  const inner = bindTypeParameters(found, typeArguments(type), scope);
  const declared = found.node;
  if (types.isTSTypeAliasDeclaration(declared)) return verdictOf(declared.typeAnnotation, inner, context, seen);
  if (types.isTSInterfaceDeclaration(declared)) {
    return (declared.extends ?? []).some(
      (heritage) => verdictOf(heritageReference(heritage, types), inner, context, seen) === "promise",
    )
      ? "promise"
      : "other";
  }
  return "other";
}

/** The declaration a type name refers to: this module's, or followed through its imports. */
function findType(name: t.Node, scope: TypeScope, kind: Kind, context: DetectContext): Found | null {
  const { types } = context;
  const module = scope.module;
  try {
    if (types.isIdentifier(name)) {
      const own = kind === "type" ? module.types.get(name.name) : module.classes.get(name.name);
      if (own !== undefined) return { node: own, module };
      return context.graph?.find(module, name.name, kind) ?? null;
    }
    if (types.isTSQualifiedName(name) && types.isIdentifier(name.left)) {
      return context.graph?.findQualified(module, name.left.name, name.right.name, kind) ?? null;
    }
  } catch {
    // An unreadable module says nothing: detection goes on as if the name were unknown.
  }
  return null;
}

/** Babel 7 calls type arguments `typeParameters`; Babel 8, `typeArguments`. */
function typeArguments(node: t.Node): t.Node[] {
  const holder = node as { typeParameters?: { params?: t.Node[] } | null; typeArguments?: { params?: t.Node[] } | null };
  return (holder.typeArguments ?? holder.typeParameters)?.params ?? [];
}

/** A class's `extends` arguments: `superTypeParameters` (Babel 7) or `superTypeArguments` (Babel 8). */
function superTypeArguments(cls: t.Class): t.Node[] {
  const holder = cls as { superTypeParameters?: { params?: t.Node[] } | null; superTypeArguments?: { params?: t.Node[] } | null };
  return (holder.superTypeArguments ?? holder.superTypeParameters)?.params ?? [];
}

/** Binds a generic declaration's parameters to the arguments (or defaults) it was used with. */
function bindTypeParameters(found: Found, args: t.Node[], scope: TypeScope): TypeScope {
  const declaration = found.node as { typeParameters?: { params?: Array<{ name: string | t.Identifier; default?: t.Node | null }> } | null };
  const params = declaration.typeParameters?.params ?? [];
  if (params.length === 0) return { module: found.module, env: null };
  const env = new Map<string, { type: t.Node; scope: TypeScope }>();
  params.forEach((param, index) => {
    const name = typeof param.name === "string" ? param.name : param.name.name;
    if (args[index] !== undefined) env.set(name, { type: args[index], scope });
    else if (param.default) env.set(name, { type: param.default, scope: { module: found.module, env } });
  });
  return { module: found.module, env };
}

/** `extends Base<T>` / `implements Base<T>` as the type reference it stands for. */
function heritageReference(heritage: t.Node, types: typeof t): t.TSTypeReference {
  const expression = (heritage as { expression: t.Node }).expression;
  const name = types.isIdentifier(expression) || types.isTSQualifiedName(expression) ? expression : types.identifier("__unknown");
  const reference = types.tsTypeReference(name as t.TSEntityName);
  const args = typeArguments(heritage);
  if (args.length > 0) reference.typeParameters = types.tsTypeParameterInstantiation(args as t.TSType[]);
  return reference;
}

// ---- contracts: implements / extends / a declared object type --------------------------------

function memberName(key: t.Node, computed: boolean, types: typeof t): string | null {
  if (!computed && types.isIdentifier(key)) return key.name;
  if (types.isStringLiteral(key)) return key.value;
  return null;
}

/** What the object type `type` (a literal, an interface or alias, an intersection) says `member` returns. */
function memberVerdict(type: t.Node, scope: TypeScope, member: string, context: DetectContext, seen: Set<t.Node>): Verdict {
  const { types } = context;
  if (types.isTSParenthesizedType(type)) return memberVerdict(type.typeAnnotation, scope, member, context, seen);
  if (types.isTSTypeLiteral(type)) return signaturesVerdict(type.members, scope, member, context);
  if (types.isTSIntersectionType(type)) {
    for (const part of type.types) {
      const verdict = memberVerdict(part, scope, member, context, seen);
      if (verdict !== "other") return verdict;
    }
    return "other";
  }
  if (!types.isTSTypeReference(type)) return "other";
  if (types.isIdentifier(type.typeName)) {
    const bound = scope.env?.get(type.typeName.name);
    if (bound !== undefined) return memberVerdict(bound.type, bound.scope, member, context, seen);
  }
  const found = findType(type.typeName, scope, "type", context) ?? findType(type.typeName, scope, "class", context);
  if (found === null || seen.has(found.node)) return "other";
  seen.add(found.node);
  const inner = bindTypeParameters(found, typeArguments(type), scope);
  const declared = found.node;
  if (types.isTSTypeAliasDeclaration(declared)) return memberVerdict(declared.typeAnnotation, inner, member, context, seen);
  if (types.isClass(declared)) return classMemberVerdict(declared, inner, member, context, seen);
  if (!types.isTSInterfaceDeclaration(declared)) return "other";
  const own = signaturesVerdict(declared.body.body, inner, member, context);
  if (own !== "other") return own;
  for (const heritage of declared.extends ?? []) {
    const verdict = memberVerdict(heritageReference(heritage, types), inner, member, context, seen);
    if (verdict !== "other") return verdict;
  }
  return "other";
}

function signaturesVerdict(signatures: t.Node[], scope: TypeScope, member: string, context: DetectContext): Verdict {
  const { types } = context;
  for (const signature of signatures) {
    if (types.isTSMethodSignature(signature) && memberName(signature.key, signature.computed ?? false, types) === member) {
      return typeVerdict(returnTypeOf(signature), scope, context);
    }
    if (types.isTSPropertySignature(signature) && memberName(signature.key, signature.computed ?? false, types) === member) {
      const type = signature.typeAnnotation?.typeAnnotation;
      if (type && types.isTSFunctionType(type)) return typeVerdict(returnTypeOf(type), scope, context);
    }
  }
  return "other";
}

/** Babel 7 calls a signature's return type `typeAnnotation`; Babel 8, `returnType`. */
function returnTypeOf(signature: t.Node): t.Node | null | undefined {
  const node = signature as { returnType?: t.Node | null; typeAnnotation?: t.Node | null };
  return node.returnType ?? node.typeAnnotation;
}

function classMemberVerdict(cls: t.Class, scope: TypeScope, member: string, context: DetectContext, seen: Set<t.Node>): Verdict {
  const { types } = context;
  for (const element of cls.body.body) {
    if ((types.isClassMethod(element) || types.isTSDeclareMethod(element)) && !element.static && memberName(element.key, element.computed ?? false, types) === member) {
      if (types.isClassMethod(element) && element.async && !element.generator) return "promise";
      const verdict = typeVerdict(element.returnType, scope, context);
      if (verdict !== "other") return verdict;
    }
  }
  return contractOfClass(cls, scope, member, context, seen);
}

function contractOfClass(cls: t.Class, scope: TypeScope, member: string, context: DetectContext, seen: Set<t.Node>): Verdict {
  const { types } = context;
  for (const heritage of cls.implements ?? []) {
    // Babel 7: TSExpressionWithTypeArguments; Babel 8: TSClassImplements. Both hold `expression`.
    const verdict = memberVerdict(heritageReference(heritage, types), scope, member, context, new Set([cls]));
    if (verdict !== "other") return verdict;
  }
  if (types.isIdentifier(cls.superClass) || types.isMemberExpression(cls.superClass)) {
    const name = types.isIdentifier(cls.superClass)
      ? cls.superClass
      : types.isIdentifier(cls.superClass.object) && types.isIdentifier(cls.superClass.property)
        ? types.tsQualifiedName(cls.superClass.object, cls.superClass.property)
        : null;
    const base = name === null ? null : findType(name, scope, "class", context);
    if (base !== null && types.isClass(base.node) && !seen.has(base.node)) {
      seen.add(base.node);
      return classMemberVerdict(base.node, bindTypeParameters(base, superTypeArguments(cls), scope), member, context, seen);
    }
  }
  return "other";
}

function contractVerdict(path: NodePath<t.Function>, context: DetectContext): Verdict {
  const { types } = context;
  const node = path.node;
  if (types.isClassMethod(node) && node.kind === "method" && !node.static) {
    const member = memberName(node.key, node.computed, types);
    const cls = path.parentPath?.parentPath?.node;
    if (member === null || !types.isClass(cls)) return "other";
    return contractOfClass(cls, fileScope(context), member, context, new Set([cls]));
  }
  // An object literal's method or function property, where the object has a declared type.
  let key: t.Node | null = null;
  let object: NodePath | null = null;
  if (types.isObjectMethod(node) && node.kind === "method") {
    key = node.computed ? null : node.key;
    object = path.parentPath;
  } else if (path.parentPath?.isObjectProperty() && path.parentPath.node.value === node) {
    key = path.parentPath.node.computed ? null : path.parentPath.node.key;
    object = path.parentPath.parentPath;
  }
  if (key === null || object === null) return "other";
  const member = memberName(key, false, types);
  const declaredType = objectDeclaredType(object, types);
  return member === null || declaredType === null ? "other" : memberVerdict(declaredType, fileScope(context), member, context, new Set());
}

/** `const x: Service = {…}`, `{…} satisfies Service`, `{…} as Service`: the declared type. */
function objectDeclaredType(object: NodePath, types: typeof t): t.TSType | null {
  const parent = object.parentPath?.node;
  let annotation: t.Node | null | undefined = null;
  if (types.isVariableDeclarator(parent) && types.isIdentifier(parent.id)) annotation = parent.id.typeAnnotation;
  if (types.isTSTypeAnnotation(annotation)) annotation = annotation.typeAnnotation;
  if (types.isTSSatisfiesExpression(parent) || types.isTSAsExpression(parent)) annotation = parent.typeAnnotation;
  return types.isTSTypeReference(annotation) || types.isTSTypeLiteral(annotation) || types.isTSIntersectionType(annotation) ? annotation : null;
}

// ---- bodies: every return yields a promise ----------------------------------------------------

const PROMISE_STATICS = new Set(["resolve", "reject", "all", "allSettled", "race", "any"]);
const PROMISE_METHODS = new Set(["then", "catch", "finally"]);
const PROMISE_MODULES = /^(?:node:)?(?:fs\/promises|timers\/promises|dns\/promises|stream\/promises|readline\/promises)$/;

function returnsPromise(path: NodePath<t.Function>, context: DetectContext): boolean {
  const { types } = context;
  const body = path.node.body;
  if (!types.isBlockStatement(body)) return isPromiseExpression(path.get("body") as NodePath<t.Expression>, context);
  const returns: NodePath<t.ReturnStatement>[] = [];
  path.get("body").traverse({
    Function(p) {
      p.skip();
    },
    Class(p) {
      p.skip();
    },
    ReturnStatement(p) {
      returns.push(p);
    },
  });
  if (returns.length === 0 || !alwaysExits(body, types)) return false;
  return returns.every((r) => r.node.argument != null && isPromiseExpression(r.get("argument") as NodePath<t.Expression>, context));
}

/** Whether control cannot fall off the end of `block` (which would return undefined). */
function alwaysExits(statement: t.Statement, types: typeof t): boolean {
  if (types.isReturnStatement(statement) || types.isThrowStatement(statement)) return true;
  if (types.isBlockStatement(statement)) {
    const last = statement.body[statement.body.length - 1];
    return last !== undefined && alwaysExits(last, types);
  }
  if (types.isIfStatement(statement)) {
    return statement.alternate != null && alwaysExits(statement.consequent, types) && alwaysExits(statement.alternate, types);
  }
  if (types.isTryStatement(statement)) {
    if (statement.finalizer && alwaysExits(statement.finalizer, types)) return true;
    return alwaysExits(statement.block, types) && (statement.handler == null || alwaysExits(statement.handler.body, types));
  }
  return false;
}

function isGlobal(path: NodePath, name: string): boolean {
  return path.scope.getBinding(name) === undefined;
}

function calleeName(node: t.Node, types: typeof t): string | null {
  if (types.isIdentifier(node)) return node.name;
  if (types.isMemberExpression(node) && !node.computed && types.isIdentifier(node.property)) {
    const object = calleeName(node.object, types);
    return object === null ? null : `${object}.${node.property.name}`;
  }
  return null;
}

/** Whether evaluating the expression at `path` yields a promise, as far as this file can tell. */
export function isPromiseExpression(path: NodePath<t.Expression>, context: DetectContext): boolean {
  const { types } = context;
  const node = path.node;
  if (isWrapper(node, types)) {
    return isPromiseExpression(path.get("expression") as NodePath<t.Expression>, context);
  }
  if (types.isSequenceExpression(node)) {
    const expressions = path.get("expressions") as NodePath<t.Expression>[];
    return isPromiseExpression(expressions[expressions.length - 1], context);
  }
  if (types.isConditionalExpression(node)) {
    return (
      isPromiseExpression(path.get("consequent") as NodePath<t.Expression>, context) &&
      isPromiseExpression(path.get("alternate") as NodePath<t.Expression>, context)
    );
  }
  if (types.isNewExpression(node)) return types.isIdentifier(node.callee, { name: "Promise" }) && isGlobal(path, "Promise");
  // `Promise.withResolvers().promise`
  if (types.isMemberExpression(node) && types.isIdentifier(node.property, { name: "promise" }) && types.isCallExpression(node.object)) {
    const callee = node.object.callee;
    return (
      types.isMemberExpression(callee) &&
      types.isIdentifier(callee.object, { name: "Promise" }) &&
      types.isIdentifier(callee.property, { name: "withResolvers" }) &&
      isGlobal(path, "Promise")
    );
  }
  // `import(…)` always returns a promise: Babel 8 parses it as an ImportExpression, Babel 7 as a
  // call of `import` (below). Plugin registries load this way (prettier's `load: () => import(…)`).
  if (types.isImportExpression(node)) return true;
  if (!types.isCallExpression(node)) return false;
  const callee = node.callee;
  const calleePath = path.get("callee") as NodePath;
  if (types.isImport(callee)) return true;

  // An async IIFE, or the call of what `_asyncToGenerator(…)` returns.
  if ((types.isArrowFunctionExpression(callee) || types.isFunctionExpression(callee)) && callee.async && !callee.generator) return true;
  if (types.isCallExpression(callee) && calledHelper(callee, path, types) === "_asyncToGenerator") return true;

  const helper = calledHelper(node, path, types);
  if (helper === "__awaiter") return true;

  if (types.isMemberExpression(callee) && !callee.computed && types.isIdentifier(callee.property)) {
    const method = callee.property.name;
    if (types.isIdentifier(callee.object, { name: "Promise" }) && PROMISE_STATICS.has(method) && isGlobal(path, "Promise")) return true;
    if (PROMISE_METHODS.has(method)) return true;
    // `_fetchAll.apply(this, arguments)`, `(_ref = _ref || _asyncToGenerator(…)).apply(…)`
    if ((method === "apply" || method === "call") && isAsyncForwarderCallee(callee.object, path, types)) return true;
    if ((method === "apply" || method === "call") && calleeIsKnownPromise(calleePath.get("object") as NodePath, context)) return true;
    if (types.isThisExpression(callee.object) && thisMethodReturnsPromise(path, method, context)) return true;
    if (isPromiseApi(calleePath, context)) return true;
    return namespaceCalleeIsKnownPromise(callee, path, context);
  }
  if (types.isIdentifier(callee)) {
    if (isAsyncForwarderCallee(callee, path, types)) return true;
    if (calleeIsKnownPromise(calleePath, context)) return true;
    return isPromiseApi(calleePath, context);
  }
  return false;
}

/**
 * `this.load(…)` in an instance method, with `load` known to return a promise: this class's own
 * method, or else what its contracts and base classes (in this file or another) declare.
 */
function thisMethodReturnsPromise(path: NodePath, member: string, context: DetectContext): boolean {
  const { types } = context;
  // `this` is the instance in an instance method or field, and the arrow functions inside them.
  const owner = path.findParent((p) => (p.isFunction() && !p.isArrowFunctionExpression()) || p.isClassProperty() || p.isClassPrivateProperty() || p.isStaticBlock());
  const instance = owner !== null && (owner.isClassMethod() || owner.isClassPrivateMethod() || owner.isClassProperty() || owner.isClassPrivateProperty()) && !owner.node.static;
  if (!instance) return false;
  const cls = owner.parentPath?.parentPath?.node;
  if (!types.isClass(cls)) return false;
  const own = cls.body.body.find((m) => types.isClassMethod(m) && !m.static && memberName(m.key, m.computed, types) === member);
  if (own !== undefined && context.knownPromise.has(own)) return true;
  return classMemberVerdict(cls, fileScope(context), member, context, new Set([cls])) === "promise";
}

/** A name bound to a function of this file, or imported from another module, that is known to return a promise. */
function calleeIsKnownPromise(callee: NodePath, context: DetectContext): boolean {
  const { types } = context;
  if (!callee.isIdentifier()) return false;
  const binding = callee.scope.getBinding(callee.node.name);
  if (binding === undefined) return false;
  const declaration = binding.path.node;
  if (types.isFunctionDeclaration(declaration)) return context.knownPromise.has(declaration);
  if (types.isVariableDeclarator(declaration) && declaration.init && binding.constant) {
    return types.isFunction(declaration.init) && context.knownPromise.has(declaration.init);
  }
  if ((binding.path.isImportSpecifier() || binding.path.isImportDefaultSpecifier()) && binding.path.parentPath?.parentPath?.isProgram()) {
    return importedReturnsPromise(() => context.graph?.find(context.module, callee.node.name, "function") ?? null, context);
  }
  return false;
}

/** `ns.f(…)` with `import * as ns from "./m"` and m's `f` known to return a promise. */
function namespaceCalleeIsKnownPromise(callee: t.MemberExpression, path: NodePath, context: DetectContext): boolean {
  const { types } = context;
  if (!types.isIdentifier(callee.object) || callee.computed || !types.isIdentifier(callee.property)) return false;
  const binding = path.scope.getBinding(callee.object.name);
  if (binding === undefined || !binding.path.isImportNamespaceSpecifier()) return false;
  const [namespace, name] = [callee.object.name, callee.property.name];
  return importedReturnsPromise(() => context.graph?.findQualified(context.module, namespace, name, "function") ?? null, context);
}

function importedReturnsPromise(find: () => Found | null, context: DetectContext): boolean {
  if (context.graph === null) return false;
  try {
    const found = find();
    return found !== null && functionReturnsPromise(found, context);
  } catch {
    return false;
  }
}

/** Whether another module's function returns a promise: by its syntax, its declared type, or its body. */
function functionReturnsPromise(found: Found, context: DetectContext): boolean {
  const { types } = context;
  let fn: t.Node | null | undefined = found.node;
  const scope: TypeScope = { module: found.module, env: null };
  if (types.isVariableDeclarator(fn)) {
    const annotation = types.isIdentifier(fn.id) && types.isTSTypeAnnotation(fn.id.typeAnnotation) ? fn.id.typeAnnotation.typeAnnotation : null;
    if (types.isTSFunctionType(annotation)) return typeVerdict(returnTypeOf(annotation), scope, context) === "promise";
    fn = fn.init == null ? null : skipWrappers(fn.init, types);
  }
  if (!types.isFunction(fn) && !types.isTSDeclareFunction(fn)) return false;
  if (fn.async && !fn.generator) return true;
  if (typeVerdict(fn.returnType, scope, context) === "promise") return true;
  return types.isFunction(fn) && !fn.generator && promiseFunctionsOf(found.module, context).has(fn);
}

/**
 * The functions of another module found to return promises, by the same rules and fixed point as
 * this file's. Computed once per version of the module and of the modules it read; a module met
 * again while its own analysis runs (an import cycle) answers "none".
 */
function promiseFunctionsOf(module: ModuleInfo, context: DetectContext): WeakSet<t.Node> {
  const graph = context.graph;
  const cached = module.promiseFunctions;
  if (cached === "pending" || graph === null || module.ast === undefined) return new WeakSet();
  if (cached !== undefined && [...cached.reads].every(([file, info]) => graph.load(file) === info)) return cached.functions;
  module.promiseFunctions = "pending";
  const before = graph.dependencies;
  graph.dependencies = new Set();
  try {
    let program: NodePath<t.Program> | null = null;
    traverseFile(module.ast, {
      Program(p: NodePath<t.Program>) {
        program = p;
        p.stop();
      },
    });
    // The checker answers for the transformed file's positions, not this module's.
    const inner: DetectContext = { ...context, module, knownPromise: new WeakSet(), checker: null };
    if (program !== null) analyzeFile(program, inner);
    const reads = new Map([...graph.dependencies].map((file) => [file, graph.load(file)] as const));
    module.promiseFunctions = { functions: inner.knownPromise, reads };
    return inner.knownPromise;
  } catch {
    module.promiseFunctions = undefined;
    return new WeakSet();
  } finally {
    for (const file of graph.dependencies) before.add(file);
    graph.dependencies = before;
  }
}

/** `fetch(…)`, a function imported from `fs/promises` or `timers/promises`, `fs.promises.x(…)`, or a configured name. */
function isPromiseApi(callee: NodePath, context: DetectContext): boolean {
  const { types } = context;
  const name = calleeName(callee.node, types);
  if (name === null) return false;
  if (context.promiseFunctions.has(name)) return true;
  const root = name.split(".")[0];
  const binding = callee.scope.getBinding(root);
  if (binding === undefined) return name === "fetch";
  if (binding.path.isImportSpecifier() || binding.path.isImportNamespaceSpecifier() || binding.path.isImportDefaultSpecifier()) {
    const source = (binding.path.parent as t.ImportDeclaration).source.value;
    if (PROMISE_MODULES.test(source)) return true;
    return /^(?:node:)?fs$/.test(source) && /^\w+\.promises\.\w+$|^promises\.\w+$/.test(name.replace(/^[^.]+\./, (m) => (binding.path.isImportSpecifier() ? "" : m)));
  }
  if (types.isVariableDeclarator(binding.path.node)) {
    const init = binding.path.node.init;
    if (types.isCallExpression(init) && types.isIdentifier(init.callee, { name: "require" }) && types.isStringLiteral(init.arguments[0])) {
      const source = init.arguments[0].value;
      if (PROMISE_MODULES.test(source)) return true;
      return /^(?:node:)?fs$/.test(source) && /^\w+\.promises\.\w+$/.test(name);
    }
  }
  return false;
}

export interface ContextOptions {
  readonly filename: string | null;
  readonly promiseTypes: ReadonlySet<string>;
  readonly promiseFunctions: ReadonlySet<string>;
  readonly graph: ModuleGraph | null;
  readonly checker?: ReturnTypes | null;
}

/**
 * What detection knows of a file before any of it is rewritten: its names (type aliases,
 * interfaces and classes nested in blocks and namespaces among them), read before other plugins
 * strip them, and its imports.
 */
export function createContext(program: NodePath<t.Program>, types: typeof t, options: ContextOptions): DetectContext {
  const module = summarize(program.node, options.filename);
  program.traverse({
    TSTypeAliasDeclaration(p) {
      module.types.set(p.node.id.name, p.node);
    },
    TSInterfaceDeclaration(p) {
      module.types.set(p.node.id.name, p.node);
    },
    ClassDeclaration(p) {
      if (p.node.id) module.classes.set(p.node.id.name, p.node);
    },
  });
  return {
    types,
    promiseTypes: options.promiseTypes,
    promiseFunctions: options.promiseFunctions,
    module,
    graph: options.graph,
    knownPromise: new WeakSet(),
    checker: options.checker ?? null,
  };
}
