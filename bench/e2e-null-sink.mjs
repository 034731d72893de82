// For bench/e2e.mjs, as a preload after spanfn run's own: spans are recorded as spanfn run sets
// the runtime up, but into a NullSink, the floor the trace outputs are measured against. It
// imports spanfn run's preload first (the later --import of the same module is then a no-op),
// so its sink is the one left in place.
import { NullSink, setSink } from "@spanfn/tracing";
import { isMainThread } from "node:worker_threads";

await import(new URL("../packages/cli/dist/esm/register.js", import.meta.url).href);
if (isMainThread) setSink(new NullSink());
