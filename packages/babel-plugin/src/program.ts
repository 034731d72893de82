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
          init.arguments.length === 3 &&
          types.isStringLiteral(init.arguments[0]) &&
          types.isArrayExpression(init.arguments[2])
        );
      }),
  );
}

/** Whether the file is an ES module (imports or exports) rather than CommonJS or a script. */
export function isModule(program: NodePath<t.Program>, types: typeof t): boolean {
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
  const declarators = [types.variableDeclarator(types.cloneNode(sitesId), call("registerSpans", [types.stringLiteral(target), types.stringLiteral(file), table]))];
  const declarations = [types.variableDeclaration("var", declarators)];
  if (refs.gated) {
    const tables = [
      types.variableDeclarator(types.cloneNode(refs.gates), call("siteGates", [types.cloneNode(sitesId), types.booleanLiteral(true)])),
      types.variableDeclarator(types.cloneNode(refs.calls), call("siteCalls", [types.cloneNode(sitesId)])),
    ];
    // In an ES module the tables are `const`: V8 reloads a module's `var` at each use, which a
    // hot function's counted calls pay for, and keeps a `const`. A function that can run before
    // the body tests the sites, a `var`, first (codegen.ts), never a table still uninitialised.
    // Elsewhere `var`, as ever: a script's top-level `const` would clash with another script's.
    if (refs.esModule) declarations.push(types.variableDeclaration("const", tables));
    else declarators.push(...tables);
  }
  // First in the file, so no user comment is moved; imports are hoisted, so order is no matter.
  const inserted = program.unshiftContainer("body", declarations);
  for (const declaration of inserted) program.scope.registerDeclaration(declaration);
}
