// Worker threads created inside traced functions: one by a sync function, one by an async
// function that awaits the worker's answer.
import { once } from "node:events";
import { Worker } from "node:worker_threads";

function spin(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function startCounter() {
  const worker = new Worker(new URL("./worker.mjs", import.meta.url), { workerData: 3 });
  spin(1);
  return worker;
}

async function askWorker() {
  const worker = new Worker(new URL("./worker.mjs", import.meta.url), { workerData: 4 });
  const [answer] = await once(worker, "message");
  await once(worker, "exit");
  return answer;
}

async function main() {
  const first = startCounter();
  const [counted] = await once(first, "message");
  await once(first, "exit");
  console.log(counted, await askWorker());
}

await main();
