// The functions the generated-code cases call, as a user would write them. bench/generated.mjs
// compiles this file with the spanfn plugin (marked mode) at the start of a bench run, so the
// cases measure exactly what the plugin emits. Unmarked functions stay plain: `work` is the
// shared body, and the bare* ones are the baselines' code, compiled alongside.
import { later, work } from "./work.mjs";

const READY = Promise.resolve(1);

/** @spanFn */
export function syncSpan(x) {
  return work(x);
}

export function bareSync(x) {
  return work(x);
}

/** @spanFn */
export async function asyncSpan(x) {
  const v = await READY;
  return work(x + v);
}

export async function bareAsync(x) {
  const v = await READY;
  return work(x + v);
}

// Returns a pending promise without `async`: the plugin sees `.then` and gives it an async span
// from the call until the promise settles (the "promise" route).
/** @spanFn */
export function promiseFn(x) {
  return READY.then(() => work(x));
}

export function barePromiseFn(x) {
  return READY.then(() => work(x));
}

// The same, where nothing in the source says a promise comes back: a thread span whose end
// (`endReturn`) finds the promise returned at run time and starts the async span there (the
// runtime check).
/** @spanFn */
export function hiddenPromiseFn(x) {
  return later(x);
}

// Ten distinct sites, as ten functions calling each other would have.
/** @spanFn */
export function nested0(x) { return nested1(x); }
/** @spanFn */
function nested1(x) { return nested2(x); }
/** @spanFn */
function nested2(x) { return nested3(x); }
/** @spanFn */
function nested3(x) { return nested4(x); }
/** @spanFn */
function nested4(x) { return nested5(x); }
/** @spanFn */
function nested5(x) { return nested6(x); }
/** @spanFn */
function nested6(x) { return nested7(x); }
/** @spanFn */
function nested7(x) { return nested8(x); }
/** @spanFn */
function nested8(x) { return nested9(x); }
/** @spanFn */
function nested9(x) { return work(x); }
