/** File-level codegen: the runtime import, added once, and span-site metadata, hoisted once. */
import type { NodePath, types as t } from "@babel/core";
import type { FileRefs } from "./codegen.js";

/** `[name, line]` per span site, in id order. */
export type SiteTable = Array<[name: string, line: number]>;

/**
 * A file is instrumented already when it has a top-level `var x = y.registerSpans("…", "…", […])`:
 * the statement this plugin hoists. Passing a file through twice (babel-jest, then a bundler)
 * therefore instruments it once.
 */
export function alreadyInstrumented(program: NodePath<t.Program>, types: typeof t): boolean {
  return program.node.body.some(
    (statement) =>
      types.isVariableDeclaration(statement) &&
      statement.declarations.some((d) => {
        const init = d.init;
        return (
          types.isCallExpression(init) &&
          types.isMemberExpression(init.callee) &&
          types.isIdentifier(init.callee.property, { name: "registerSpans" }) &&
          (init.arguments.length === 3 || init.arguments.length === 4) &&
          types.isStringLiteral(init.arguments[0]) &&
          types.isArrayExpression(init.arguments[2])
        );
      }),
  );
}

/** Whether the file is an ES module (imports or exports) rather than CommonJS or a script. */
function isModule(program: NodePath<t.Program>, types: typeof t): boolean {
  const hasModuleSyntax = program.node.body.some(
    (s) => types.isImportDeclaration(s) || types.isExportDeclaration(s) || types.isExportAllDeclaration(s),
  );
  if (hasModuleSyntax) return true;
  const usesCommonJs = ["require", "module", "exports"].some((name) => program.scope.hasGlobal(name));
  if (usesCommonJs) return false;
  return program.node.sourceType === "module";
}

export function addRuntimeImport(program: NodePath<t.Program>, types: typeof t, local: t.Identifier, source: string): void {
  const declaration = isModule(program, types)
    ? types.importDeclaration([types.importNamespaceSpecifier(types.cloneNode(local))], types.stringLiteral(source))
    : types.variableDeclaration("var", [
        types.variableDeclarator(
          types.cloneNode(local),
          types.callExpression(types.identifier("require"), [types.stringLiteral(source)]),
        ),
      ]);
  const [inserted] = program.unshiftContainer("body", declaration);
  program.scope.registerDeclaration(inserted);
}

export function hoistSites(
  program: NodePath<t.Program>,
  types: typeof t,
  refs: FileRefs,
  sitesId: t.Identifier,
  target: string,
  file: string,
  sites: SiteTable,
): void {
  const table = types.arrayExpression(
    sites.map(([name, line]) => types.arrayExpression([types.stringLiteral(name), types.numericLiteral(line)])),
  );
  const call = (name: string, args: t.Expression[]) =>
    types.callExpression(types.memberExpression(types.cloneNode(refs.runtime), types.identifier(name)), args);
  const register: t.Expression[] = [types.stringLiteral(target), types.stringLiteral(file), table];
  const declarations: t.Statement[] = [];
  if (refs.words.size > 0) {
    // `var`, which V8 reads from the module's scope at each use: the runtime's answers change them.
    const indices = [...refs.words].sort((a, b) => a - b);
    declarations.push(types.variableDeclaration("var", indices.map((i) => types.variableDeclarator(refs.word(i), types.unaryExpression("-", types.numericLiteral(1))))));
    register.push(types.cloneNode(refs.readWords));
    declarations.push(...readWordsFunctions(types, refs, indices));
  }
  declarations.unshift(types.variableDeclaration("var", [types.variableDeclarator(types.cloneNode(sitesId), call("registerSpans", register))]));
  // First in the file, so no user comment is moved; imports are hoisted, so order is no matter.
  const inserted = program.unshiftContainer("body", declarations);
  for (const declaration of inserted) program.scope.registerDeclaration(declaration);
}

/**
 * Sites per words function. V8 compiles a function whole at its first call, and the runtime
 * resets one recursive demoted site's word at a time: one switch over every site of a large
 * module would cost its whole compile for the first reset.
 */
const WORDS_PER_FUNCTION = 64;

/**
 * `function words(i, reset) { var value; switch (i) { case 0: value = w0; if (reset) w0 = -1;
 * return value; … } }`: how the runtime reads a site's word, and sets it back to asking (its
 * gates.ts), one site at a time. Past WORDS_PER_FUNCTION sites, `words` hands each site to the
 * function of its run of sites: `switch (i >> 6) { case 0: return words0(i, reset); … }`.
 */
function readWordsFunctions(types: typeof t, refs: FileRefs, indices: number[]): t.FunctionDeclaration[] {
  if (indices.length <= WORDS_PER_FUNCTION) return [wordsFunction(types, refs, refs.readWords, indices)];
  const runs = new Map<number, number[]>();
  for (const i of indices) {
    const run = Math.floor(i / WORDS_PER_FUNCTION);
    const members = runs.get(run);
    if (members === undefined) runs.set(run, [i]);
    else members.push(i);
  }
  const index = types.identifier("i");
  const reset = types.identifier("reset");
  const parts: t.FunctionDeclaration[] = [];
  const cases: t.SwitchCase[] = [];
  for (const [run, members] of runs) {
    // The prefix is in no name of the source, so neither is this.
    const part = types.identifier(`${refs.readWords.name}${run}`);
    parts.push(wordsFunction(types, refs, part, members));
    const call = types.callExpression(types.cloneNode(part), [types.cloneNode(index), types.cloneNode(reset)]);
    cases.push(types.switchCase(types.numericLiteral(run), [types.returnStatement(call)]));
  }
  const which = types.binaryExpression(">>", types.cloneNode(index), types.numericLiteral(Math.log2(WORDS_PER_FUNCTION)));
  const dispatch = types.functionDeclaration(types.cloneNode(refs.readWords), [index, reset], types.blockStatement([types.switchStatement(which, cases)]));
  refs.generated.add(dispatch);
  return [dispatch, ...parts];
}

function wordsFunction(types: typeof t, refs: FileRefs, name: t.Identifier, indices: number[]): t.FunctionDeclaration {
  const index = types.identifier("i");
  const reset = types.identifier("reset");
  const value = types.identifier("value");
  const cases = indices.map((i) =>
    types.switchCase(types.numericLiteral(i), [
      types.expressionStatement(types.assignmentExpression("=", types.cloneNode(value), refs.word(i))),
      types.ifStatement(types.cloneNode(reset), types.expressionStatement(types.assignmentExpression("=", refs.word(i), types.unaryExpression("-", types.numericLiteral(1))))),
      types.returnStatement(types.cloneNode(value)),
    ]),
  );
  const body = types.blockStatement([types.variableDeclaration("var", [types.variableDeclarator(value)]), types.switchStatement(types.cloneNode(index), cases)]);
  const declaration = types.functionDeclaration(types.cloneNode(name), [index, reset], body);
  refs.generated.add(declaration);
  return declaration;
}
