// The ESM and CommonJS builds loaded side by side must record into one stream.
import { createRequire } from "node:module";
import * as esm from "@spanfn/tracing";
import * as esmNode from "@spanfn/tracing/node";

const require = createRequire(import.meta.url);
const cjs = require("@spanfn/tracing");
const cjsNode = require("@spanfn/tracing/node");
const importedCjs = await import(require.resolve("@spanfn/tracing"));
const importedCjsNode = await import(require.resolve("@spanfn/tracing/node"));

// Generated code compiled to CommonJS reads `_spanfn.beginGated` and the like at every span: a
// getter there (TypeScript's re-export) would be a call each time.
const accessors = (entry) => Object.keys(entry).filter((key) => Object.getOwnPropertyDescriptor(entry, key).get !== undefined);
const sameKeys = (a, b) => JSON.stringify(Object.keys(a).sort()) === JSON.stringify(Object.keys(b).sort());
const shape = {
  accessors: [...accessors(cjs), ...accessors(cjsNode)],
  esModule: cjs.__esModule === true && cjsNode.__esModule === true,
  // Frozen: measured here, loads from the plain copy cost more until it was (real workload, all-mode).
  frozen: Object.isFrozen(cjs) && Object.isFrozen(cjsNode),
  sameKeys: sameKeys(esm, cjs) && sameKeys(esmNode, cjsNode),
  // What `spanfn run` does for ESM programs: import the CommonJS build, whose names Node finds
  // by scanning its source.
  importedNames: Object.keys(esm).every((key) => key in importedCjs) && Object.keys(esmNode).every((key) => key in importedCjsNode),
};
const sink = new esm.InMemorySink();
esm.setSink(sink);
const s = esm.registerSpans("programs/dual", "dual.mjs", [["esm begins", 1]]);
const t = esm.begin(s);
const span = cjs.beginAsync(cjs.registerSpans("programs/dual", "dual.mjs", [["cjs async", 2]]));
const sameCurrent = esm.currentSpanId() === cjs.currentSpanId() && esm.currentSpanId() !== 0;
cjs.endAsync(span);
cjs.end(t);
cjs.flush();
console.log(JSON.stringify({ ...shape, sameCurrent, cjsIsCjs: esm.begin !== cjs.begin, events: sink.events().map((e) => `${e.kind}:${e.name}`) }));
