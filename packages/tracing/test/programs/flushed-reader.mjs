// Run with --expose-gc --stress-flush-code: V8 drops the bytecode of the runtime's promise-state
// reader between uses, as it does in a long program, and compiles it again at its next call.
import { begin, endReturn, registerSpans, InMemorySink, setSink, flush } from "@spanfn/tracing";

const sink = new InMemorySink();
setSink(sink);
const site = registerSpans("programs/flushed-reader", "flushed-reader.mjs", [["returns", 1]]);

/** What the plugin emits for a function whose promise static detection missed. */
function returns(value) {
  const t = begin(site);
  let r;
  try {
    return (r = value);
  } finally {
    endReturn(t, r);
  }
}

const rounds = [];
for (let round = 0; round < 3; round++) {
  for (let i = 0; i < 6; i++) globalThis.gc();
  const settledAlready = returns(Promise.resolve(round));
  let fail;
  const later = returns(new Promise((_, reject) => (fail = reject)));
  later.catch(() => {});
  await settledAlready;
  await new Promise((r) => setTimeout(r, 5));
  fail(new Error("later"));
  await later.catch(() => {});
  await new Promise((r) => setTimeout(r, 5));
  flush();
  rounds.push(sink.events().filter((e) => e.kind === "async-end").map((e) => e.outcome));
  sink.clear();
}
let nativesOff = false;
try {
  new Function("p", "return %PromiseStatus(p) // a text of its own: V8 caches compiled functions by source");
} catch (error) {
  nativesOff = error instanceof SyntaxError;
}
console.log(JSON.stringify({ rounds, nativesOff }));
