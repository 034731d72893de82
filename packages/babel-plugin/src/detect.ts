/**
 * Why a function gets the span it gets: one table of rules, first match wins (`RULES`). A
 * function that returns a promise must get an async span whatever its syntax; everything else
 * gets a thread span, whose generated code still checks the returned value at run time.
 * The test table beside it is packages/babel-plugin/test/detect.test.ts.
 */
import type { NodePath, types as t } from "@babel/core";
import { calledHelper, compiledRole, isAsyncForwarderCallee, isHelperDefinition } from "./compiled.js";
import { isWrapper } from "./wrappers.js";

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
  /** Type aliases and interfaces declared in the file, by name. */
  readonly declaredTypes: ReadonlyMap<string, t.Node>;
  /** Classes declared in the file, by name (for `extends` contracts). */
  readonly classes: ReadonlyMap<string, t.Class>;
  /** Functions of this file found to return promises, grown to a fixed point (analyzeFile). */
  readonly knownPromise: WeakSet<t.Node>;
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
  { id: "Promise return type", route: "promise", test: (p, c) => typeVerdict(p.node.returnType, c) === "promise" },
  { id: "contract says Promise", route: "promise", test: (p, c) => contractVerdict(p, c) === "promise" },
  { id: "returns a promise", route: "promise", test: (p, c) => returnsPromise(p, c) },
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

function typeVerdict(annotation: t.Node | null | undefined, context: DetectContext): Verdict {
  const { types } = context;
  if (annotation == null || !types.isTSTypeAnnotation(annotation)) return "other";
  return verdictOf(annotation.typeAnnotation, context, new Set());
}

function verdictOf(type: t.Node, context: DetectContext, seen: Set<string>): Verdict {
  const { types } = context;
  if (types.isTSParenthesizedType(type)) return verdictOf(type.typeAnnotation, context, seen);
  if (types.isTSUnionType(type)) {
    const verdicts = type.types.map((member) => verdictOf(member, context, seen));
    if (verdicts.every((v) => v === "promise")) return "promise";
    return verdicts.some((v) => v !== "other") ? "mixed" : "other";
  }
  if (types.isTSTypeReference(type) && types.isIdentifier(type.typeName)) {
    const name = type.typeName.name;
    if (BUILTIN_PROMISE_TYPES.has(name) || context.promiseTypes.has(name)) return "promise";
    const declared = context.declaredTypes.get(name);
    if (declared === undefined || seen.has(name)) return "other";
    seen.add(name);
    if (types.isTSTypeAliasDeclaration(declared)) return verdictOf(declared.typeAnnotation, context, seen);
    if (types.isTSInterfaceDeclaration(declared)) {
      return (declared.extends ?? []).some(
        (heritage) =>
          types.isIdentifier(heritage.expression) &&
          verdictOf(types.tsTypeReference(heritage.expression), context, seen) === "promise",
      )
        ? "promise"
        : "other";
    }
  }
  if (types.isTSTypeReference(type) && types.isTSQualifiedName(type.typeName) && context.promiseTypes.has(type.typeName.right.name)) {
    return "promise";
  }
  return "other";
}

// ---- contracts: implements / extends / a declared object type --------------------------------

function memberName(key: t.Node, computed: boolean, types: typeof t): string | null {
  if (!computed && types.isIdentifier(key)) return key.name;
  if (types.isStringLiteral(key)) return key.value;
  return null;
}

/** What the interface `name` (declared in this file, with what it extends) says `member` returns. */
function interfaceMemberVerdict(name: string, member: string, context: DetectContext, seen: Set<string>): Verdict {
  const { types } = context;
  const declared = context.declaredTypes.get(name);
  if (declared === undefined || seen.has(name)) return "other";
  seen.add(name);
  let body: t.Node[] = [];
  if (types.isTSInterfaceDeclaration(declared)) body = declared.body.body;
  else if (types.isTSTypeAliasDeclaration(declared) && types.isTSTypeLiteral(declared.typeAnnotation)) body = declared.typeAnnotation.members;
  for (const signature of body) {
    if (types.isTSMethodSignature(signature) && memberName(signature.key, signature.computed ?? false, types) === member) {
      return typeVerdict(returnTypeOf(signature), context);
    }
    if (types.isTSPropertySignature(signature) && memberName(signature.key, signature.computed ?? false, types) === member) {
      const type = signature.typeAnnotation?.typeAnnotation;
      if (type && types.isTSFunctionType(type)) return typeVerdict(returnTypeOf(type), context);
    }
  }
  if (types.isTSInterfaceDeclaration(declared)) {
    for (const heritage of declared.extends ?? []) {
      if (types.isIdentifier(heritage.expression)) {
        const verdict = interfaceMemberVerdict(heritage.expression.name, member, context, seen);
        if (verdict !== "other") return verdict;
      }
    }
  }
  return "other";
}

/** Babel 7 calls a signature's return type `typeAnnotation`; Babel 8, `returnType`. */
function returnTypeOf(signature: t.Node): t.Node | null | undefined {
  const node = signature as { returnType?: t.Node | null; typeAnnotation?: t.Node | null };
  return node.returnType ?? node.typeAnnotation;
}

function classMemberVerdict(cls: t.Class, member: string, context: DetectContext, seen: Set<t.Node>): Verdict {
  const { types } = context;
  if (seen.has(cls)) return "other";
  seen.add(cls);
  for (const element of cls.body.body) {
    if ((types.isClassMethod(element) || types.isTSDeclareMethod(element)) && !element.static && memberName(element.key, element.computed ?? false, types) === member) {
      if (types.isClassMethod(element) && element.async && !element.generator) return "promise";
      const verdict = typeVerdict(element.returnType, context);
      if (verdict !== "other") return verdict;
    }
  }
  return contractOfClass(cls, member, context, seen);
}

function contractOfClass(cls: t.Class, member: string, context: DetectContext, seen: Set<t.Node>): Verdict {
  const { types } = context;
  for (const heritage of cls.implements ?? []) {
    // Babel 7: TSExpressionWithTypeArguments; Babel 8: TSClassImplements. Both hold `expression`.
    const expression = (heritage as { expression?: t.Node }).expression;
    if (types.isIdentifier(expression)) {
      const verdict = interfaceMemberVerdict(expression.name, member, context, new Set());
      if (verdict !== "other") return verdict;
    }
  }
  if (types.isIdentifier(cls.superClass)) {
    const base = context.classes.get(cls.superClass.name);
    if (base !== undefined) return classMemberVerdict(base, member, context, seen);
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
    return contractOfClass(cls, member, context, new Set([cls]));
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
  return member === null || declaredType === null ? "other" : interfaceMemberVerdict(declaredType, member, context, new Set());
}

/** `const x: Service = {…}`, `{…} satisfies Service`, `{…} as Service`: the type's name. */
function objectDeclaredType(object: NodePath, types: typeof t): string | null {
  const parent = object.parentPath?.node;
  let annotation: t.Node | null | undefined = null;
  if (types.isVariableDeclarator(parent) && types.isIdentifier(parent.id)) annotation = parent.id.typeAnnotation;
  if (types.isTSTypeAnnotation(annotation)) annotation = annotation.typeAnnotation;
  if (types.isTSSatisfiesExpression(parent) || types.isTSAsExpression(parent)) annotation = parent.typeAnnotation;
  return types.isTSTypeReference(annotation) && types.isIdentifier(annotation.typeName) ? annotation.typeName.name : null;
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
    // `this.load(…)` with `load` a method of this class known to return a promise
    if (types.isThisExpression(callee.object)) {
      const cls = path.findParent((p) => p.isClass()) as NodePath<t.Class> | null;
      const method = cls?.node.body.body.find(
        (m) => types.isClassMethod(m) && !m.static && memberName(m.key, m.computed, types) === (callee.property as t.Identifier).name,
      );
      if (method !== undefined && context.knownPromise.has(method)) return true;
    }
    if (isPromiseApi(calleePath, context)) return true;
    return false;
  }
  if (types.isIdentifier(callee)) {
    if (isAsyncForwarderCallee(callee, path, types)) return true;
    if (calleeIsKnownPromise(calleePath, context)) return true;
    return isPromiseApi(calleePath, context);
  }
  return false;
}

/** A name bound to a function of this file that is known to return a promise. */
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
  return false;
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

/** Collects the file's type aliases, interfaces and classes, before other plugins strip them. */
export function collectDeclarations(program: NodePath<t.Program>): { declaredTypes: Map<string, t.Node>; classes: Map<string, t.Class> } {
  const declaredTypes = new Map<string, t.Node>();
  const classes = new Map<string, t.Class>();
  program.traverse({
    TSTypeAliasDeclaration(p) {
      declaredTypes.set(p.node.id.name, p.node);
    },
    TSInterfaceDeclaration(p) {
      declaredTypes.set(p.node.id.name, p.node);
    },
    ClassDeclaration(p) {
      if (p.node.id) classes.set(p.node.id.name, p.node);
    },
  });
  return { declaredTypes, classes };
}
