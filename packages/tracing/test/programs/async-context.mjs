// argv[2] = "als": full propagation through AsyncLocalStorage; else the default mode.
import { beginAsync, currentSpanId, endAsync, flush, InMemorySink, registerSpans, resume, setSink, suspend } from "@spanfn/tracing";
import { enableAsyncContext } from "@spanfn/tracing/node";

if (process.argv[2] === "als") enableAsyncContext();
const sink = new InMemorySink();
setSink(sink);
const s = registerSpans("programs/als", "async-context.mjs", [["handler", 1], ["from timer", 2], ["from then", 3], ["after", 4]]);

// The parent a span recorded, read back from the trace by the span's id.
function parentOf(id) {
  flush();
  return sink.events().find((e) => e.kind === "async-begin" && e.spanId === id).parentId;
}

function child(meta) {
  const span = beginAsync(meta);
  const id = currentSpanId();
  endAsync(span);
  return parentOf(id);
}

async function handler() {
  const span = beginAsync(s);
  const id = currentSpanId();
  try {
    const fromTimer = new Promise((r) => setTimeout(() => r(child(s + 1)), 1));
    const fromThen = Promise.resolve().then(() => child(s + 2));
    const parents = resume(span, await suspend(span, Promise.all([fromTimer, fromThen])));
    return { id, parents };
  } finally {
    endAsync(span);
  }
}

const { id, parents } = await handler();
const after = child(s + 3);
console.log(JSON.stringify({ id, parents, after }));
