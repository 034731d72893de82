/**
 * The test table beside detect.ts's rule table: one row per shape, false friends included.
 * Each row names a function in a small file and the route (and rule) it must get.
 */
import { describe, expect, test } from "@jest/globals";
import * as babel from "@babel/core";
import type { NodePath, types as t } from "@babel/core";
import { analyzeFile, createContext, type Route } from "../src/detect.js";

interface Row {
  shape: string;
  code: string;
  /** Which function: by the name JS infers, or `#n` for the n-th function in source order. */
  fn: string;
  route: Route;
  rule?: string;
  options?: { promiseTypes?: string[]; promiseFunctions?: string[] };
}

const ROWS: Row[] = [
  // Syntax
  { shape: "async function", code: "async function f() {}", fn: "f", route: "async", rule: "async keyword" },
  { shape: "generator", code: "function* f() {}", fn: "f", route: "generator" },
  { shape: "async generator", code: "async function* f() {}", fn: "f", route: "async-generator" },
  { shape: "plain sync function", code: "function f() { return 1; }", fn: "f", route: "thread", rule: "default" },
  // 1. Annotated
  { shape: "Promise<T> return type", code: "function f(): Promise<number> { return g(); }", fn: "f", route: "promise", rule: "Promise return type" },
  { shape: "PromiseLike<T>", code: "function f(): PromiseLike<void> { return g(); }", fn: "f", route: "promise" },
  { shape: "alias of Promise", code: "type Later<T> = Promise<T>; function f(): Later<number> { return g(); }", fn: "f", route: "promise" },
  { shape: "interface extending Promise", code: "interface Job extends Promise<void> {} function f(): Job { return g(); }", fn: "f", route: "promise" },
  { shape: "configured promiseTypes", code: "function f(): Bluebird<number> { return g(); }", fn: "f", route: "promise", options: { promiseTypes: ["Bluebird"] } },
  { shape: "union Promise | T: the run-time check decides", code: "function f(): Promise<number> | number { return g(); }", fn: "f", route: "thread" },
  { shape: "false friend: PromiseLikeConfig", code: "interface PromiseLikeConfig { a: 1 } function f(): PromiseLikeConfig { return g(); }", fn: "f", route: "thread" },
  // 2. Contracts
  {
    shape: "implements: the async-trait case",
    code: "interface Service { process(s: string): Promise<string> } class Impl implements Service { process(s) { return this.db.get(s); } }",
    fn: "Impl.process",
    route: "promise",
    rule: "contract says Promise",
  },
  {
    shape: "implements an interface that extends another",
    code: "interface Base { run(): Promise<void> } interface Job extends Base {} class J implements Job { run() { return go(); } }",
    fn: "J.run",
    route: "promise",
  },
  { shape: "extends a class with an async method", code: "class A { async load() {} } class B extends A { load() { return other(); } }", fn: "B.load", route: "promise" },
  {
    shape: "object literal with a declared type",
    code: "interface Api { get(k: string): Promise<string> } const api: Api = { get(k) { return fetchIt(k); } };",
    fn: "api.get",
    route: "promise",
  },
  {
    shape: "object literal satisfies a type",
    code: "interface Api { get(k: string): Promise<string> } const api = { get: (k) => fetchIt(k) } satisfies Api;",
    fn: "get",
    route: "promise",
  },
  { shape: "false friend: method returning this", code: "interface Fluent { add(): this } class F implements Fluent { add() { return this; } }", fn: "F.add", route: "thread" },
  // 3. Bodies
  { shape: "new Promise", code: "function f() { return new Promise((r) => r(1)); }", fn: "f", route: "promise", rule: "returns a promise" },
  { shape: "Promise.all", code: "function f(xs) { return Promise.all(xs); }", fn: "f", route: "promise" },
  { shape: "Promise.withResolvers().promise", code: "function f() { return Promise.withResolvers().promise; }", fn: "f", route: "promise" },
  { shape: ".then chain", code: "function f(p) { return p.then((x) => x + 1); }", fn: "f", route: "promise" },
  { shape: "arrow expression body .catch", code: "const f = (p) => p.catch(() => 0);", fn: "f", route: "promise" },
  { shape: "async IIFE", code: "function f() { return (async () => 1)(); }", fn: "f", route: "promise" },
  { shape: "both branches promise", code: "function f(c, p) { if (c) return p.then(g); else return Promise.resolve(0); }", fn: "f", route: "promise" },
  { shape: "fetch", code: "function f(u) { return fetch(u); }", fn: "f", route: "promise" },
  { shape: "dynamic import()", code: 'const plugin = { load: () => import("./babel.mjs") };', fn: "load", route: "promise" },
  { shape: "fs/promises", code: 'import { readFile } from "fs/promises"; function f(p) { return readFile(p); }', fn: "f", route: "promise" },
  { shape: "timers/promises", code: 'const { setTimeout: sleep } = require("node:timers/promises"); function f() { return sleep(1); }', fn: "f", route: "promise" },
  { shape: "timers/promises, required whole", code: 'const timers = require("node:timers/promises"); function f() { return timers.setTimeout(1); }', fn: "f", route: "promise" },
  { shape: "configured promiseFunctions", code: "function f(u) { return got(u); }", fn: "f", route: "promise", options: { promiseFunctions: ["got"] } },
  { shape: "same-module call, to a fixed point", code: "function c() { return b(); } function b() { return a(); } async function a() {}", fn: "c", route: "promise" },
  { shape: "this.method() of the same class", code: "class S { async get() {} fetch() { return this.get(); } }", fn: "S.fetch", route: "promise" },
  { shape: "false friend: .then for a side effect", code: "function f(p) { p.then(log); return 42; }", fn: "f", route: "thread" },
  { shape: "false friend: may fall off the end", code: "function f(c, p) { if (c) return p.then(g); }", fn: "f", route: "thread" },
  { shape: "false friend: a shadowed Promise", code: "function f(Promise) { return new Promise(); }", fn: "f", route: "thread" },
  // Compiled async code
  {
    shape: "tsc __awaiter: the caller",
    code: "var __awaiter = (this && this.__awaiter) || function (t, a, P, g) { return 1; }; function f() { return __awaiter(this, void 0, void 0, function* () { yield 1; }); }",
    fn: "f",
    route: "promise",
  },
  {
    shape: "tsc __awaiter: the generator is the compiled body",
    code: "var __awaiter = (this && this.__awaiter) || function (t, a, P, g) { return 1; }; function f() { return __awaiter(this, void 0, void 0, function* () { yield 1; }); }",
    fn: "#3",
    route: "compiled-body",
  },
  {
    shape: "tsc __awaiter: the helper itself is plumbing",
    code: "var __awaiter = (this && this.__awaiter) || function (t, a, P, g) { return 1; };",
    fn: "#1",
    route: "plumbing",
  },
  { shape: "tslib.__awaiter", code: 'const tslib_1 = require("tslib"); function f() { return tslib_1.__awaiter(this, void 0, void 0, function* () {}); }', fn: "f", route: "promise" },
  {
    shape: "false friend: a user function named __awaiter",
    code: "function __awaiter(a, b, c, d) { return d; } function f() { return __awaiter(this, 1, 2, function* () {}); }",
    fn: "f",
    route: "thread",
  },
  {
    shape: "Babel method: _asyncToGenerator(...)()",
    code: "function _asyncToGenerator(n) { return function () {}; } class C { load() { return _asyncToGenerator(function* () {})(); } }",
    fn: "C.load",
    route: "promise",
  },
  {
    shape: "Babel declaration: the forwarder",
    code: "function _asyncToGenerator(n) { return function () {}; } function f(a) { return _f.apply(this, arguments); } function _f() { _f = _asyncToGenerator(function* (a) {}); return _f.apply(this, arguments); }",
    fn: "f",
    route: "promise",
  },
  {
    shape: "Babel declaration: the self-replacing helper is glue",
    code: "function _asyncToGenerator(n) { return function () {}; } function f(a) { return _f.apply(this, arguments); } function _f() { _f = _asyncToGenerator(function* (a) {}); return _f.apply(this, arguments); }",
    fn: "_f",
    route: "plumbing",
  },
  {
    shape: "false friend: a user function named _asyncToGenerator",
    code: "function _asyncToGenerator(value) { const copy = value; log(copy); return copy; } function f() { return _asyncToGenerator(1)(); }",
    fn: "f",
    route: "thread",
  },
];

function functionsOf(code: string, filename: string) {
  const ast = babel.parseSync(code, {
    filename,
    babelrc: false,
    configFile: false,
    presets: filename.endsWith(".ts") ? [require.resolve("@babel/preset-typescript")] : [],
    sourceType: "unambiguous",
  })!;
  let program!: NodePath<t.Program>;
  babel.traverse(ast, {
    Program(p) {
      program = p;
      p.stop();
    },
  });
  return program;
}

describe("detection rules", () => {
  test.each(ROWS.map((row) => [row.shape, row] as const))("%s", (_shape, row) => {
    const program = functionsOf(row.code, "/project/src/file.ts");
    const context = createContext(program, babel.types, {
      filename: "/project/src/file.ts",
      promiseTypes: new Set(row.options?.promiseTypes ?? []),
      promiseFunctions: new Set(row.options?.promiseFunctions ?? []),
      graph: null,
    });
    const detections = analyzeFile(program, context);
    const functions: NodePath<t.Function>[] = [];
    program.traverse({
      Function(p) {
        functions.push(p);
      },
    });
    const target = row.fn.startsWith("#")
      ? functions[Number(row.fn.slice(1)) - 1]
      : functions.find((p) => nameOf(p) === row.fn);
    expect(target).toBeDefined();
    const detection = detections.get(target!.node)!;
    expect(detection.route).toBe(row.route);
    if (row.rule !== undefined) expect(detection.rule).toBe(row.rule);
  });
});

function nameOf(path: NodePath<t.Function>): string | null {
  const node = path.node;
  if ((babel.types.isFunctionDeclaration(node) || babel.types.isFunctionExpression(node)) && node.id) return node.id.name;
  if (babel.types.isClassMethod(node) && babel.types.isIdentifier(node.key)) {
    const cls = path.parentPath!.parentPath!.node as t.Class;
    return `${cls.id?.name}.${node.key.name}`;
  }
  if (babel.types.isObjectMethod(node) && babel.types.isIdentifier(node.key)) {
    const decl = path.parentPath!.parentPath!.node;
    return babel.types.isVariableDeclarator(decl) && babel.types.isIdentifier(decl.id) ? `${decl.id.name}.${node.key.name}` : node.key.name;
  }
  const parent = path.parentPath!.node;
  if (babel.types.isVariableDeclarator(parent) && babel.types.isIdentifier(parent.id)) return parent.id.name;
  if (babel.types.isObjectProperty(parent) && babel.types.isIdentifier(parent.key)) return parent.key.name;
  return null;
}
