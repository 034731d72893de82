// The plugin's generated code (bench/generated.mjs compiles bench/subjects/ at the start of a
// run): sync, nested, disabled and level-filtered thread spans, async functions, and functions
// without `async` returning promises, each with the runtime as a program gets it from `install`.
import { configure, flush, NullSink, setSink } from "@spanfn/tracing";
import { enableAsyncContext, useExactSettlement } from "@spanfn/tracing/node";
import { asyncLoop, main, syncLoop } from "../harness.mjs";

const subjects = await import("../.generated/spans.mjs").catch((error) => {
  throw new Error(`bench/.generated/spans.mjs is missing: bench/run.mjs compiles it (${error.message})`);
});
const { syncSpan, asyncSpan, promiseFn, hiddenPromiseFn, nested0, bareSync } = subjects;

// Discards full blocks, so recording runs at full cost while memory stays bounded. The measured
// functions are hot and tiny: demotion is off except in the case that measures it.
setSink(new NullSink());
configure({ demote: false });
// What `install()` sets up under Node: exact settlement, proxy-safe promise test.
useExactSettlement(true);

const cases = {
  "gen-bare-sync-call": { iterations: 20_000_000, loop: syncLoop(bareSync) },
  "gen-thread-span": { iterations: 1_000_000, loop: syncLoop(syncSpan) },
  "gen-nested-10": { iterations: 100_000, ops: 10, loop: syncLoop(nested0) },
  "gen-disabled": {
    iterations: 20_000_000,
    setup: () => configure({ enabled: false }),
    loop: syncLoop(syncSpan),
  },
  "gen-level-filtered": {
    iterations: 20_000_000,
    // Spans are "info" by default; "warn" filters them all out.
    setup: () => configure({ maxLevel: "warn" }),
    loop: syncLoop(syncSpan),
  },
  // The same function once demoted to a counter (hot and tiny): what all-mode pays per call of
  // such functions after their first thousand calls.
  "gen-demoted": {
    iterations: 20_000_000,
    setup() {
      configure({ demote: { after: 1000 } });
      syncLoop(syncSpan)(5000);
      flush();
    },
    loop: syncLoop(syncSpan),
  },
  "gen-async-span": { iterations: 300_000, loop: asyncLoop(asyncSpan) },
  "gen-async-span-als": {
    iterations: 300_000,
    setup: () => enableAsyncContext(),
    loop: asyncLoop(asyncSpan),
  },
  "gen-promise-fn-exact": { iterations: 300_000, loop: asyncLoop(promiseFn) },
  "gen-promise-fn-reaction": {
    iterations: 300_000,
    setup: () => useExactSettlement(false),
    loop: asyncLoop(promiseFn),
  },
  "gen-hidden-promise-exact": { iterations: 300_000, loop: asyncLoop(hiddenPromiseFn) },
  "gen-hidden-promise-reaction": {
    iterations: 300_000,
    setup: () => useExactSettlement(false),
    loop: asyncLoop(hiddenPromiseFn),
  },
};

await main(cases);
