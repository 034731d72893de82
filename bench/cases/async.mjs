// Async spans: the generated shape of an instrumented `async function`, and `instrumentPromise`,
// each against the same code without spanfn. Every call is awaited before the next starts, so a
// sample is the latency of one call, not the throughput of many in flight.
import {
  beginAsync,
  endAsync,
  fail,
  instrumentPromise,
  NullSink,
  registerSpans,
  resume,
  setSink,
  suspend,
} from "@spanfn/tracing";
import { main, work } from "../harness.mjs";

// Discards full blocks, so recording runs at full cost while memory stays bounded.
setSink(new NullSink());

const FIRST = registerSpans("bench/async", "bench/cases/async.mjs", [
  ["traced", 1],
  ["produce", 2],
]);
const TRACED = FIRST;
const PRODUCE = FIRST + 1;

const READY = Promise.resolve(1);

// The baseline for async-span is the same body, await included, so the ratio isolates what the
// span adds rather than what the await costs.
async function bare(x) {
  const v = await READY;
  return work(x + v);
}

// The shape the Babel plugin generates for an `async function`.
async function traced(x) {
  const s = beginAsync(TRACED);
  try {
    const v = resume(s, await suspend(s, READY));
    return work(x + v);
  } catch (e) {
    fail(s);
    throw e;
  } finally {
    endAsync(s);
  }
}

function produce(x) {
  return Promise.resolve(work(x));
}

const cases = {
  "bare-async-call": {
    iterations: 300_000,
    async loop(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc = (acc + (await bare(i))) | 0;
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
