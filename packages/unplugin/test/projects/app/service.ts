import type { Store } from "./contracts";
import { later } from "./backend";

interface Cache {
  get(key: string): Promise<string | undefined>;
}

export class MemoryCache implements Cache {
  private readonly backend = { read: (key: string) => later(20, key.toUpperCase()) };

  /** @spanFn */
  get(key) {
    return this.backend.read(key);
  }
}

export class DiskStore implements Store {
  private readonly backend = { read: (key: string) => later(20, `disk:${key}`) };

  /** @spanFn */
  load(key) {
    return this.backend.read(key);
  }
}

/** @spanFn */
export function price(quantity: number, unit: number): number {
  return quantity * unit;
}

/** @spanFn */
export async function validate(order: string): Promise<void> {
  if (order === "") throw new Error("empty order");
}
