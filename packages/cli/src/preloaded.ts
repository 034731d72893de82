/**
 * Whether spanfn's preload has run in this thread, on the global object: `spanfn run` runs the
 * program in its own process only when it has not (a preload given in NODE_OPTIONS runs in the
 * `spanfn` process itself, before the command line's options are known).
 */
const PRELOADED = Symbol.for("spanfn.cli.preloaded");

export function markPreloaded(): void {
  (globalThis as Record<symbol, unknown>)[PRELOADED] = true;
}

export function preloaded(): boolean {
  return (globalThis as Record<symbol, unknown>)[PRELOADED] === true;
}
