/**
 * Expressions that only wrap another one without changing its value: parentheses and the type
 * syntax TypeScript and Flow put around values. Every part of the plugin that looks at "the
 * expression itself" sees through the same set.
 */
import type { types as t } from "@babel/core";

type Types = typeof t;

export type Wrapper =
  | t.ParenthesizedExpression
  | t.TSAsExpression
  | t.TSSatisfiesExpression
  | t.TSNonNullExpression
  | t.TSTypeAssertion
  | t.TypeCastExpression;

export function isWrapper(node: t.Node | null | undefined, types: Types): node is Wrapper {
  return (
    types.isParenthesizedExpression(node) ||
    types.isTSAsExpression(node) ||
    types.isTSSatisfiesExpression(node) ||
    types.isTSNonNullExpression(node) ||
    types.isTSTypeAssertion(node) ||
    types.isTypeCastExpression(node)
  );
}

/**
 * The expression inside any wrappers. With `sequences`, `(0, x)` counts as a wrapper of `x` too:
 * compilers write it to call a function without a `this`.
 */
export function skipWrappers(node: t.Node, types: Types, options: { sequences?: boolean } = {}): t.Node {
  let n = node;
  for (;;) {
    if (isWrapper(n, types)) n = n.expression;
    else if (options.sequences && types.isSequenceExpression(n)) n = n.expressions[n.expressions.length - 1];
    else return n;
  }
}
