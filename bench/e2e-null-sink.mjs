// For bench/e2e.mjs, as a preload after spanfn run's own: spans are recorded as spanfn run sets
// the runtime up, but into a NullSink, the floor the trace outputs are measured against. It
// imports spanfn run's preload first (the later --import of the same module is then a no-op),
// so its sink is the one left in place. The runtime is the copy the preload and the generated
// code use (the CommonJS build), so that this floor loads no copy the outputs do not.
import { createRequire } from "node:module";
import { isMainThread } from "node:worker_threads";

const { NullSink, setSink } = createRequire(import.meta.url)("@spanfn/tracing");

await import(new URL("../packages/cli/dist/esm/preload.js", import.meta.url).href);
if (isMainThread) setSink(new NullSink());
