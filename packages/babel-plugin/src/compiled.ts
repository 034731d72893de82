/**
 * Recognises what compilers make of `async` code: TypeScript's `__awaiter`/`__generator` and
 * Babel's `_asyncToGenerator`/regenerator helpers, the bodies handed to them, and the helpers'
 * own definitions. A function that merely shares a helper's name is not a helper: each check
 * looks at where the name is bound.
 */
import type { NodePath, types as t } from "@babel/core";
import { skipWrappers } from "./wrappers.js";

type Types = typeof t;

/** tsc's emitted helpers: `var __x = (this && this.__x) || function (…) {…}`. */
const TSC_HELPERS = new Set([
  "__awaiter", "__generator", "__extends", "__assign", "__rest", "__decorate", "__param", "__metadata",
  "__values", "__read", "__spread", "__spreadArray", "__spreadArrays", "__await", "__asyncGenerator",
  "__asyncDelegator", "__asyncValues", "__makeTemplateObject", "__importStar", "__importDefault",
  "__createBinding", "__setModuleDefault", "__exportStar", "__classPrivateFieldGet", "__classPrivateFieldSet",
  "__classPrivateFieldIn", "__esDecorate", "__runInitializers", "__propKey", "__setFunctionName",
  "__addDisposableResource", "__disposeResources", "__rewriteRelativeImportExtension",
]);

/** Babel's inline helpers that async code and classes pull in. */
const BABEL_HELPERS = new Set([
  "asyncGeneratorStep", "_asyncToGenerator", "_regenerator", "_regeneratorRuntime", "_regeneratorDefine",
  "_regeneratorDefine2", "_regeneratorValues", "_regeneratorKeys", "_regeneratorAsync", "_regeneratorAsyncGen",
  "_regeneratorAsyncIterator", "_OverloadYield", "_awaitAsyncGenerator", "_wrapAsyncGenerator", "_AsyncGenerator",
  "_asyncIterator", "AsyncFromSyncIterator", "_asyncGeneratorDelegate", "_classCallCheck", "_createClass",
  "_defineProperties", "_defineProperty", "_toPropertyKey", "_toPrimitive", "_typeof", "_inherits", "_callSuper",
  "_getPrototypeOf", "_setPrototypeOf", "_possibleConstructorReturn", "_assertThisInitialized",
  "_isNativeReflectConstruct", "_superPropGet", "_get", "_superPropBase", "_slicedToArray", "_toConsumableArray",
  "_objectSpread", "_objectSpread2", "ownKeys", "_interopRequireDefault", "_interopRequireWildcard",
  "_objectWithoutProperties", "_objectWithoutPropertiesLoose", "_arrayLikeToArray", "_unsupportedIterableToArray",
  "_iterableToArray", "_iterableToArrayLimit", "_arrayWithHoles", "_arrayWithoutHoles", "_nonIterableRest",
  "_nonIterableSpread", "_createForOfIteratorHelper", "_classPrivateFieldGet", "_classPrivateFieldSet",
  "_classPrivateFieldGet2", "_classPrivateFieldSet2", "_classPrivateMethodInitSpec", "_classPrivateFieldInitSpec",
  "_checkPrivateRedeclaration", "_assertClassBrand", "_taggedTemplateLiteral", "_extends", "_wrapNativeSuper",
  "_isNativeFunction", "_construct", "_readOnlyError", "_newArrowCheck", "_toArray", "_maybeArrayLike",
]);

/** Runtime modules helpers are imported from. */
const HELPER_MODULES = /^(?:tslib|@babel\/runtime(?:-corejs\d)?\/helpers\/.+|regenerator-runtime(?:\/runtime)?)$/;

function unwrap(node: t.Node, types: Types): t.Node {
  return skipWrappers(node, types, { sequences: true });
}

/** `require("x")` or `_interopRequireDefault(require("x"))`, the module name. */
function requiredModule(node: t.Node | null | undefined, types: Types): string | null {
  if (!node) return null;
  const n = unwrap(node, types);
  if (types.isCallExpression(n) && types.isIdentifier(n.callee, { name: "require" }) && types.isStringLiteral(n.arguments[0])) {
    return n.arguments[0].value;
  }
  if (types.isCallExpression(n) && n.arguments.length === 1) return requiredModule(n.arguments[0], types);
  if (types.isMemberExpression(n)) return requiredModule(n.object, types);
  return null;
}

/** Whether the identifier `name` at `scope` is bound to a compiler helper (or unbound: a global one). */
function isHelperBinding(name: string, path: NodePath, types: Types, helpers: ReadonlySet<string>): boolean {
  const base = name.replace(/\d+$/, "");
  if (!helpers.has(base) && !helpers.has(name)) return false;
  const binding = path.scope.getBinding(name);
  if (binding === undefined) return true;
  const declaration = binding.path.node;
  if (binding.path.isImportSpecifier() || binding.path.isImportDefaultSpecifier() || binding.path.isImportNamespaceSpecifier()) {
    return HELPER_MODULES.test((binding.path.parent as t.ImportDeclaration).source.value);
  }
  if (types.isVariableDeclarator(declaration)) {
    const init = declaration.init;
    if (init && requiredModule(init, types) !== null) return HELPER_MODULES.test(requiredModule(init, types)!);
    return init != null && isTscHelperInit(init, name, types);
  }
  // tsc never emits its helpers as function declarations; Babel always does.
  if (types.isFunctionDeclaration(declaration)) return helpers === BABEL_HELPERS && looksLikeBabelHelper(declaration, types);
  return false;
}

/** `(this && this.__awaiter) || function (…) {…}` */
function isTscHelperInit(init: t.Node, name: string, types: Types): boolean {
  const n = unwrap(init, types);
  return (
    types.isLogicalExpression(n, { operator: "||" }) &&
    types.isLogicalExpression(unwrap(n.left, types), { operator: "&&" }) &&
    types.isMemberExpression((unwrap(n.left, types) as t.LogicalExpression).right) &&
    types.isIdentifier(((unwrap(n.left, types) as t.LogicalExpression).right as t.MemberExpression).property, { name }) &&
    types.isFunction(unwrap(n.right, types))
  );
}

/**
 * Babel prints its inline helpers as one-letter-parameter function declarations at the top of the
 * file; a user's function of the same name almost never matches that and the helper's calls.
 */
function looksLikeBabelHelper(fn: t.FunctionDeclaration, types: Types): boolean {
  const name = fn.id?.name ?? "";
  const body = fn.body.body;
  if (name.startsWith("_asyncToGenerator")) {
    return body.length === 1 && types.isReturnStatement(body[0]) && types.isFunctionExpression(body[0].argument);
  }
  if (name === "asyncGeneratorStep") return fn.params.length === 7;
  return fn.params.every((p) => types.isIdentifier(p) && p.name.length <= 2);
}

/** The helper a call goes to: `__awaiter(…)`, `tslib_1.__awaiter(…)`, `(0, tslib.__awaiter)(…)`. */
export function calledHelper(call: t.CallExpression, path: NodePath, types: Types): string | null {
  const callee = unwrap(call.callee, types);
  if (types.isIdentifier(callee)) {
    if (isHelperBinding(callee.name, path, types, TSC_HELPERS) || isHelperBinding(callee.name, path, types, BABEL_HELPERS)) {
      return callee.name.replace(/\d+$/, "");
    }
    return null;
  }
  if (types.isMemberExpression(callee) && types.isIdentifier(callee.property) && !callee.computed) {
    const name = callee.property.name;
    if (!TSC_HELPERS.has(name) && !BABEL_HELPERS.has(name)) {
      // `_regenerator().w(…)`, `regeneratorRuntime.mark(…)`
      const object = unwrap(callee.object, types);
      const isRegenerator =
        (types.isCallExpression(object) && types.isIdentifier(object.callee) && /^_regenerator(Runtime)?\d*$/.test(object.callee.name)) ||
        types.isIdentifier(object, { name: "regeneratorRuntime" });
      return isRegenerator && ["m", "w", "mark", "wrap"].includes(name) ? `regenerator.${name.length === 1 ? (name === "m" ? "mark" : "wrap") : name}` : null;
    }
    const object = unwrap(callee.object, types);
    if (types.isIdentifier(object)) {
      const binding = path.scope.getBinding(object.name);
      const module = binding && types.isVariableDeclarator(binding.path.node) ? requiredModule(binding.path.node.init, types) : null;
      const imported = binding?.path.isImportNamespaceSpecifier() || binding?.path.isImportDefaultSpecifier()
        ? (binding.path.parent as t.ImportDeclaration).source.value
        : null;
      if ((module !== null && HELPER_MODULES.test(module)) || (imported !== null && HELPER_MODULES.test(imported))) return name;
    }
  }
  return null;
}

/** Whether `path` is a helper's own definition (or inside one): plumbing, never the user's. */
export function isHelperDefinition(path: NodePath<t.Function>, types: Types): boolean {
  for (let p: NodePath | null = path; p !== null; p = p.parentPath) {
    const node = p.node;
    if (types.isFunctionDeclaration(node) && node.id && BABEL_HELPERS.has(node.id.name.replace(/\d+$/, "")) && p.parentPath?.isProgram()) {
      return looksLikeBabelHelper(node, types);
    }
    if (types.isVariableDeclarator(node) && types.isIdentifier(node.id) && TSC_HELPERS.has(node.id.name) && node.init) {
      return isTscHelperInit(node.init, node.id.name, types);
    }
  }
  return false;
}

export type CompiledRole =
  /** A generator (or regenerator `_callee`) holding an async function's body: runs once, then resumes. */
  | "body"
  /** A state machine (`__generator`'s or regenerator's): called at every resumption. */
  | "state-machine"
  /** Glue the compiler wrote around a body: `function () { return __generator(…) }`, Babel's
   * `function _f() { _f = _asyncToGenerator(…); return _f.apply(this, arguments) }`, IIFEs. */
  | "glue";

/** What part of compiled async code the function at `path` is, if any. */
export function compiledRole(path: NodePath<t.Function>, types: Types): CompiledRole | null {
  const parent = path.parentPath;
  if (parent?.isCallExpression() && parent.node.arguments.includes(path.node as t.Expression)) {
    const helper = calledHelper(parent.node, parent, types);
    const index = parent.node.arguments.indexOf(path.node as t.Expression);
    // ES2015+: the generator itself; ES5: `function () { return __generator(this, …) }`.
    if (helper === "__awaiter" && index === 3) return "body";
    if (helper === "_asyncToGenerator" && index === 0) return "body";
    if (helper === "regenerator.mark" && index === 0) return "body";
    if (helper === "__generator" && index === 1) return "state-machine";
    if (helper === "regenerator.wrap" && index === 0) return "state-machine";
  }
  if (isForwarderTarget(path, types)) return "glue";
  return null;
}

/**
 * Babel's self-replacing helper: `function _f() { _f = _asyncToGenerator(…); return _f.apply(this, arguments); }`.
 */
function isForwarderTarget(path: NodePath<t.Function>, types: Types): boolean {
  const node = path.node;
  if (!types.isFunctionDeclaration(node) || !node.id || node.body.body.length !== 2) return false;
  const [first] = node.body.body;
  return (
    types.isExpressionStatement(first) &&
    types.isAssignmentExpression(first.expression) &&
    types.isIdentifier(first.expression.left, { name: node.id.name }) &&
    types.isCallExpression(first.expression.right) &&
    calledHelper(first.expression.right, path, types) === "_asyncToGenerator"
  );
}

/**
 * Whether calling `callee` (an identifier, or `(_ref = _ref || _asyncToGenerator(…))`) starts
 * compiled async code: a name bound to `_asyncToGenerator(…)`, to a self-replacing helper, or to
 * a function already known to return a promise.
 */
export function isAsyncForwarderCallee(callee: t.Node, path: NodePath, types: Types): boolean {
  const n = unwrap(callee, types);
  if (types.isAssignmentExpression(n) || types.isLogicalExpression(n)) {
    const right = unwrap(n.right, types);
    if (types.isLogicalExpression(right)) return isAsyncForwarderCallee(right, path, types);
    return types.isCallExpression(right) && calledHelper(right, path, types) === "_asyncToGenerator";
  }
  if (!types.isIdentifier(n)) return false;
  const binding = path.scope.getBinding(n.name);
  if (binding === undefined) return false;
  const declaration = binding.path;
  if (declaration.isVariableDeclarator()) {
    const init = declaration.node.init;
    return init != null && types.isCallExpression(unwrap(init, types)) && calledHelper(unwrap(init, types) as t.CallExpression, declaration, types) === "_asyncToGenerator";
  }
  if (declaration.isFunctionDeclaration()) return isForwarderTarget(declaration, types);
  return false;
}
