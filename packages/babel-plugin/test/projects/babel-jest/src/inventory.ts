export interface Stock {
  count(sku: string): Promise<number>;
}

export class Warehouse implements Stock {
  /** @spanFn */
  count(sku) {
    return new Promise<number>((resolve) => setTimeout(() => resolve(sku.length), 2));
  }
}

/** @spanFn */
export async function total(stock: Stock, skus: string[]): Promise<number> {
  const counts = await Promise.all(skus.map((sku) => stock.count(sku)));
  return sum(counts);
}

/** @spanFn "inventory.sum" */
function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
