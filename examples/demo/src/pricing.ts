import type { Order } from "./model.js";

const PRICES: Record<string, number> = { lamp: 35.5, cable: 4.25, desk: 420, chair: 89 };

function unitPrice(sku: string): number {
  const price = PRICES[sku];
  if (price === undefined) throw new Error(`unknown sku ${sku}`);
  return price;
}

export function validate(order: Order): Order {
  if (order.items.length === 0) throw new Error(`order ${order.id} is empty`);
  return order;
}

export function total(order: Order): number {
  let sum = 0;
  for (const item of order.items) sum += unitPrice(item.sku) * item.quantity;
  // A little real work, so the thread spans have a width worth seeing.
  let noise = 0;
  for (let i = 0; i < 200_000; i++) noise = (noise + i * sum) % 1_000_003;
  return Math.round(sum * 100) / 100 + (noise < 0 ? 1 : 0);
}
