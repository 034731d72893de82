import { Keys, Level, MemoryStore, type Store } from "./store";

export interface Order {
  id: number;
  items: string[];
  level: Level;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Orders {
  constructor(private readonly store: Store<Order> = new MemoryStore<Order>(wait)) {}

  async save(order: Order): Promise<string> {
    const key = Keys.make("order", String(order.id));
    await this.store.put(key, order);
    return key;
  }

  load(id: number): Promise<Order | undefined> {
    return this.store.get(Keys.make("order", String(id)));
  }

  async total(ids: number[]): Promise<number> {
    let sum = 0;
    for (const order of await Promise.all(ids.map((id) => this.load(id)))) {
      sum += (order?.items.length ?? 0) * (order?.level ?? 0);
    }
    return sum;
  }
}

export async function* batches<T>(items: T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) {
    await wait(0);
    yield items.slice(i, i + size);
  }
}

export async function main(log: (line: string) => void): Promise<void> {
  const orders = new Orders();
  const keys = await Promise.all([1, 2, 3].map((id) => orders.save({ id, items: ["a", "b"].slice(0, id), level: id % 2 ? Level.Low : Level.High })));
  log(`saved ${keys.join(" ")}`);
  log(`total ${await orders.total([1, 2, 3, 4])}`);
  try {
    await new Orders(new MemoryStore<Order>(wait)).store_put_empty();
  } catch (error) {
    log(`error ${(error as Error).name}: ${(error as Error).message}`);
  }
  for await (const batch of batches([1, 2, 3, 4, 5], 2)) log(`batch ${batch.join(",")}`);
  const store = new MemoryStore<number>(wait);
  await store.put("b", 2);
  await store.put("a", 1);
  const it = store.keys();
  let step = it.next();
  while (!step.done) {
    log(`key ${step.value}`);
    step = it.next();
  }
  log(`size ${step.value}`);
}

declare module "./service" {
  interface Orders {
    store_put_empty(): Promise<void>;
  }
}
Orders.prototype.store_put_empty = function (this: Orders) {
  return (this as unknown as { store: Store<Order> }).store.put("", { id: 0, items: [], level: Level.Low });
};
