import { Worker } from "node:worker_threads";
import { FakeGateway, InMemoryOrders } from "./infrastructure.js";
import { CheckoutService } from "./service.js";

function renderInWorker(lines: unknown[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./report-worker.ts", import.meta.url), { workerData: lines });
    let report = "";
    worker.once("message", (text: string) => (report = text));
    worker.once("error", reject);
    worker.once("exit", () => resolve(report));
  });
}

export async function main(): Promise<void> {
  const service = new CheckoutService(new InMemoryOrders(), new FakeGateway());
  const results = await service.checkoutAll(["A-1", "A-2", "A-3", "A-4", "A-9"]);
  const report = await renderInWorker(results);
  process.stdout.write(`${report}\n`);
}
