// The ESM and CommonJS builds loaded side by side must record into one stream.
import { createRequire } from "node:module";
import * as esm from "@spanfn/tracing";

const cjs = createRequire(import.meta.url)("@spanfn/tracing");
const sink = new esm.InMemorySink();
esm.setSink(sink);
const s = esm.registerSpans("programs/dual", "dual.mjs", [["esm begins", 1]]);
const t = esm.begin(s);
const span = cjs.beginAsync(cjs.registerSpans("programs/dual", "dual.mjs", [["cjs async", 2]]));
const sameCurrent = esm.currentSpanId() === cjs.currentSpanId() && esm.currentSpanId() !== 0;
cjs.endAsync(span);
cjs.end(t);
cjs.flush();
console.log(JSON.stringify({ sameCurrent, cjsIsCjs: esm.begin !== cjs.begin, events: sink.events().map((e) => `${e.kind}:${e.name}`) }));
