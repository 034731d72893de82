/**
 * The test table beside detect.ts's rule table: one row per shape, false friends included.
 * Each row names a function in a small file and the route (and rule) it must get.
 */
import { describe, expect, test } from "@jest/globals";
import * as babel from "@babel/core";
import type { NodePath, types as t } from "@babel/core";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { analyzeFile, createContext, type Route } from "../src/detect.js";
import { ModuleGraph } from "../src/modules.js";
import { Resolver } from "../src/resolve.js";
import { TypeCheckers } from "../src/checker.js";

const checkers = new TypeCheckers();

interface Row {
  shape: string;
  code: string;
  /** Which function: by the name JS infers, or `#n` for the n-th function in source order. */
  fn: string;
  route: Route;
  rule?: string;
  options?: { promiseTypes?: string[]; promiseFunctions?: string[] };
  /** Other files of the project, by path relative to the file under test (src/file.ts). */
  files?: Record<string, string>;
  /** With the TypeScript checker (a tsconfig.json at the project's root). */
  checker?: true;
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
  // Across files: the contract, type or callee lives in another module
  {
    shape: "implements an interface imported with import type",
    code: 'import type { Service } from "./contract"; class Impl implements Service { process(s) { return this.db.get(s); } }',
    files: { "contract.ts": "export interface Service { process(s: string): Promise<string> }" },
    fn: "Impl.process",
    route: "promise",
    rule: "contract says Promise",
  },
  {
    shape: "interface through a re-exporting index (export *, export { as } from)",
    code: 'import { Api } from "./contracts"; class Impl implements Api { load() { return this.db.get(); } }',
    files: {
      "contracts/index.ts": 'export * from "./other"; export { Inner as Api } from "./api";',
      "contracts/other.ts": "export interface Other { x(): void }",
      "contracts/api.ts": "export interface Inner { load(): Promise<void> }",
    },
    fn: "Impl.load",
    route: "promise",
  },
  {
    shape: "interface behind a tsconfig paths alias",
    code: 'import type { Api } from "@app/api"; class Impl implements Api { load() { return this.db.get(); } }',
    files: {
      "../tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["src/contracts/*"] } } }',
      "contracts/api.ts": "export interface Api { load(): Promise<void> }",
    },
    fn: "Impl.load",
    route: "promise",
  },
  {
    shape: "a .js import naming a .ts file",
    code: 'import type { Api } from "./api.js"; class Impl implements Api { load() { return this.db.get(); } }',
    files: { "api.ts": "export interface Api { load(): Promise<void> }" },
    fn: "Impl.load",
    route: "promise",
  },
  {
    shape: "generic interface extending another across files",
    code: 'import type { Cached } from "./repo"; class R implements Cached<User> { get(id) { return this.db.get(id); } }',
    files: {
      "repo.ts": 'import type { Repo } from "./base"; export interface Cached<T> extends Repo<T> { warm(): void }',
      "base.ts": "export interface Repo<T> { get(id: string): Promise<T> }",
    },
    fn: "R.get",
    route: "promise",
  },
  {
    shape: "type argument that is a promise: Source<Promise<string>>",
    code: 'import type { Source } from "./source"; class S implements Source<Promise<string>> { read() { return this.db.get(); } }',
    files: { "source.ts": "export interface Source<T> { read(): T }" },
    fn: "S.read",
    route: "promise",
  },
  {
    shape: "false friend: the same generic with a plain type argument",
    code: 'import type { Source } from "./source"; class S implements Source<string> { read() { return this.db.get(); } }',
    files: { "source.ts": "export interface Source<T> { read(): T }" },
    fn: "S.read",
    route: "thread",
  },
  {
    shape: "abstract class in another file",
    code: 'import { Job } from "./job"; class Report extends Job { run() { return this.db.get(); } }',
    files: { "job.ts": "export abstract class Job { abstract run(): Promise<string>; }" },
    fn: "Report.run",
    route: "promise",
  },
  {
    shape: "this.m() with m inherited from a class in another file",
    code: 'import { Store } from "./store"; class Users extends Store { byId(id) { return this.fetch(id); } }',
    files: { "store.ts": "export class Store { fetch(id: string): Promise<string> { return db.get(id); } }" },
    fn: "Users.byId",
    route: "promise",
  },
  {
    shape: "this.m() inside an arrow function of an instance field, m from an imported interface",
    code: 'import type { Api } from "./api"; class C implements Api { load() { return db.get(); } onClick = () => this.load(); }',
    files: { "api.ts": "export interface Api { load(): Promise<void> }" },
    fn: "#2",
    route: "promise",
  },
  {
    shape: "false friend: this.m() in a nested function, where this is not the instance",
    code: 'import { Store } from "./store"; class Users extends Store { byId(id) { return [id].map(function (x) { return this.fetch(x); }); } }',
    files: { "store.ts": "export class Store { fetch(id: string): Promise<string> { return db.get(id); } }" },
    fn: "#2",
    route: "thread",
  },
  {
    shape: "typed object literal, its generic type imported",
    code: 'import type { Handler } from "./handler"; const h: Handler<string> = { handle(r) { return this.db.get(r); } };',
    files: { "handler.ts": "export interface Handler<T> { handle(r: string): Promise<T> }" },
    fn: "h.handle",
    route: "promise",
  },
  {
    shape: "imported alias of a promise as the return type",
    code: 'import type { Task } from "./types"; function f(): Task<number> { return g(); }',
    files: { "types.ts": "export interface Result<T> { value: T } export type Task<T> = Promise<Result<T>>;" },
    fn: "f",
    route: "promise",
    rule: "Promise return type",
  },
  {
    shape: "callee in another module whose body returns new Promise",
    code: 'import { delayed } from "./timers"; function later(x) { return delayed(20, x); }',
    files: { "timers.ts": "export function delayed(ms, v) { return new Promise((r) => setTimeout(() => r(v), ms)); }" },
    fn: "later",
    route: "promise",
    rule: "returns a promise",
  },
  {
    shape: "callee in another module, to a fixed point across modules",
    code: 'import { outer } from "./a"; function f() { return outer(); }',
    files: { "a.ts": 'import { inner } from "./b"; export const outer = () => inner();', "b.ts": "export async function inner() {}" },
    fn: "f",
    route: "promise",
  },
  {
    shape: "callee through a namespace import",
    code: 'import * as timers from "./timers"; function later(x) { return timers.delayed(20, x); }',
    files: { "timers.ts": "export function delayed(ms, v) { return new Promise((r) => setTimeout(() => r(v), ms)); }" },
    fn: "later",
    route: "promise",
  },
  {
    shape: "callee in a JavaScript module with a .d.ts beside it",
    code: 'import { load } from "./lib.js"; function f() { return load(); }',
    files: { "lib.js": "export function load() { return cache.get(); }", "lib.d.ts": "export declare function load(): Promise<string>;" },
    fn: "f",
    route: "promise",
  },
  {
    shape: "a package's Repository<T> through its exports' types condition",
    code: 'import type { Repository } from "orm"; class Users implements Repository<User> { findOne(id) { return this.db.get(id); } }',
    files: {
      "../node_modules/orm/package.json": '{ "name": "orm", "exports": { ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" } } }',
      "../node_modules/orm/dist/index.d.ts": 'export * from "./repository";',
      "../node_modules/orm/dist/repository.d.ts": "export interface Repository<T> { findOne(id: string): Promise<T | null> }",
    },
    fn: "Users.findOne",
    route: "promise",
  },
  {
    shape: "a package's mixed contract (Promise<void> | void): the run-time check decides",
    code: 'import { OnModuleInit } from "@nest/common"; class M implements OnModuleInit { onModuleInit() { return this.db.connect(); } }',
    files: {
      "../node_modules/@nest/common/package.json": '{ "name": "@nest/common", "types": "index.d.ts" }',
      "../node_modules/@nest/common/index.d.ts": "export interface OnModuleInit { onModuleInit(): Promise<void> | void; } export interface Other {}",
      "../node_modules/@types/nest__common/package.json": "{}",
    },
    fn: "M.onModuleInit",
    route: "thread",
  },
  {
    shape: "an installed package's declarations: OpenTelemetry's SpanExporter.shutdown",
    code: 'import type { SpanExporter } from "@opentelemetry/sdk-trace-base"; class E implements SpanExporter { shutdown() { return this.flushAll(); } }',
    fn: "E.shutdown",
    route: "promise",
  },
  {
    shape: "false friend: an import that resolves nowhere",
    code: 'import type { Service } from "./missing"; class Impl implements Service { process(s) { return this.db.get(s); } }',
    fn: "Impl.process",
    route: "thread",
  },
  {
    shape: "false friend: a contract file that does not parse",
    code: 'import type { Service } from "./broken"; class Impl implements Service { process(s) { return this.db.get(s); } }',
    files: { "broken.ts": "export interface Service { process(s: string): Promise<string> \n <<<>>> ((( }" },
    fn: "Impl.process",
    route: "thread",
  },
  {
    shape: "false friend: an import cycle ends without a verdict",
    code: 'import { a } from "./a"; function f() { return a(); }',
    files: { "a.ts": 'import { b } from "./b"; export function a() { return b(); }', "b.ts": 'import { a } from "./a"; export function b() { return a(); }' },
    fn: "f",
    route: "thread",
  },
  // 5. The TypeScript checker (option typeChecker), for what the rules above leave undecided
  { shape: "without the checker: a promise held in a variable", code: "const p = Promise.resolve(1); function f() { return p; }", fn: "f", route: "thread", rule: "default" },
  { shape: "checker: a promise held in a variable", code: "const p = Promise.resolve(1); function f() { return p; }", fn: "f", route: "promise", rule: "type checker says Promise", checker: true },
  { shape: "checker: a union of promises", code: "declare const a: Promise<number>; declare const b: PromiseLike<string>; function f(x: boolean) { return x ? a : b; }", fn: "f", route: "promise", checker: true },
  { shape: "checker: Promise | undefined stays on the run-time check", code: "declare const a: Promise<void>; function f(x: boolean) { if (x) return a; }", fn: "f", route: "thread", checker: true },
  { shape: "checker: any stays on the run-time check", code: "declare const a: any; function f() { return a.load(); }", fn: "f", route: "thread", checker: true },
  { shape: "checker: unknown stays on the run-time check", code: "declare const a: unknown; function f() { return a; }", fn: "f", route: "thread", checker: true },
  { shape: "checker: a type parameter constrained to a promise", code: "function f<T extends Promise<number>>(x: T) { return x; }", fn: "f", route: "promise", checker: true },
  { shape: "checker: an unconstrained type parameter", code: "function f<T>(x: T) { return x; }", fn: "f", route: "thread", checker: true },
  { shape: "checker: a thenable class", code: "class Query { then(done: (v: number) => void) { done(1); } } function f() { return new Query(); }", fn: "f", route: "promise", checker: true },
  { shape: "checker: an optional then", code: "interface Maybe { then?: () => void } declare const m: Maybe; function f() { return m; }", fn: "f", route: "thread", checker: true },
  { shape: "checker: a plain value", code: "function f(items: string[]) { return items.length; }", fn: "f", route: "thread", checker: true },
  { shape: "checker: an arrow with a parenthesized body", code: "declare const a: Promise<number>; const f = () => ((a));", fn: "f", route: "promise", checker: true },
  { shape: "checker: an arrow returning an arrow", code: "declare const a: Promise<number>; const f = () => () => a;", fn: "#1", route: "thread", checker: true },
  { shape: "checker: the arrow returned", code: "declare const a: Promise<number>; const f = () => () => a;", fn: "#2", route: "promise", checker: true },
  { shape: "checker: a getter", code: "declare const a: Promise<number>; class C { get v() { return a; } }", fn: "C.v", route: "promise", checker: true },
  { shape: "checker: an object method", code: "declare const a: Promise<number>; const o = { m() { return a; } };", fn: "o.m", route: "promise", checker: true },
  { shape: "checker: a private method", code: "declare const a: Promise<number>; class C { #m() { return a; } }", fn: "#1", route: "promise", checker: true },
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
    // Inside the repository, so that installed packages resolve as they would for a user.
    const root = mkdtempSync(join(__dirname, ".run-detect-"));
    const filename = join(root, "src/file.ts");
    for (const [path, text] of Object.entries(row.files ?? {})) {
      mkdirSync(dirname(join(root, "src", path)), { recursive: true });
      writeFileSync(join(root, "src", path), text);
    }
    const program = functionsOf(row.code, filename);
    const context = createContext(program, babel.types, {
      filename,
      promiseTypes: new Set(row.options?.promiseTypes ?? []),
      promiseFunctions: new Set(row.options?.promiseFunctions ?? []),
      graph: new ModuleGraph(new Resolver()),
      checker: row.checker ? withChecker(root, filename, row.code) : null,
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
    rmSync(root, { recursive: true, force: true });
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

function withChecker(root: string, filename: string, code: string) {
  const tsconfig = join(root, "tsconfig.json");
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { target: "ES2022", strict: true, types: [] } }));
  return checkers.forFile(filename, code, tsconfig, root);
}
