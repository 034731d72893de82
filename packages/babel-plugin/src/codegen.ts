/**
 * Rewrites one function so that it records its span. Statements are inserted into the body; the
 * function is never wrapped in another, so `this`, `arguments`, `super`, `new.target`, `yield`,
 * `name` and `length` stay what they were. Generated code is ES5-level (`var`, `try`/`finally`,
 * calls), whatever the input, and carries no source location.
 */
import type { NodePath, types as t } from "@babel/core";
import type { Route } from "./detect.js";

type Types = typeof t;

/** What a file's generated code refers to: the runtime namespace and the span-site ids. */
export interface FileRefs {
  readonly types: Types;
  readonly runtime: t.Identifier;
}

/** `runtime.name(args…)` */
function call(refs: FileRefs, name: string, args: t.Expression[]): t.CallExpression {
  const { types } = refs;
  return types.callExpression(types.memberExpression(types.cloneNode(refs.runtime), types.identifier(name)), args);
}

function statement(refs: FileRefs, expression: t.Expression): t.ExpressionStatement {
  return refs.types.expressionStatement(expression);
}

/** Gives an arrow with an expression body a block, so statements can be inserted. */
function ensureBlock(path: NodePath<t.Function>, types: Types): NodePath<t.BlockStatement> {
  const node = path.node;
  if (!types.isBlockStatement(node.body)) {
    node.body = types.blockStatement([types.returnStatement(node.body as t.Expression)]);
  }
  return path.get("body") as NodePath<t.BlockStatement>;
}

/** Visits the function's own returns, awaits, yields and handlers, never those of nested functions. */
interface OwnSites {
  returns: NodePath<t.ReturnStatement>[];
  awaits: NodePath<t.AwaitExpression>[];
  yields: NodePath<t.YieldExpression>[];
  forAwaits: NodePath<t.ForOfStatement>[];
  handlers: NodePath<t.BlockStatement>[];
}

function collectOwnSites(body: NodePath<t.BlockStatement>): OwnSites {
  const sites: OwnSites = { returns: [], awaits: [], yields: [], forAwaits: [], handlers: [] };
  body.traverse({
    Function(p) {
      p.skip();
    },
    // A class body's computed keys and field initializers run outside this function's frames.
    Class(p) {
      p.skip();
    },
    ReturnStatement(p) {
      if (p.node.argument) sites.returns.push(p);
    },
    AwaitExpression(p) {
      sites.awaits.push(p);
    },
    YieldExpression(p) {
      sites.yields.push(p);
    },
    ForOfStatement(p) {
      if (p.node.await) sites.forAwaits.push(p);
    },
    CatchClause(p) {
      sites.handlers.push(p.get("body"));
    },
    TryStatement(p) {
      if (p.node.finalizer) sites.handlers.push(p.get("finalizer") as NodePath<t.BlockStatement>);
    },
  });
  // Innermost first: replacing an outer site must not strand the path of one nested inside it.
  sites.awaits.reverse();
  sites.yields.reverse();
  return sites;
}

function prepend(block: NodePath<t.BlockStatement>, node: t.Statement): void {
  block.node.body.unshift(node);
}

/**
 * Replaces the body with `var <decl>; try { <body> } <catch> finally { <final> }`, keeping
 * directives first (they live apart from `body` in Babel's AST).
 */
function wrapBody(
  types: Types,
  body: NodePath<t.BlockStatement>,
  declaration: t.VariableDeclaration,
  handler: t.CatchClause | null,
  finalizer: t.Statement[],
): void {
  const inner = types.blockStatement(body.node.body);
  body.node.body = [declaration, types.tryStatement(inner, handler, types.blockStatement(finalizer))];
}

/** `catch (e) { runtime.fail(span); throw e; }` */
function failHandler(refs: FileRefs, scope: NodePath["scope"], span: t.Identifier): t.CatchClause {
  const { types } = refs;
  const error = scope.generateUidIdentifier("e");
  return types.catchClause(
    error,
    types.blockStatement([
      statement(refs, call(refs, "fail", [types.cloneNode(span)])),
      types.throwStatement(types.cloneNode(error)),
    ]),
  );
}

function varDeclaration(types: Types, id: t.Identifier, init: t.Expression): t.VariableDeclaration {
  return types.variableDeclaration("var", [types.variableDeclarator(id, init)]);
}

/** `(tmp = value, before…, tmp = yield tmp, after…, tmp)`: a yield with work around it. */
function aroundYield(
  types: Types,
  yieldPath: NodePath<t.YieldExpression>,
  temp: t.Identifier,
  before: t.Expression[],
  after: t.Expression[],
): void {
  const { argument, delegate } = yieldPath.node;
  const sequence: t.Expression[] = [];
  if (argument) sequence.push(types.assignmentExpression("=", types.cloneNode(temp), argument));
  sequence.push(...before);
  const resumed = types.yieldExpression(argument ? types.cloneNode(temp) : null, delegate);
  sequence.push(types.assignmentExpression("=", types.cloneNode(temp), resumed), ...after, types.cloneNode(temp));
  yieldPath.replaceWith(types.sequenceExpression(sequence));
  yieldPath.skip();
}

export function instrumentFunction(path: NodePath<t.Function>, route: Route, site: t.Expression, refs: FileRefs): void {
  const { types } = refs;
  const body = ensureBlock(path, types);
  const own = collectOwnSites(body);
  const scope = path.scope;
  const runtimeCall = (name: string, ...args: t.Expression[]) => call(refs, name, args);

  switch (route) {
    case "thread": {
      const token = scope.generateUidIdentifier("t");
      for (const r of own.returns) {
        r.get("argument").replaceWith(runtimeCall("threadReturn", types.cloneNode(token), r.node.argument!));
      }
      wrapBody(types, body, varDeclaration(types, token, runtimeCall("begin", site)), null, [
        statement(refs, runtimeCall("end", types.cloneNode(token))),
      ]);
      return;
    }
    case "generator": {
      const token = scope.generateUidIdentifier("t");
      const temp = scope.generateUidIdentifier("y");
      const reenter = () =>
        statement(refs, types.assignmentExpression("=", types.cloneNode(token), runtimeCall("reenter", types.cloneNode(token), types.cloneNode(site))));
      for (const h of own.handlers) prepend(h, reenter());
      for (const y of own.yields) {
        aroundYield(
          types,
          y,
          temp,
          [runtimeCall("end", types.cloneNode(token)), types.assignmentExpression("=", types.cloneNode(token), types.unaryExpression("-", types.numericLiteral(1)))],
          [types.assignmentExpression("=", types.cloneNode(token), runtimeCall("begin", types.cloneNode(site)))],
        );
      }
      const declarations = types.variableDeclaration("var", [
        types.variableDeclarator(token, runtimeCall("begin", site)),
        types.variableDeclarator(temp),
      ]);
      wrapBody(types, body, declarations, null, [statement(refs, runtimeCall("end", types.cloneNode(token)))]);
      return;
    }
    case "async":
    case "promise":
    case "async-generator": {
      const span = scope.generateUidIdentifier("s");
      const ref = () => types.cloneNode(span);
      for (const a of own.awaits) {
        const awaited = types.awaitExpression(runtimeCall("suspend", ref(), a.node.argument));
        a.replaceWith(runtimeCall("resume", ref(), awaited));
        a.skip();
      }
      for (const loop of own.forAwaits) {
        loop.node.right = runtimeCall("forAwait", ref(), loop.node.right);
        const resume = () => statement(refs, runtimeCall("resume", ref()));
        if (types.isBlockStatement(loop.node.body)) loop.node.body.body.unshift(resume());
        else loop.node.body = types.blockStatement([resume(), loop.node.body]);
        const after = loop.parentPath.isLabeledStatement() ? loop.parentPath : loop;
        after.insertAfter(resume());
      }
      const declarations: t.VariableDeclarator[] = [types.variableDeclarator(span, runtimeCall("beginAsync", site))];
      if (route === "async-generator") {
        const temp = scope.generateUidIdentifier("y");
        declarations.push(types.variableDeclarator(temp));
        for (const h of own.handlers) {
          prepend(h, statement(refs, types.assignmentExpression("=", ref(), runtimeCall("reenterAsync", ref(), types.cloneNode(site)))));
        }
        for (const y of own.yields) {
          aroundYield(types, y, temp, [runtimeCall("endAsync", ref())], [
            types.assignmentExpression("=", ref(), runtimeCall("beginAsync", types.cloneNode(site))),
          ]);
        }
      } else {
        for (const h of own.handlers) prepend(h, statement(refs, runtimeCall("resume", ref())));
        const settle = route === "async" ? "asyncReturn" : "promiseReturn";
        for (const r of own.returns) r.get("argument").replaceWith(runtimeCall(settle, ref(), r.node.argument!));
      }
      wrapBody(types, body, types.variableDeclaration("var", declarations), failHandler(refs, scope, span), [
        statement(refs, runtimeCall("endAsync", ref())),
      ]);
      return;
    }
  }
}

/**
 * Compiled async code (detect.ts: "compiled-body", "state-machine"). The body a compiler handed
 * to its helper adopts the span current when it first runs (the function that started it); each
 * compiled `await` (a `yield` in a generator body, a call of the state machine) makes that span
 * current again, as `resume` does for a native `await`. Returns the body's span variable.
 */
export function instrumentCompiledBody(path: NodePath<t.Function>, refs: FileRefs): t.Identifier {
  const { types } = refs;
  const body = ensureBlock(path, types);
  const span = path.scope.generateUidIdentifier("s");
  const ref = () => types.cloneNode(span);
  if (!path.node.generator) {
    body.node.body.unshift(varDeclaration(types, span, call(refs, "adopt", [])));
    return span;
  }
  for (const y of collectOwnSites(body).yields) {
    if (y.node.delegate) continue;
    const suspended = types.yieldExpression(call(refs, "suspend", [ref(), y.node.argument ?? types.identifier("undefined")]));
    y.replaceWith(call(refs, "resume", [ref(), suspended]));
    y.skip();
  }
  wrapBody(types, body, varDeclaration(types, span, call(refs, "adopt", [])), null, [
    statement(refs, call(refs, "suspend", [ref(), types.identifier("undefined")])),
  ]);
  return ref();
}

/** A state machine runs once per resumption: the adopted span is current while it runs. */
export function instrumentStateMachine(path: NodePath<t.Function>, span: t.Identifier, refs: FileRefs): void {
  const { types } = refs;
  const body = ensureBlock(path, types);
  const inner = types.blockStatement(body.node.body);
  body.node.body = [
    statement(refs, call(refs, "resume", [types.cloneNode(span)])),
    types.tryStatement(inner, null, types.blockStatement([statement(refs, call(refs, "suspend", [types.cloneNode(span), types.identifier("undefined")]))])),
  ];
}
