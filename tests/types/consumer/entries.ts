// The public API as a consumer uses it; every entry point of every package is imported by the
// generated all-entries.ts beside this file.
import { defineSpan, instrumentPromise, threadSpan, InMemorySink, setSink, flush } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";
import spanfnPlugin, { type SpanFnPluginOptions } from "@spanfn/babel-plugin";
import { installOtel } from "@spanfn/otel";

const site = defineSpan("fetch user");

// A promise in, a promise out: Promise's own members (finally, catch) stay available.
export const user: Promise<string> = instrumentPromise(Promise.resolve("ada"), site);
export const done: Promise<void> = instrumentPromise(fetchLike(), site).finally(() => {});
// A thenable that is not a promise comes back as what it was.
const thenable: PromiseLike<number> = { then: (resolve) => Promise.resolve(1).then(resolve) };
export const some: PromiseLike<number> = instrumentPromise(thenable, site);

export const sum: number = threadSpan(site, () => 1 + 1);

const sink = new InMemorySink();
setSink(sink);
flush();

export const options: SpanFnPluginOptions = { instrument: "all", exclude: ["**/*.test.ts"] };
export const babelPlugins: unknown[] = [[spanfnPlugin, options]];

export function start(): void {
  install({ out: "trace.json" });
  installOtel({ serviceName: "consumer" });
}

async function fetchLike(): Promise<void> {}
