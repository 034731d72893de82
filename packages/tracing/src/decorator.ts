/**
 * `@spanFn` / `@spanFn("name")` as a standard (TC39) method decorator, for code that runs without
 * the Babel plugin (which removes the decorator and instruments the method at build time). Also
 * accepts TypeScript's legacy `experimentalDecorators` call shape.
 */
import { defineSpan } from "./metadata.js";
import { begin } from "./thread-spans.js";
import { beginAsync, endAsync, fail } from "./async-spans.js";
import { endReturn } from "./settle.js";

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Any method, whatever its parameters: `unknown[]` parameters would reject `(id: string) => Row`,
 * since a method taking strings cannot take anything.
 */
type AnyMethod = (this: any, ...args: any[]) => any;

/** What a standard decorator is handed beside the method (TypeScript's ClassMethodDecoratorContext has more). */
interface MethodContext {
  kind: "method";
  name: string | symbol;
  static: boolean;
}

/** `@spanFn("name")`: a decorator of either kind, as the compiler's settings call it. */
export interface SpanFnDecorator {
  /** Standard (TC39) decorators. */
  <M extends AnyMethod>(method: M, context: MethodContext): M;
  /** TypeScript's `experimentalDecorators`. */
  <T extends AnyMethod>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
}

export function spanFn(name: string): SpanFnDecorator;
export function spanFn<M extends AnyMethod>(method: M, context: MethodContext): M;
export function spanFn<T extends AnyMethod>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
export function spanFn(first: unknown, second?: unknown, third?: unknown): unknown {
  if (typeof first === "string") {
    if (first === "") throw new TypeError("spanfn: @spanFn(name) needs a non-empty name");
    return ((method: Method, context: unknown, descriptor?: PropertyDescriptor) => apply(first, method, context, descriptor)) as SpanFnDecorator;
  }
  return apply(null, first, second, third as PropertyDescriptor | undefined);
}

function apply(explicit: string | null, first: unknown, second: unknown, descriptor: PropertyDescriptor | undefined): unknown {
  if (descriptor !== undefined && typeof descriptor.value === "function") {
    // Legacy: (prototype or constructor, key, descriptor).
    const isStatic = typeof first === "function";
    return { ...descriptor, value: traced(descriptor.value as Method, explicit, String(second), isStatic) };
  }
  const context = second as { kind: string; name: string | symbol; static?: boolean } | undefined;
  if (typeof first !== "function" || context === undefined || context.kind !== "method") {
    throw new TypeError(`spanfn: @spanFn decorates methods; it was applied to a ${context?.kind ?? typeof first}`);
  }
  return traced(first as Method, explicit, String(context.name), context.static === true);
}

function traced(method: Method, explicit: string | null, methodName: string, isStatic: boolean): Method {
  let id = -1;
  const site = (self: unknown): number => {
    if (id < 0) {
      const owner = isStatic ? (self as { name?: string })?.name : (self as { constructor?: { name?: string } })?.constructor?.name;
      id = defineSpan(explicit ?? (owner ? `${owner}.${methodName}` : methodName));
    }
    return id;
  };
  const isAsync = method.constructor?.name === "AsyncFunction";
  return isAsync
    ? function (this: unknown, ...args: unknown[]) {
        const span = beginAsync(site(this));
        let returned: unknown;
        try {
          return (returned = method.apply(this, args));
        } catch (error) {
          fail(span);
          throw error;
        } finally {
          endAsync(span, returned);
        }
      }
    : function (this: unknown, ...args: unknown[]) {
        const token = begin(site(this));
        let returned: unknown;
        try {
          return (returned = method.apply(this, args));
        } finally {
          endReturn(token, returned);
        }
      };
}
