/**
 * Node's built-in modules that only some runs need, loaded at their first use. A static import
 * loads a builtin at every start, and an ES import also builds its whole namespace (every lazy
 * getter of it), which costs a short program more than the tracing does.
 */
import * as nodeModule from "node:module";

type Load = (id: string) => unknown;

function load(id: string): unknown {
  const getBuiltinModule = (process as { getBuiltinModule?: Load }).getBuiltinModule;
  if (getBuiltinModule !== undefined) return getBuiltinModule(id);
  // Node before 20.16 and 22.3 requires it (from any path: a builtin's name resolves the same
  // everywhere). Read through Reflect: bundlers rewrite the calls of `createRequire` they see.
  const createRequire = Reflect.get(nodeModule, "createRequire") as (path: string) => Load;
  return createRequire(process.execPath)(id);
}

/** `import("node:v8")` and the like, synchronous, made on the first call and kept. */
export function lazyBuiltin<T>(id: `node:${string}`): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(id) as T);
}
