/**
 * Functions whose source text can become a property key. A computed key (`[k]` in a class, an
 * object literal or a destructuring pattern, `o[k]`, `k in o`) goes through ToPropertyKey, which
 * turns a function (or a class) into its source text. Instrumented, that text would carry the
 * generated code and its site number, so two identical-looking functions would no longer name
 * the same property (`class C { [() => {}]() {} }` read back as `c[() => {}]`). Such functions
 * are left as they are, with everything inside them:
 *
 * - every function inside a class member's, an object member's or a pattern's computed key: the
 *   key runs once per class or object, has nothing worth a span, and any function in it may be
 *   turned into text on the way (`[String(() => {})]`, `[`${f}`]`);
 * - in `o[k]` and `k in o`, a function or class that is the key's value or is turned into text
 *   for it (through parentheses, `,`, `?:`, `&&`/`||`/`??`, `=`, `+`, a template, `String(…)` or
 *   `….toString()`). A callback that only helps compute the key (`o[list.findIndex((x) => …)]`)
 *   is instrumented as usual.
 */
import type { NodePath, types as t } from "@babel/core";
import { isWrapper } from "./wrappers.js";

export function functionsInPropertyKeys(program: NodePath<t.Program>, types: typeof t): WeakSet<t.Node> {
  const found = new WeakSet<t.Node>();
  const addAllWithin = (path: NodePath) => {
    if (path.isFunction()) found.add(path.node);
    path.traverse({
      Function(p) {
        found.add(p.node);
      },
    });
  };
  const addReached = (path: NodePath) => {
    for (const reached of valuesReaching(path, types)) addAllWithin(reached);
  };
  program.traverse({
    "ClassMethod|ClassProperty|ClassAccessorProperty|ObjectMethod|ObjectProperty"(path) {
      if ((path.node as { computed?: boolean }).computed === true) addAllWithin(path.get("key") as NodePath);
    },
    "MemberExpression|OptionalMemberExpression"(path) {
      const node = path.node as t.MemberExpression | t.OptionalMemberExpression;
      if (node.computed) addReached(path.get("property") as NodePath);
    },
    BinaryExpression(path) {
      if (path.node.operator === "in") addReached(path.get("left") as NodePath);
    },
  });
  return found;
}

/** The functions and classes whose value, or source text, the expression at `path` can be. */
function valuesReaching(path: NodePath, types: typeof t): NodePath[] {
  const node = path.node;
  if (types.isFunction(node) || types.isClass(node)) return [path];
  if (isWrapper(node, types)) {
    return valuesReaching(path.get("expression") as NodePath, types);
  }
  if (types.isSequenceExpression(node)) {
    const expressions = path.get("expressions") as NodePath[];
    return valuesReaching(expressions[expressions.length - 1], types);
  }
  if (types.isConditionalExpression(node)) {
    return [...valuesReaching(path.get("consequent") as NodePath, types), ...valuesReaching(path.get("alternate") as NodePath, types)];
  }
  if (types.isLogicalExpression(node) || (types.isBinaryExpression(node) && node.operator === "+")) {
    return [...valuesReaching(path.get("left") as NodePath, types), ...valuesReaching(path.get("right") as NodePath, types)];
  }
  if (types.isAssignmentExpression(node)) return valuesReaching(path.get("right") as NodePath, types);
  if (types.isTemplateLiteral(node)) return (path.get("expressions") as NodePath[]).flatMap((p) => valuesReaching(p, types));
  if (types.isCallExpression(node)) {
    const callee = node.callee;
    // `String(f)`, with the global String
    if (types.isIdentifier(callee, { name: "String" }) && node.arguments.length > 0 && path.scope.getBinding("String") === undefined) {
      return valuesReaching((path.get("arguments") as NodePath[])[0], types);
    }
    // `f.toString()`
    if (types.isMemberExpression(callee) && !callee.computed && types.isIdentifier(callee.property, { name: "toString" })) {
      return valuesReaching(path.get("callee.object") as NodePath, types);
    }
  }
  return [];
}
