// Functions returning a `then`/`catch` chain, as the plugin emits them (chainThen/chainCatch)
// and as written: Node must report the same unhandled rejections for both, and the spans must
// end with the outcomes of the promises returned.
import { beginAsync, chainCatch, chainNew, chainThen, endAsync, fail, flush, InMemorySink, registerSpans, setSink } from "@spanfn/tracing";

const sink = new InMemorySink();
setSink(sink);
const s = registerSpans("programs/chains", "chains.mjs", [["passes", 1], ["catches", 2], ["follows", 3], ["made", 4]]);
const reports = [];
process.on("unhandledRejection", (reason) => reports.push(reason.message));

const later = (error) => new Promise((_, reject) => setTimeout(() => reject(error), 1));

function traced(site, body) {
  const span = beginAsync(site);
  let returned;
  try {
    return (returned = body(span));
  } catch (error) {
    fail(span);
    throw error;
  } finally {
    endAsync(span, returned);
  }
}

const plain = {
  passes: (p) => p.then((v) => v),
  catches: (p) => p.catch(() => {
    throw new Error(`${tag(p)} rethrown`);
  }),
  follows: (p) => p.then(() => Promise.reject(new Error(`${tag(p)} inner`))),
  made: (name) => new Promise((_, reject) => setTimeout(() => reject(new Error(`${name} made`)), 1)),
};
const instrumented = {
  passes: (p) => traced(s, (span) => chainThen(span, p, p.then, "p.then", 1, (v) => v)),
  catches: (p) =>
    traced(s + 1, (span) =>
      chainCatch(span, p, p.catch, "p.catch", () => {
        throw new Error(`${tag(p)} rethrown`);
      }),
    ),
  follows: (p) => traced(s + 2, (span) => chainThen(span, p, p.then, "p.then", 1, () => Promise.reject(new Error(`${tag(p)} inner`)))),
  made: (name) => traced(s + 3, (span) => chainNew(span, Promise, (_, reject) => setTimeout(() => reject(new Error(`${name} made`)), 1))),
};
const tags = new WeakMap();
const tag = (p) => tags.get(p);
const source = (name, failing) => {
  const p = failing ? later(new Error(`${name} source`)) : new Promise((r) => setTimeout(r, 1));
  tags.set(p, name);
  return p;
};

for (const [kind, fns] of [["plain", plain], ["instrumented", instrumented]]) {
  fns.passes(source(`${kind} passes, left alone`, true));
  fns.passes(source(`${kind} passes, handled`, true)).catch(() => {});
  fns.catches(source(`${kind} catches, left alone`, true));
  fns.follows(source(`${kind} follows, left alone`, false));
  fns.follows(source(`${kind} follows, handled`, false)).catch(() => {});
  fns.made(`${kind} new Promise, left alone`);
  fns.made(`${kind} new Promise, handled`).catch(() => {});
}

setTimeout(() => {
  flush();
  const outcomes = sink.events().filter((e) => e.kind === "async-end").map((e) => `${e.name} ${e.outcome}`);
  console.log(JSON.stringify({ reports, outcomes }));
}, 30);
