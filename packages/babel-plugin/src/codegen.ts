/**
 * Rewrites one function so that it records its span. Statements are inserted into the body; the
 * function is never wrapped in another, so `this`, `arguments`, `super`, `new.target`, `yield`,
 * `name` and `length` stay what they were. Generated code is ES5-level (`var`, `try`,
 * calls), whatever the input, and carries no source location.
 */
import type { NodePath, types as t } from "@babel/core";
import type { Route } from "./detect.js";
import { skipWrappers } from "./wrappers.js";

type Types = typeof t;

/** What a file's generated code refers to: the runtime namespace, and its locals' names. */
export interface FileRefs {
  readonly types: Types;
  readonly runtime: t.Identifier;
  /** The module's first site (its registration's), undefined until the module's body runs. */
  readonly sites: t.Identifier;
  /**
   * The word of a synchronous site, by its index in the module: a module-level variable that
   * counts its calls or asks the runtime (the runtime's layout.ts `Word`). Declared, with the
   * function that reads them (`readWords`), only for the sites that asked for one.
   */
  word(index: number): t.Identifier;
  readonly words: ReadonlySet<number>;
  readonly readWords: t.Identifier;
  /**
   * A generated function-local variable. Every function declares its own, so one name per role
   * serves the whole file: the prefix is chosen once per file to appear nowhere in its source
   * (asking the scope for a fresh name per function is quadratic in the number of functions).
   */
  local(role: "t" | "r" | "y" | "s" | "a" | "e" | "c"): t.Identifier;
  /** Functions the codegen itself wrote: never instrumented in their turn. */
  readonly generated: WeakSet<t.Node>;
}

/** `runtime.name(args…)` */
function call(refs: FileRefs, name: string, args: t.Expression[]): t.CallExpression {
  const { types } = refs;
  return types.callExpression(types.memberExpression(types.cloneNode(refs.runtime), types.identifier(name)), args);
}

function statement(refs: FileRefs, expression: t.Expression): t.ExpressionStatement {
  return refs.types.expressionStatement(expression);
}

function varDeclaration(types: Types, declarators: Array<[t.Identifier, t.Expression | null]>): t.VariableDeclaration {
  return types.variableDeclaration(
    "var",
    declarators.map(([id, init]) => types.variableDeclarator(id, init)),
  );
}

/** Gives an arrow with an expression body a block, so statements can be inserted. */
function ensureBlock(path: NodePath<t.Function>, types: Types): NodePath<t.BlockStatement> {
  const node = path.node;
  if (!types.isBlockStatement(node.body)) {
    node.body = types.blockStatement([types.returnStatement(node.body as t.Expression)]);
  }
  return path.get("body") as NodePath<t.BlockStatement>;
}

/** The function's own returns, suspension points and handlers; never those of nested functions. */
interface OwnSites {
  returns: NodePath<t.ReturnStatement>[];
  /** `return;` */
  bareReturns: NodePath<t.ReturnStatement>[];
  /** Awaits and yields, innermost first, so that rewriting one never strands another's path. */
  suspensions: Array<NodePath<t.AwaitExpression> | NodePath<t.YieldExpression>>;
  forAwaits: NodePath<t.ForOfStatement>[];
  /** Catch bodies and finally blocks: where a throw into a suspended function resumes it. */
  handlers: t.BlockStatement[];
  /** A `finally` can override a return (with break/continue) and let the body run on. */
  hasFinally: boolean;
}

function collectOwnSites(body: NodePath<t.BlockStatement>): OwnSites {
  const sites: OwnSites = { returns: [], bareReturns: [], suspensions: [], forAwaits: [], handlers: [], hasFinally: false };
  const visitor: Parameters<typeof body.traverse>[0] = {
    // Nested functions (methods and field initializers of classes among them) have their own
    // frames; a method's computed key and a class's `extends` clause run in this one.
    Function(p) {
      p.skip();
      const node = p.node as { computed?: boolean };
      if (!(p.isClassMethod() || p.isClassPrivateMethod() || p.isObjectMethod()) || node.computed !== true) return;
      const key = p.get("key") as NodePath;
      key.traverse(visitor);
      if (key.isAwaitExpression() || key.isYieldExpression()) sites.suspensions.push(key);
    },
    ReturnStatement(p) {
      if (p.node.argument) sites.returns.push(p);
      else sites.bareReturns.push(p);
    },
    AwaitExpression: {
      exit(p) {
        sites.suspensions.push(p);
      },
    },
    YieldExpression: {
      exit(p) {
        sites.suspensions.push(p);
      },
    },
    ForOfStatement(p) {
      if (p.node.await) sites.forAwaits.push(p);
    },
    CatchClause(p) {
      sites.handlers.push(p.node.body);
    },
    TryStatement(p) {
      if (p.node.finalizer) {
        sites.handlers.push(p.node.finalizer);
        sites.hasFinally = true;
      }
    },
  };
  body.traverse(visitor);
  return sites;
}

/**
 * Function declarations that must stay at body level. Inside the `try` block a declaration turns
 * block-scoped: a clash with a `var` or another declaration of the same name becomes a
 * SyntaxError, and in sloppy mode a block function of the same name no longer replaces it. Such
 * a declaration is kept outside the `try` (it is hoisted either way), unless it reads a `let`,
 * `const` or class of the body, which it could not see from there.
 */
function declarationsToHoist(body: NodePath<t.BlockStatement>, types: Types): Set<t.Node> {
  const counts = new Map<string, number>();
  const clashing = new Set<string>();
  const lexical = new Set<string>();
  for (const statement of body.node.body) {
    if (types.isFunctionDeclaration(statement) && statement.id) counts.set(statement.id.name, (counts.get(statement.id.name) ?? 0) + 1);
    if (types.isVariableDeclaration(statement) && statement.kind !== "var") {
      for (const d of statement.declarations) for (const name of Object.keys(types.getBindingIdentifiers(d.id))) lexical.add(name);
    }
    if (types.isClassDeclaration(statement) && statement.id) lexical.add(statement.id.name);
  }
  if (counts.size === 0) return new Set();
  for (const [name, count] of counts) if (count > 1) clashing.add(name);
  body.traverse({
    Function(p) {
      if (p.isFunctionDeclaration() && p.node.id && p.parentPath !== body && counts.has(p.node.id.name)) clashing.add(p.node.id.name);
      p.skip();
    },
    VariableDeclaration(p) {
      if (p.node.kind !== "var") return;
      for (const d of p.node.declarations) for (const name of Object.keys(types.getBindingIdentifiers(d.id))) if (counts.has(name)) clashing.add(name);
    },
  });
  const hoist = new Set<t.Node>();
  for (const statement of body.get("body")) {
    if (!statement.isFunctionDeclaration() || !statement.node.id || !clashing.has(statement.node.id.name)) continue;
    let readsLexical = false;
    statement.traverse({
      Identifier(p) {
        if (lexical.has(p.node.name) && p.scope.getBinding(p.node.name)?.scope === body.scope) readsLexical = true;
      },
    });
    if (!readsLexical) hoist.add(statement.node);
  }
  return hoist;
}

/**
 * Replaces the body with `var …; try { <body> } <catch> finally {…} <after>`, keeping directives
 * first (Babel keeps them apart from `body`) and declarations that must stay at body level
 * outside. `finalizer` null: no `finally`.
 */
function wrapBody(
  types: Types,
  body: NodePath<t.BlockStatement>,
  declaration: t.VariableDeclaration,
  handler: t.CatchClause | null,
  finalizer: t.Statement[] | null,
  atEnd: t.Statement[] = [],
  after: t.Statement[] = [],
): void {
  const keep = declarationsToHoist(body, types);
  const statements = body.node.body;
  const hoisted = statements.filter((s) => keep.has(s));
  const rest = statements.filter((s) => !keep.has(s));
  const inner = types.blockStatement([...rest, ...atEnd]);
  const attempt = types.tryStatement(inner, handler, finalizer === null ? null : types.blockStatement(finalizer));
  body.node.body = [declaration, ...hoisted, attempt, ...after];
}

/** `catch (e) { runtime.fail(span); throw e; }` */
function failHandler(refs: FileRefs, span: t.Identifier): t.CatchClause {
  const { types } = refs;
  const error = refs.local("e");
  return types.catchClause(
    error,
    types.blockStatement([
      statement(refs, call(refs, "fail", [types.cloneNode(span)])),
      types.throwStatement(types.cloneNode(error)),
    ]),
  );
}

/**
 * `id = value`, for a value the function returns, yields or awaits. An anonymous function or
 * class assigned to a plain identifier takes that identifier as its `name` (the spec's
 * NamedEvaluation), so `return () => {}` would return a function named "_sf$r": such a value is
 * assigned as `(0, value)`, which names nothing, and keeps the name it had ("").
 */
function store(types: Types, id: t.Identifier, value: t.Expression): t.AssignmentExpression {
  return types.assignmentExpression("=", types.cloneNode(id), isAnonymousDefinition(types, value) ? types.sequenceExpression([types.numericLiteral(0), value]) : value);
}

/** What NamedEvaluation names: an anonymous function, arrow or class, through wrappers. */
function isAnonymousDefinition(types: Types, node: t.Expression): boolean {
  const n = skipWrappers(node, types);
  return types.isArrowFunctionExpression(n) || ((types.isFunctionExpression(n) || types.isClassExpression(n)) && n.id == null);
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
  if (argument) sequence.push(store(types, temp, argument));
  sequence.push(...before);
  const resumed = types.yieldExpression(argument ? types.cloneNode(temp) : null, delegate);
  sequence.push(types.assignmentExpression("=", types.cloneNode(temp), resumed), ...after, types.cloneNode(temp));
  yieldPath.replaceWith(types.sequenceExpression(sequence));
  yieldPath.skip();
}

/** `resume(span, await suspend(span, x))` */
function aroundAwait(refs: FileRefs, awaitPath: NodePath<t.AwaitExpression>, span: () => t.Expression): void {
  const awaited = refs.types.awaitExpression(call(refs, "suspend", [span(), awaitPath.node.argument]));
  awaitPath.replaceWith(call(refs, "resume", [span(), awaited]));
  awaitPath.skip();
}

/**
 * A returned `target.then(a[, b])`, `target.catch(b)` or `new Promise(executor)` (the global
 * `Promise`): a promise the function makes.
 */
type Chain =
  | { readonly method: "then" | "catch"; readonly callee: t.MemberExpression; readonly args: t.Expression[] }
  | { readonly method: "new"; readonly callee: t.Identifier; readonly args: t.Expression[] };

function chainOf(types: Types, path: NodePath<t.Expression>): Chain | null {
  const node = path.node;
  if (types.isNewExpression(node)) {
    const [executor, ...rest] = node.arguments;
    if (!types.isIdentifier(node.callee, { name: "Promise" }) || path.scope.hasBinding("Promise", { noGlobals: true })) return null;
    return executor !== undefined && rest.length === 0 && types.isExpression(executor) ? { method: "new", callee: node.callee, args: [executor] } : null;
  }
  // Optional calls and members are other node types, and are left alone.
  if (!types.isCallExpression(node) || !types.isMemberExpression(node.callee)) return null;
  const callee = node.callee;
  if (callee.computed || !types.isIdentifier(callee.property) || types.isSuper(callee.object)) return null;
  const args = node.arguments;
  if (!args.every((a): a is t.Expression => types.isExpression(a))) return null;
  const method = callee.property.name;
  if (method === "then" && (args.length === 1 || args.length === 2)) return { method, callee, args };
  if (method === "catch" && args.length === 1) return { method, callee, args };
  return null;
}

/**
 * `(c = target, chainThen(span, c, c.then, "target.then", arity, a, b))` or `chainNew(span,
 * Promise, executor)`: the target, the method and the arguments are evaluated in the order the
 * call evaluated them, and the runtime makes the same call (chain.ts).
 */
function throughChain(refs: FileRefs, chain: Chain, span: t.Expression): t.Expression {
  const { types } = refs;
  if (chain.method === "new") return call(refs, "chainNew", [span, chain.callee, ...chain.args]);
  const target = refs.local("c");
  const method = types.memberExpression(types.cloneNode(target), types.identifier(chain.method));
  const name = types.stringLiteral(describeForMessage(chain.callee, types));
  const args =
    chain.method === "then"
      ? call(refs, "chainThen", [span, types.cloneNode(target), method, name, types.numericLiteral(chain.args.length), ...chain.args])
      : call(refs, "chainCatch", [span, types.cloneNode(target), method, name, ...chain.args]);
  return types.sequenceExpression([types.assignmentExpression("=", types.cloneNode(target), chain.callee.object as t.Expression), args]);
}

/** How V8 names an expression in "x is not async iterable", so our TypeError reads the same. */
function describeForMessage(node: t.Node, types: Types): string {
  if (types.isIdentifier(node)) return node.name;
  if (types.isThisExpression(node)) return "this";
  if (types.isNumericLiteral(node)) return String(node.value);
  if (types.isMemberExpression(node) && !node.computed && types.isIdentifier(node.property)) {
    return `${describeForMessage(node.object, types)}.${node.property.name}`;
  }
  if (types.isCallExpression(node)) return `${describeForMessage(node.callee, types)}(...)`;
  return "(intermediate value)";
}

/**
 * `for await (x of y)` suspends at its head: the loop iterates `forAwait(span, y)`, whose
 * iterator hands "current" back before each await. Wherever control can come back from such a
 * loop (its body, the end of it, a `continue` or `break` to an enclosing loop or label), the
 * span is resumed.
 */
function instrumentForAwait(
  refs: FileRefs,
  loop: NodePath<t.ForOfStatement>,
  span: t.Expression,
  resumeStatement: () => t.Statement,
  done: WeakSet<t.Node>,
): void {
  const { types } = refs;
  const name = types.stringLiteral(describeForMessage(loop.node.right, types));
  loop.node.right = call(refs, "forAwait", [span, loop.node.right, name]);
  const units: Array<{ node: t.Statement; container: t.Statement[] | null; isLoop: boolean }> = [];
  for (let p: NodePath | null = loop; p !== null && !p.isFunction(); p = p.parentPath) {
    if (!p.isStatement() || p.isBlockStatement()) continue;
    const container = Array.isArray(p.container) ? (p.container as t.Statement[]) : null;
    units.push({ node: p.node as t.Statement, container, isLoop: p.isLoop() });
  }
  for (const unit of units) {
    if (unit.isLoop && !done.has(unit.node)) {
      const looped = unit.node as t.Loop;
      if (types.isBlockStatement(looped.body)) looped.body.body.unshift(resumeStatement());
      else looped.body = types.blockStatement([resumeStatement(), looped.body]);
    }
    if (unit.container !== null && !done.has(unit.node)) {
      unit.container.splice(unit.container.indexOf(unit.node) + 1, 0, resumeStatement());
    }
    done.add(unit.node);
  }
}

/**
 * `w >= 0 ? (++w, -1) : (t = beginWord(site)) === -2 ? (w = 0, -1) : t`, `w` the site's word and
 * `t` the span's token (the runtime's layout.ts `Word` declares these numbers): a site that
 * records nothing counts its call in a variable of its module, no call into the runtime, and a
 * demoted one keeps its count exact. The word starts at -1 (asking), and the runtime's answer -2
 * turns it to counting. A call before the module's body has run (an ES module's function
 * declaration, through an import cycle) finds the word undefined and asks with a site that is
 * NaN: the runtime counts it as early (`earlySpans`), not recorded.
 */
function wordBegin(refs: FileRefs, site: t.Expression, index: number, token: t.Identifier): t.Expression {
  const { types } = refs;
  const word = () => refs.word(index);
  const minus = (n: number) => types.unaryExpression("-", types.numericLiteral(n));
  return types.conditionalExpression(
    types.binaryExpression(">=", word(), types.numericLiteral(0)),
    types.sequenceExpression([types.updateExpression("++", word(), true), minus(1)]),
    types.conditionalExpression(
      types.binaryExpression("===", types.assignmentExpression("=", types.cloneNode(token), call(refs, "beginWord", [site])), minus(2)),
      types.sequenceExpression([types.assignmentExpression("=", word(), types.numericLiteral(0)), minus(1)]),
      types.cloneNode(token),
    ),
  );
}

/** `if (token >= 0) end…(token, …)`: a call that recorded nothing has nothing to end. */
function ifRecorded(refs: FileRefs, token: t.Identifier, end: t.Expression): t.Statement {
  const { types } = refs;
  return types.ifStatement(types.binaryExpression(">=", types.cloneNode(token), types.numericLiteral(0)), statement(refs, end));
}

/**
 * A thread span whose body has no `finally` of its own ends at each way out: a `return`
 * becomes `r = value; if (t >= 0) endReturn(t, r); return r;`, a throw ends it in a `catch`
 * that throws on, and falling off the end ends it after the `try`. An outer `finally` would cost
 * every call V8's completion dispatch (bench/RESULTS.md, "What changed"). Where the body has a
 * `finally`, which can override a return or swallow a throw, the span ends in one of its own.
 * An `end` after an `end` of the same span records nothing (the runtime's tokens carry the
 * depth), so a throw out of `endReturn` itself cannot end the span twice.
 */
function endAtExits(refs: FileRefs, body: NodePath<t.BlockStatement>, own: OwnSites, token: t.Identifier, begin: t.Expression): void {
  const { types } = refs;
  const ended = (name: "end" | "endReturn", ...args: t.Expression[]) => ifRecorded(refs, token, call(refs, name, [types.cloneNode(token), ...args]));
  const exit = (path: NodePath<t.ReturnStatement>, statements: t.Statement[]) => {
    if (Array.isArray(path.container)) path.replaceWithMultiple(statements);
    else path.replaceWith(types.blockStatement(statements));
  };
  const declarators: Array<[t.Identifier, t.Expression | null]> = [[token, begin]];
  if (own.returns.length > 0) {
    const returned = refs.local("r");
    declarators.push([returned, null]);
    for (const r of own.returns) {
      exit(r, [
        statement(refs, store(types, returned, r.node.argument!)),
        ended("endReturn", types.cloneNode(returned)),
        types.returnStatement(types.cloneNode(returned)),
      ]);
    }
  }
  for (const r of own.bareReturns) exit(r, [ended("end"), types.returnStatement(null)]);
  const last = body.node.body[body.node.body.length - 1];
  const fallsOff = last === undefined || !(types.isReturnStatement(last) || types.isThrowStatement(last));
  const error = refs.local("e");
  const handler = types.catchClause(error, types.blockStatement([ended("end"), types.throwStatement(types.cloneNode(error))]));
  wrapBody(types, body, varDeclaration(types, declarators), handler, null, [], fallsOff ? [ended("end")] : []);
}

export function instrumentFunction(path: NodePath<t.Function>, route: Route, site: t.Expression, index: number, refs: FileRefs): void {
  const { types } = refs;
  const body = ensureBlock(path, types);
  const own = collectOwnSites(body);
  const runtimeCall = (name: string, ...args: t.Expression[]) => call(refs, name, args);
  const assign = (id: t.Identifier, value: t.Expression) => types.assignmentExpression("=", types.cloneNode(id), value);

  switch (route) {
    case "thread": {
      const token = refs.local("t");
      const begin = wordBegin(refs, site, index, token);
      if (!own.hasFinally) {
        endAtExits(refs, body, own, token, begin);
        return;
      }
      if (own.returns.length === 0) {
        wrapBody(types, body, varDeclaration(types, [[token, begin]]), null, [ifRecorded(refs, token, runtimeCall("end", types.cloneNode(token)))]);
        return;
      }
      // The value actually returned decides whether a promise escapes: a `finally` may override
      // a return, so it is read in the outer `finally`, not at the `return`.
      const returned = refs.local("r");
      for (const r of own.returns) r.get("argument").replaceWith(store(types, returned, r.node.argument!));
      wrapBody(
        types,
        body,
        varDeclaration(types, [[token, begin], [returned, null]]),
        null,
        [ifRecorded(refs, token, runtimeCall("endReturn", types.cloneNode(token), types.cloneNode(returned)))],
        [statement(refs, assign(returned, types.unaryExpression("void", types.numericLiteral(0))))],
      );
      return;
    }
    case "generator": {
      const token = refs.local("t");
      const temp = refs.local("y");
      for (const h of own.handlers) {
        h.body.unshift(statement(refs, assign(token, runtimeCall("reenter", types.cloneNode(token), types.cloneNode(site)))));
      }
      for (const y of own.suspensions) {
        aroundYield(
          types,
          y as NodePath<t.YieldExpression>,
          temp,
          [runtimeCall("end", types.cloneNode(token)), assign(token, types.unaryExpression("-", types.numericLiteral(1)))],
          [assign(token, runtimeCall("begin", types.cloneNode(site)))],
        );
      }
      wrapBody(types, body, varDeclaration(types, [[token, runtimeCall("begin", site)], [temp, null]]), null, [
        statement(refs, runtimeCall("end", types.cloneNode(token))),
      ]);
      return;
    }
    case "async":
    case "promise":
    case "async-generator": {
      const span = refs.local("s");
      const ref = () => types.cloneNode(span);
      const asyncGenerator = route === "async-generator";
      const temp = asyncGenerator ? refs.local("y") : null;
      const awaitTemp = asyncGenerator ? refs.local("a") : null;
      for (const s of own.suspensions) {
        if (s.isAwaitExpression() && awaitTemp !== null) {
          // `(a = x, a = await suspend(s, a), resume(s), a)`: x may hold a yield that replaces s.
          s.replaceWith(
            types.sequenceExpression([
              store(types, awaitTemp, s.node.argument),
              assign(awaitTemp, types.awaitExpression(runtimeCall("suspend", ref(), types.cloneNode(awaitTemp)))),
              runtimeCall("resume", ref()),
              types.cloneNode(awaitTemp),
            ]),
          );
          s.skip();
        } else if (s.isAwaitExpression()) aroundAwait(refs, s, ref);
        else
          // `endAsync` hands back NOT_RECORDED: until the fresh span after the yield, the dead
          // handle is never held (a `return()` at the yield reaches `reenterAsync` with it).
          aroundYield(types, s as NodePath<t.YieldExpression>, temp!, [assign(span, runtimeCall("endAsync", ref()))], [
            assign(span, runtimeCall("beginAsync", types.cloneNode(site))),
          ]);
      }
      // An async generator's span changes at every yield: its loops look it up when they suspend.
      const loopSpan = asyncGenerator
        ? () => {
            const getter = types.functionExpression(null, [], types.blockStatement([types.returnStatement(ref())]));
            refs.generated.add(getter);
            return getter;
          }
        : ref;
      const done = new WeakSet<t.Node>();
      const resume = asyncGenerator
        ? () => statement(refs, assign(span, runtimeCall("reenterAsync", ref(), types.cloneNode(site))))
        : () => statement(refs, runtimeCall("resume", ref()));
      for (const loop of own.forAwaits) instrumentForAwait(refs, loop, loopSpan(), resume, done);
      for (const h of own.handlers) h.body.unshift(resume());
      // What the function returns goes to `endAsync`, which waits for a returned promise; as for a
      // thread span, it is read in the outer `finally`, after any `finally` that overrides it.
      const returned = !asyncGenerator && own.returns.length > 0 ? refs.local("r") : null;
      // Where every return is a chain the function makes, the chain's own handlers end the span
      // (chain.ts); a `finally` could return something else, so then it is left to `endAsync`.
      const chains = returned !== null && !own.hasFinally ? own.returns.map((r) => chainOf(types, r.get("argument") as NodePath<t.Expression>)) : [];
      const chained = chains.length > 0 && chains.every((c) => c !== null);
      if (chained) own.returns.forEach((r, i) => r.get("argument").replaceWith(throughChain(refs, chains[i]!, ref())));
      const reset: t.Statement[] = [];
      if (returned !== null) {
        for (const r of own.returns) r.get("argument").replaceWith(store(types, returned, r.node.argument!));
        if (own.hasFinally) reset.push(statement(refs, assign(returned, types.unaryExpression("void", types.numericLiteral(0)))));
      }
      const declarations: Array<[t.Identifier, t.Expression | null]> = [[span, runtimeCall("beginAsync", site)]];
      if (returned !== null) declarations.push([returned, null]);
      if (chained && chains.some((c) => c!.method !== "new")) declarations.push([refs.local("c"), null]);
      if (temp !== null) declarations.push([temp, null]);
      if (awaitTemp !== null) declarations.push([awaitTemp, null]);
      const endArgs = returned !== null ? [ref(), types.cloneNode(returned)] : [ref()];
      wrapBody(types, body, varDeclaration(types, declarations), failHandler(refs, span), [
        statement(refs, runtimeCall("endAsync", ...endArgs)),
      ], reset);
      return;
    }
    case "compiled-body":
    case "state-machine":
    case "plumbing":
      throw new Error(`route ${route} is not a span route`);
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
  const span = refs.local("s");
  const ref = () => types.cloneNode(span);
  if (!path.node.generator) {
    body.node.body.unshift(varDeclaration(types, [[span, call(refs, "adopt", [])]]));
    return span;
  }
  const own = collectOwnSites(body);
  for (const y of own.suspensions) {
    if (!y.isYieldExpression() || y.node.delegate) continue;
    const suspended = types.yieldExpression(call(refs, "suspend", [ref(), y.node.argument ?? types.identifier("undefined")]));
    y.replaceWith(call(refs, "resume", [ref(), suspended]));
    y.skip();
  }
  // A rejected compiled await resumes the body by `throw()`, straight into a catch or finally.
  for (const h of own.handlers) h.body.unshift(statement(refs, call(refs, "resume", [ref()])));
  wrapBody(types, body, varDeclaration(types, [[span, call(refs, "adopt", [])]]), null, [
    statement(refs, call(refs, "leave", [ref()])),
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
    types.tryStatement(inner, null, types.blockStatement([statement(refs, call(refs, "leave", [types.cloneNode(span)]))])),
  ];
}
