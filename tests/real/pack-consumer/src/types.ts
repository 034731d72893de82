// Not run: type-checked with tsc, importing every package as a consumer does (no @types/babel__core
// installed by the project itself).
import { instrumentPromise, defineSpan } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";
import spanfnPlugin, { type SpanFnPluginOptions } from "@spanfn/babel-plugin";
import { installOtel } from "@spanfn/otel";

export const options: SpanFnPluginOptions = { instrument: "all" };
export const plugins: unknown[] = [[spanfnPlugin, options]];
export const user: Promise<string> = instrumentPromise(Promise.resolve("ada"), defineSpan("user"));
export const start = (): void => {
  install({ out: "trace.json" });
  installOtel();
};
