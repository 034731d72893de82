/**
 * Why a function gets the span it gets: one table of rules, first match wins. A function that
 * returns a promise must get an async span whatever its syntax; everything else gets a thread
 * span, whose generated code still checks the returned value at run time.
 */
import type { NodePath, types as t } from "@babel/core";

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
  | "thread";

export interface DetectContext {
  readonly types: typeof t;
  readonly promiseTypes: ReadonlySet<string>;
  /** Type aliases and interfaces declared in the file, by name. */
  readonly declaredTypes: ReadonlyMap<string, t.Node>;
}

export interface Rule {
  readonly id: string;
  readonly route: Route;
  readonly test: (path: NodePath<t.Function>, context: DetectContext) => boolean;
}

export const RULES: readonly Rule[] = [
  { id: "async generator", route: "async-generator", test: (p) => Boolean(p.node.async && p.node.generator) },
  { id: "generator", route: "generator", test: (p) => Boolean(p.node.generator) },
  { id: "async keyword", route: "async", test: (p) => Boolean(p.node.async) },
  {
    id: "Promise return type",
    route: "promise",
    test: (p, c) => returnTypeIsPromise(p.node.returnType, c) === "promise",
  },
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

type Verdict = "promise" | "mixed" | "other";

const BUILTIN_PROMISE_TYPES = new Set(["Promise", "PromiseLike"]);

function returnTypeIsPromise(annotation: t.Node | null | undefined, context: DetectContext): Verdict {
  const { types } = context;
  if (annotation == null || !types.isTSTypeAnnotation(annotation)) return "other";
  return typeVerdict(annotation.typeAnnotation, context, new Set());
}

function typeVerdict(type: t.Node, context: DetectContext, seen: Set<string>): Verdict {
  const { types } = context;
  if (types.isTSParenthesizedType(type)) return typeVerdict(type.typeAnnotation, context, seen);
  if (types.isTSUnionType(type)) {
    const verdicts = type.types.map((member) => typeVerdict(member, context, seen));
    if (verdicts.every((v) => v === "promise")) return "promise";
    return verdicts.some((v) => v !== "other") ? "mixed" : "other";
  }
  if (types.isTSTypeReference(type) && types.isIdentifier(type.typeName)) {
    const name = type.typeName.name;
    if (BUILTIN_PROMISE_TYPES.has(name) || context.promiseTypes.has(name)) return "promise";
    const declared = context.declaredTypes.get(name);
    if (declared === undefined || seen.has(name)) return "other";
    seen.add(name);
    if (types.isTSTypeAliasDeclaration(declared)) return typeVerdict(declared.typeAnnotation, context, seen);
    if (types.isTSInterfaceDeclaration(declared)) {
      const extended = declared.extends ?? [];
      return extended.some(
        (heritage) =>
          types.isIdentifier(heritage.expression) &&
          typeVerdict(types.tsTypeReference(heritage.expression), context, seen) === "promise",
      )
        ? "promise"
        : "other";
    }
  }
  if (types.isTSTypeReference(type) && types.isTSQualifiedName(type.typeName)) {
    const last = type.typeName.right.name;
    if (context.promiseTypes.has(last)) return "promise";
  }
  return "other";
}

/** Collects the file's type aliases and interfaces, before other plugins strip them. */
export function collectDeclaredTypes(program: NodePath<t.Program>, types: typeof t): Map<string, t.Node> {
  const declared = new Map<string, t.Node>();
  program.traverse({
    TSTypeAliasDeclaration(p) {
      declared.set(p.node.id.name, p.node);
    },
    TSInterfaceDeclaration(p) {
      declared.set(p.node.id.name, p.node);
    },
  });
  return declared;
}
