// The ESM and CommonJS builds loaded in one process share every piece of runtime state: what one
// starts or records, the other sees, stops and finishes. Each check does a thing through one
// build and looks at its effect through the other.
import { createRequire } from "node:module";
import { setTimeout as delay } from "node:timers/promises";
import * as esm from "@spanfn/tracing";
import * as esmNode from "@spanfn/tracing/node";

const require = createRequire(import.meta.url);
const cjs = require("@spanfn/tracing");
const cjsNode = require("@spanfn/tracing/node");
const result = { cjsIsCjs: esm.begin !== cjs.begin && esm.setFlushInterval !== cjs.setFlushInterval };

// The state object itself: one, under the one key both builds attach to.
result.oneState = Object.getOwnPropertySymbols(globalThis).filter((key) => key.description?.startsWith("spanfn.runtime")).length === 1;

class KeepingSink {
  blocks = [];
  block(block) {
    this.blocks.push(block);
  }
}
const sites = esm.registerSpans("programs/dual-state", "dual-state.mjs", [["timed", 1], ["outer", 2], ["inner", 3], ["shared", 4]]);
const [timed, outer, inner, shared] = [sites, sites + 1, sites + 2, sites + 3];

// The flush timer: started through ESM, stopped through CommonJS; nothing is flushed after.
const timerSink = new KeepingSink();
cjs.setSink(timerSink);
esm.setFlushInterval(20);
cjs.setFlushInterval(0);
esm.end(esm.begin(timed));
await delay(120);
result.timerStopped = timerSink.blocks.length === 0;
cjs.flush();
result.timedRecorded = timerSink.blocks.length === 1;

// Shared buffers: a block shared through ESM and handed back through CommonJS is not reused,
// so what another sink still holds is not overwritten by the next block. (Blocks of one size
// from the start, so a buffer handed back fits the next block.)
const sharedSink = new KeepingSink();
esm.configure({ blockSlots: 256, sink: sharedSink });
esm.end(esm.begin(shared));
esm.flush();
const first = sharedSink.blocks[0];
const before = Array.from(first.data.subarray(0, first.length));
esm.share(first);
cjs.recycle(first);
for (let i = 0; i < 3; i++) {
  esm.end(esm.begin(shared));
  esm.end(esm.begin(shared));
  cjs.flush();
}
result.sharedKept =
  sharedSink.blocks.length === 4 &&
  sharedSink.blocks.slice(1).every((block) => block.data !== first.data) &&
  Array.from(first.data.subarray(0, first.length)).join() === before.join();

// The AsyncLocalStorage mode: enabled through ESM, seen through CommonJS; a span entered through
// ESM and left through CommonJS hands "current" back to the span it was entered from.
esmNode.enableAsyncContext();
result.asyncContextSeen = cjsNode.asyncContextEnabled();
const a = esm.beginAsync(outer);
const outerId = esm.currentSpanId();
const b = esm.beginAsync(inner);
cjs.suspend(b, undefined);
result.currentAfterSuspend = cjs.currentSpanId() === outerId && outerId !== 0 ? "outer" : cjs.currentSpanId();
cjs.endAsync(b);
esm.endAsync(a);
cjsNode.disableAsyncContext();
result.asyncContextOff = !esmNode.asyncContextEnabled();

// Exit hooks: installed through ESM, removed through CommonJS.
const exitListeners = process.listenerCount("exit");
esmNode.installExitHooks(() => {});
const installed = process.listenerCount("exit") === exitListeners + 1;
cjsNode.uninstallExitHooks();
result.exitHooksRemoved = installed && process.listenerCount("exit") === exitListeners;

console.log(JSON.stringify(result));
