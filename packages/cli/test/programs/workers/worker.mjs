// A worker's own spans: count is its root span, square runs inside it.
import { parentPort, workerData } from "node:worker_threads";

function square(i) {
  return i * i;
}

function count(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += square(i);
  return sum;
}

parentPort.postMessage(count(workerData));
