// Async spans: the generated shape of an instrumented `async function`, and `instrumentPromise`,
// each against the same code without spanfn. Every call is awaited before the next starts, so a
// sample is the latency of one call, not the throughput of many in flight.
import {
  beginAsync,
  configure,
  endAsync,
  fail,
  instrumentPromise,
  NullSink,
  registerSpans,
  resume,
  setSink,
  suspend,
} from "@spanfn/tracing";
import { enableAsyncContext, useExactSettlement } from "@spanfn/tracing/node";
import { main, work } from "../harness.mjs";

// Discards full blocks, so recording runs at full cost while memory stays bounded. The measured
// function is hot and tiny, so demotion (a counter instead of spans) is off: these cases time spans.
setSink(new NullSink());
configure({ demote: false });

const FIRST = registerSpans("bench/async", "bench/cases/async.mjs", [
  ["traced", 1],
  ["produce", 2],
  ["pending", 3],
]);
const TRACED = FIRST;
const PRODUCE = FIRST + 1;
const PENDING = FIRST + 2;

const READY = Promise.resolve(1);
const identity = (v) => v;

// The baseline for async-span is the same body, await included, so the ratio isolates what the
// span adds rather than what the await costs.
async function bare(x) {
  const v = await READY;
  return work(x + v);
}

// The floor of an async span: the same body with two clock reads and two stores around it, the
// end in its own `finally`, as in the sync floor (cases/sync.mjs).
const perf = performance;
const FLOOR_SLOTS = 1 << 14;
const floorBuffer = new Float64Array(FLOOR_SLOTS);
let floorPosition = 0;

async function floorAsync(x) {
  const p = floorPosition;
  floorPosition = (p + 2) & (FLOOR_SLOTS - 1);
  floorBuffer[p] = perf.now();
  try {
    const v = await READY;
    return work(x + v);
  } finally {
    floorBuffer[p + 1] = perf.now();
  }
}

// The shape the Babel plugin generates for an `async function`.
async function traced(x) {
  const s = beginAsync(TRACED);
  let r;
  try {
    const v = resume(s, await suspend(s, READY));
    return (r = work(x + v));
  } catch (e) {
    fail(s);
    throw e;
  } finally {
    endAsync(s, r);
  }
}

function produce(x) {
  return Promise.resolve(work(x));
}

// A function without `async` that returns a promise still pending at return: the case the
// plugin gives an async span ending at settlement (detect.ts "promise" route).
function pending(x) {
  return READY.then(() => work(x));
}

// By hand: an async span whose end waits for the returned promise to settle, the code the plugin
// generates for a function returning a promise it did not make. For a `.then` the function
// makes, as here, the plugin calls chainThen instead (gen-promise-fn-* in cases/generated.mjs):
// these cases time the settlement modes.
function pendingTraced(x) {
  const s = beginAsync(PENDING);
  let r;
  try {
    return (r = READY.then(() => work(x)));
  } catch (e) {
    fail(s);
    throw e;
  } finally {
    endAsync(s, r);
  }
}

async function loopPending(n, fn) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + (await fn(i))) | 0;
  return acc;
}

const cases = {
  "promise-fn": { iterations: 300_000, loop: (n) => loopPending(n, pending) },
  // The same with one more `.then` reaction on the returned promise: what one reaction costs.
  "promise-fn-then": { iterations: 300_000, loop: (n) => loopPending(n, (x) => pending(x).then(identity)) },
  // Node's default: v8.promiseHooks, registered only while a tracked promise is pending.
  "promise-span-exact": { iterations: 300_000, loop: (n) => loopPending(n, pendingTraced) },
  // Outside Node: one reaction through the intrinsic `then` (marks the promise handled).
  "promise-span-reaction": {
    iterations: 300_000,
    loop(n) {
      useExactSettlement(false);
      return loopPending(n, pendingTraced);
    },
  },
  "bare-async-call": {
    iterations: 300_000,
    async loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await bare(i))) | 0;
      return acc;
    },
  },
  "floor-async": {
    iterations: 300_000,
    async loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await floorAsync(i))) | 0;
      return acc;
    },
  },
  "async-span": {
    iterations: 300_000,
    async loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await traced(i))) | 0;
      return acc;
    },
  },
  // The opt-in full-propagation mode: the current span also lives in an AsyncLocalStorage.
  "async-span-als": {
    iterations: 300_000,
    async loop(n) {
      enableAsyncContext();
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await traced(i))) | 0;
      return acc;
    },
  },
  // What ALS mode does to code that records nothing, once a span has entered the storage:
  // Node's async-context cost on every promise of the process.
  "bare-async-call-als": {
    iterations: 300_000,
    async loop(n) {
      enableAsyncContext();
      await traced(0);
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await bare(i))) | 0;
      return acc;
    },
  },
  "instrument-promise": {
    iterations: 300_000,
    async loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await instrumentPromise(produce(i), PRODUCE))) | 0;
      return acc;
    },
  },
  // instrumentPromise costs at least one reaction on the promise; this is that reaction alone.
  "then-baseline": {
    iterations: 300_000,
    async loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await produce(i).then((v) => v))) | 0;
      return acc;
    },
  },
};

await main(cases);
