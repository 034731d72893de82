import type { Order, OrderRepository, PaymentGateway, Receipt } from "./model.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const ORDERS: Record<string, Order> = {
  "A-1": { id: "A-1", customer: "ada", items: [{ sku: "lamp", quantity: 2 }, { sku: "cable", quantity: 5 }] },
  "A-2": { id: "A-2", customer: "grace", items: [{ sku: "desk", quantity: 1 }] },
  "A-3": { id: "A-3", customer: "linus", items: [] },
  "A-4": { id: "A-4", customer: "barbara", items: [{ sku: "chair", quantity: 4 }] },
};

/**
 * No `async` keyword anywhere: each method returns a promise it builds itself, the shape that
 * fooled micromegas' span_fn. The return types route them to async spans.
 */
export class InMemoryOrders implements OrderRepository {
  readonly saved: Receipt[] = [];

  load(id: string): Promise<Order> {
    const order = ORDERS[id];
    return sleep(4 + id.charCodeAt(2) % 3).then(() => {
      if (!order) throw new Error(`no order ${id}`);
      return order;
    });
  }

  save(receipt: Receipt): Promise<void> {
    this.saved.push(receipt);
    return sleep(2);
  }
}

export class FakeGateway implements PaymentGateway {
  async charge(customer: string, amount: number): Promise<boolean> {
    await sleep(6);
    return amount < 500 || customer === "grace";
  }
}
