/**
 * Which functions the user marked: a `/** @spanFn *\/` tag (optionally `@spanFn "name"` or
 * `@spanFn ignore`) in a comment on the function or on what declares or assigns it, or a
 * `@spanFn` / `@spanFn("name")` decorator imported from the runtime.
 */
import type { NodePath, types as t } from "@babel/core";
import { isWrapper } from "./wrappers.js";

export type Marker =
  | { readonly kind: "span"; readonly name: string | null }
  | { readonly kind: "ignore" };

type Types = typeof t;
type Comment = t.Comment;

const TAG_START = /^[\s*]*@spanFn(?![\w$])/;
const QUOTED = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')(?=\s|\*|$)/;

/**
 * A tag is `@spanFn` at the start of a comment line, followed by nothing, by `ignore`, or by a
 * quoted span name; anything else after it is malformed, so a typo is an error, not a no-op.
 */
export function parseTag(comment: Comment): Marker | "malformed" | null {
  if (!/@spanFn(?![\w$])/.test(comment.value)) return null;
  for (const line of comment.value.split("\n")) {
    const start = TAG_START.exec(line);
    if (start === null) continue;
    const rest = line.slice(start[0].length).trim().replace(/\*+$/, "").trim();
    if (rest === "") return { kind: "span", name: null };
    if (/^ignore$/.test(rest)) return { kind: "ignore" };
    const quoted = QUOTED.exec(rest);
    if (quoted === null || quoted[0].length !== rest.length) return "malformed";
    const name = (quoted[1] ?? quoted[2]).replace(/\\(.)/g, "$1");
    return name === "" ? "malformed" : { kind: "span", name };
  }
  return null;
}

/** Nodes whose leading comments speak for the function at `path`. */
export function commentHolders(path: NodePath<t.Function>, types: Types): t.Node[] {
  const wrapper = wrapperOf(path, types);
  // The wrapper's call and what holds it speak for the function it returns.
  return wrapper === null ? climb(path, types) : [path.node, wrapper.node, ...climb(wrapper.parentPath as NodePath, types)];
}

/** `start` and what declares or assigns it, never past a statement boundary. */
function climb(start: NodePath, types: Types): t.Node[] {
  const holders: t.Node[] = [start.node];
  let child: NodePath = start;
  let parent: NodePath | null = start.parentPath;
  while (parent !== null) {
    const p = parent.node;
    const climbs =
      (types.isVariableDeclarator(p) && p.init === child.node) ||
      (types.isVariableDeclaration(p) && child.isVariableDeclarator()) ||
      (types.isAssignmentExpression(p) && p.right === child.node) ||
      (types.isExpressionStatement(p) && child.isAssignmentExpression()) ||
      types.isExportNamedDeclaration(p) ||
      types.isExportDefaultDeclaration(p) ||
      ((types.isObjectProperty(p) || types.isClassProperty(p) || types.isClassPrivateProperty(p)) &&
        (p as t.ObjectProperty).value === child.node) ||
      isWrapper(p, types);
    if (!climbs) break;
    holders.push(p);
    child = parent;
    parent = parent.parentPath;
  }
  return holders;
}

/**
 * A wrapper that returns a function: compilers give a method helpers of its own with
 * `(function () { var _m = …; function m() {…} return m; })()` (Babel's class transform, for
 * one), and a marker written on the method lands on that wrapper. Given the returned function,
 * the wrapper; null for any other function.
 */
export function wrapperOf(path: NodePath<t.Function>, types: Types): NodePath<t.Function> | null {
  const node = path.node;
  let wrapper: NodePath | null = null;
  if (types.isFunctionDeclaration(node) && node.id && path.parentPath?.isBlockStatement()) {
    wrapper = path.parentPath.parentPath;
    const body = path.parentPath.node.body;
    const last = body[body.length - 1];
    if (!types.isReturnStatement(last) || !types.isIdentifier(last.argument, { name: node.id.name })) return null;
  } else if (path.parentPath?.isReturnStatement() && path.parentPath.parentPath?.isBlockStatement()) {
    wrapper = path.parentPath.parentPath.parentPath;
  }
  if (wrapper === null || !wrapper.isFunction() || !isCalledImmediately(wrapper, types)) return null;
  return wrapper;
}

/** Given a wrapper whose marker belongs to the function it returns, that function; else null. */
export function returnedFunction(path: NodePath<t.Function>, types: Types): NodePath<t.Function> | null {
  if (!isCalledImmediately(path, types) || !types.isBlockStatement(path.node.body)) return null;
  const body = path.get("body") as NodePath<t.BlockStatement>;
  const last = body.get("body").at(-1);
  if (last === undefined || !last.isReturnStatement()) return null;
  const argument = last.get("argument");
  if (argument.isFunction()) return argument;
  if (!argument.isIdentifier()) return null;
  const declaration = body.get("body").find((s) => s.isFunctionDeclaration() && s.node.id?.name === argument.node.name);
  return (declaration as NodePath<t.Function> | undefined) ?? null;
}

function isCalledImmediately(path: NodePath, types: Types): boolean {
  const call = path.parentPath;
  return call !== null && types.isCallExpression(call.node) && call.node.callee === path.node && call.node.arguments.length === 0;
}

export interface FoundMarker {
  readonly marker: Marker;
  readonly comment: Comment | null;
  readonly decorator: NodePath<t.Decorator> | null;
  /** The same tag repeated after a wrapper's call (compilers copy it there): used up with the first. */
  readonly copies?: readonly Comment[];
}

/** Looks for a marker comment on the function or its holders. */
export function findCommentMarker(
  path: NodePath<t.Function>,
  types: Types,
  onMalformed: (comment: Comment) => never,
): FoundMarker | null {
  if (returnedFunction(path, types) !== null) return null;
  const holders = commentHolders(path, types);
  const wrapped = holders.length > 1 && holders[1] === wrapperOf(path, types)?.node;
  for (const holder of holders) {
    for (const comment of holder.leadingComments ?? []) {
      const marker = parseTag(comment);
      if (marker === "malformed") onMalformed(comment);
      if (marker !== null) {
        const copies = wrapped ? holders.flatMap((h) => (h.trailingComments ?? []).filter((c) => parseTag(c) !== null)) : [];
        return { marker, comment, decorator: null, copies };
      }
    }
  }
  return null;
}

/** Whether `expression` names the runtime's `spanFn` export (imported under any local name). */
export function isSpanFnReference(path: NodePath, runtimeModules: ReadonlySet<string>): boolean {
  if (!path.isIdentifier() && !path.isMemberExpression()) return false;
  if (path.isMemberExpression()) {
    // `tracing.spanFn` with `import * as tracing from "@spanfn/tracing"`
    const object = path.get("object");
    const property = path.node.property;
    if (!object.isIdentifier() || path.node.computed || !("name" in property) || property.name !== "spanFn") return false;
    const binding = path.scope.getBinding(object.node.name);
    return (
      binding !== undefined &&
      binding.path.isImportNamespaceSpecifier() &&
      runtimeModules.has((binding.path.parent as t.ImportDeclaration).source.value)
    );
  }
  const binding = path.scope.getBinding((path.node as t.Identifier).name);
  if (binding === undefined || !binding.path.isImportSpecifier()) return false;
  const imported = binding.path.node.imported;
  const importedName = "name" in imported ? imported.name : imported.value;
  return importedName === "spanFn" && runtimeModules.has((binding.path.parent as t.ImportDeclaration).source.value);
}
