// The app in the browser: records into memory, and hands the events to the test through `window`.
import { InMemorySink, flush, setSink } from "@spanfn/tracing";
import { DiskStore, MemoryCache, price, validate } from "./service";

const sink = new InMemorySink();
setSink(sink);

async function main() {
  const [cached, stored] = await Promise.all([new MemoryCache().get("a"), new DiskStore().load("b")]);
  const total = price(3, 7);
  let caught = "";
  try {
    await validate("");
  } catch (error) {
    caught = (error as Error).message;
  }
  flush();
  return { cached, stored, total, caught, events: sink.events() };
}

(window as unknown as { spanfnResult: Promise<unknown> }).spanfnResult = main();
