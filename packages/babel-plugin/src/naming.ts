/**
 * Span names: `<module>::<Class>.<method>` or `<module>::<function>`. The module is the file path
 * relative to the root, with forward slashes and without extension; the function part is the
 * name JavaScript itself would infer, else `<anonymous>:<line>`.
 */
import type { NodePath, types as t } from "@babel/core";
import { relative, sep } from "node:path";

const EXTENSION = /\.(?:[cm]?[jt]sx?)$/;

export function modulePath(filename: string | undefined | null, root: string): string {
  if (!filename) return "<input>";
  const rel = relative(root, filename).split(sep).join("/");
  return rel.replace(EXTENSION, "");
}

export function spanName(module: string, fn: string | null, line: number): string {
  return `${module}::${fn ?? `<anonymous>:${line}`}`;
}

type Types = typeof t;

/** The name JavaScript infers for the function at `path`, qualified by its class or object. */
export function functionName(path: NodePath<t.Function>, types: Types): string | null {
  const node = path.node;
  const parent = path.parentPath;

  if (types.isClassMethod(node) || types.isClassPrivateMethod(node)) {
    const owner = className(path.parentPath!.parentPath as NodePath<t.Class>, types);
    const key = keyName(node.key, node.computed ?? false, types);
    const member = node.kind === "get" || node.kind === "set" ? `${node.kind} ${key}` : key;
    return `${owner}.${member}`;
  }
  if (types.isObjectMethod(node)) {
    const key = keyName(node.key, node.computed, types);
    const member = node.kind === "get" || node.kind === "set" ? `${node.kind} ${key}` : key;
    return qualifyByObject(path.parentPath as NodePath<t.ObjectExpression>, member, types);
  }
  if ((types.isFunctionDeclaration(node) || types.isFunctionExpression(node)) && node.id) {
    return node.id.name;
  }
  if (parent === null) return null;
  const p = parent.node;
  if (types.isExportDefaultDeclaration(p)) return "default";
  if (types.isVariableDeclarator(p) && p.init === node && types.isIdentifier(p.id)) return p.id.name;
  if (types.isAssignmentExpression(p) && p.right === node) return targetName(p.left, path, types);
  if (types.isAssignmentPattern(p) && p.right === node && types.isIdentifier(p.left)) return p.left.name;
  if (types.isObjectProperty(p) && p.value === node) {
    return qualifyByObject(parent.parentPath as NodePath<t.ObjectExpression>, keyName(p.key, p.computed, types), types);
  }
  if ((types.isClassProperty(p) || types.isClassPrivateProperty(p)) && p.value === node) {
    const owner = className(parent.parentPath!.parentPath as NodePath<t.Class>, types);
    return `${owner}.${keyName(p.key, types.isClassProperty(p) ? p.computed : false, types)}`;
  }
  return null;
}

function keyName(key: t.Node, computed: boolean, types: Types): string {
  if (types.isPrivateName(key)) return `#${key.id.name}`;
  if (!computed && types.isIdentifier(key)) return key.name;
  if (types.isStringLiteral(key) || types.isNumericLiteral(key)) return String(key.value);
  if (types.isIdentifier(key)) return `[${key.name}]`;
  const member = memberName(key, types);
  return member === null ? "[computed]" : `[${member}]`;
}

function className(path: NodePath<t.Class>, types: Types): string {
  const node = path.node;
  if (node.id) return node.id.name;
  const parent = path.parentPath?.node;
  if (types.isVariableDeclarator(parent) && types.isIdentifier(parent.id)) return parent.id.name;
  if (types.isAssignmentExpression(parent) && !isGenerated(parent.left)) return memberName(parent.left, types) ?? "<class>";
  if (types.isExportDefaultDeclaration(parent)) return "default";
  return "<class>";
}

function qualifyByObject(object: NodePath<t.ObjectExpression>, member: string, types: Types): string {
  const parent = object.parentPath?.node;
  let owner: string | null = null;
  if (types.isVariableDeclarator(parent) && types.isIdentifier(parent.id)) owner = parent.id.name;
  else if (types.isAssignmentExpression(parent) && !isGenerated(parent.left)) owner = memberName(parent.left, types);
  else if (types.isExportDefaultDeclaration(parent)) owner = "default";
  return owner === null ? member : `${owner}.${member}`;
}

/**
 * A local the codegen wrote (`_sf$r = { f() {} }` holds a returned object): it names nothing the
 * program wrote. Generated nodes carry no source location; parsed ones always do.
 */
function isGenerated(node: t.Node): boolean {
  return node.loc == null;
}

/** `Pool.prototype.acquire = …` names `Pool.acquire`; `exports.x = …` names `x`; `this.x` in a class, `Class.x`. */
function targetName(left: t.Node, path: NodePath, types: Types): string | null {
  let name = memberName(left, types);
  if (name === null) return null;
  name = name.replace(/\.prototype\./, ".").replace(/^(?:module\.)?exports\./, "");
  if (name.startsWith("this.")) {
    const cls = path.findParent((p) => p.isClass()) as NodePath<t.Class> | null;
    if (cls) name = `${className(cls, types)}.${name.slice(5)}`;
  }
  return name;
}

function memberName(node: t.Node, types: Types): string | null {
  if (types.isIdentifier(node)) return node.name;
  if (types.isThisExpression(node)) return "this";
  if (types.isMemberExpression(node)) {
    const object = memberName(node.object, types);
    if (object === null) return null;
    const prop = node.property;
    if (!node.computed && types.isIdentifier(prop)) return `${object}.${prop.name}`;
    if (types.isPrivateName(prop)) return `${object}.#${prop.id.name}`;
    if (types.isStringLiteral(prop) || types.isNumericLiteral(prop)) return `${object}.${prop.value}`;
    return null;
  }
  return null;
}
