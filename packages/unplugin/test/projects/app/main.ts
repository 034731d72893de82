// The bundled app: records through install(), starts a worker, and prints the trace's events.
import { InMemorySink, flush } from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { DiskStore, MemoryCache, price, validate } from "./service";

const sink = new InMemorySink();
install({ sink, flushIntervalMs: 0 });

async function main(): Promise<void> {
  const [cached, stored] = await Promise.all([new MemoryCache().get("a"), new DiskStore().load("b")]);
  const total = price(3, 7);
  let caught = "";
  try {
    await validate("");
  } catch (error) {
    caught = (error as Error).message;
  }
  // The worker's file is the bundle's other entry, named by the test.
  const worker = new Worker(process.argv[2]);
  const [rendered] = await once(worker, "message");
  await once(worker, "exit");
  flush();
  process.stdout.write(JSON.stringify({ cached, stored, total, caught, rendered, events: sink.events() }) + "\n");
}

main();
