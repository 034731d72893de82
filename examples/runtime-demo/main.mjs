// A small order service traced by hand with @spanfn/tracing, the way the Babel plugin will emit
// it: sync helpers (thread spans), async handlers with concurrency (async spans with parents),
// a thrown-and-caught error, and a worker thread. Writes a Chrome trace and prints a summary.
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import {
  begin, beginAsync, end, endAsync, fail, registerSpans, resume, suspend,
} from "@spanfn/tracing";
import { install } from "@spanfn/tracing/node";
import { summarize } from "./summary.mjs";

const out = process.argv[2] ?? fileURLToPath(new URL("../out/runtime-demo-trace.json", import.meta.url));
install({ out, processName: "runtime-demo", onExit: () => summarize(out) });

const [validate, price, loadOrder, handle, chargeCard] = (() => {
  const first = registerSpans("examples/runtime-demo/main", "examples/runtime-demo/main.mjs", [
    ["validate", 30], ["price", 38], ["OrderRepo.load", 46], ["handleOrder", 60], ["chargeCard", 80],
  ]);
  return [0, 1, 2, 3, 4].map((i) => first + i);
})();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function validateOrder(order) {
  const t = begin(validate);
  try {
    if (order.items.length === 0) throw new Error(`order ${order.id} is empty`);
    return order;
  } finally {
    end(t);
  }
}

function priceOrder(order) {
  const t = begin(price);
  try {
    let total = 0;
    for (const item of order.items) for (let i = 0; i < 20_000; i++) total += (item.price * (i % 3)) / 20_000;
    return Math.round(total * 100) / 100;
  } finally {
    end(t);
  }
}

async function load(id) {
  const span = beginAsync(loadOrder);
  try {
    resume(span, await suspend(span, sleep(5 + (id % 4) * 3)));
    return { id, items: id % 5 === 0 ? [] : [{ price: 10 + id }, { price: 3 }] };
  } catch (error) { fail(span); throw error; } finally { endAsync(span); }
}

async function charge(amount) {
  const span = beginAsync(chargeCard);
  try {
    resume(span, await suspend(span, sleep(8)));
    return { amount, ok: true };
  } catch (error) { fail(span); throw error; } finally { endAsync(span); }
}

async function handleOrder(id) {
  const span = beginAsync(handle);
  try {
    try {
      const order = validateOrder(resume(span, await suspend(span, load(id))));
      return resume(span, await suspend(span, charge(priceOrder(order))));
    } catch (error) {
      resume(span);
      return { id, rejected: error.message };
    }
  } catch (error) { fail(span); throw error; } finally { endAsync(span); }
}

const results = await Promise.all([1, 2, 3, 4, 5, 6].map(handleOrder));
const worker = new Worker(new URL("./report-worker.mjs", import.meta.url), { workerData: { orders: results.length } });
await new Promise((resolve, reject) => worker.on("exit", resolve).on("error", reject));
await sleep(20);
console.log(`handled ${results.length} orders (${results.filter((r) => r.rejected).length} rejected); trace: ${out}`);
