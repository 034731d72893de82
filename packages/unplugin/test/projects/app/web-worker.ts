// The page's Web Worker: instrumented work in a runtime of its own, recorded into its own sink;
// the page asks for the result, then for the worker's events.
import { InMemorySink, flush, setSink } from "@spanfn/tracing";
import type { Store } from "./contracts";
import { later } from "./backend";

const sink = new InMemorySink();
setSink(sink);

class Shelf implements Store {
  /** @spanFn */
  load(key) {
    return later(20, `shelf:${key}`);
  }
}

/** @spanFn */
function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** @spanFn */
async function handle(key: string): Promise<string> {
  const loaded = await new Shelf().load(key);
  return `${loaded}=${sum([1, 2, 3])}`;
}

self.onmessage = async (message: MessageEvent<string>) => {
  if (message.data === "events") {
    flush();
    self.postMessage(sink.events());
  } else {
    self.postMessage(await handle(message.data));
  }
};
