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
  // The worker records in its own runtime and hands its events over when asked.
  const worker = new Worker(new URL("./web-worker.ts", import.meta.url), { type: "module" });
  const ask = (question: string) =>
    new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (message) => resolve(message.data);
      worker.onerror = (error) => reject(new Error(`the worker failed: ${error.message}`));
      worker.postMessage(question);
    });
  const rendered = (await ask("w")) as string;
  const workerEvents = await ask("events");
  worker.terminate();
  flush();
  return { cached, stored, total, caught, rendered, events: sink.events(), workerEvents };
}

(window as unknown as { spanfnResult: Promise<unknown> }).spanfnResult = main();
