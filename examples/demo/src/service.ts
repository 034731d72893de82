import type { OrderRepository, PaymentGateway, Receipt } from "./model.js";
import { total, validate } from "./pricing.js";

export class CheckoutService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly payments: PaymentGateway,
  ) {}

  async checkout(id: string): Promise<Receipt | { orderId: string; error: string }> {
    try {
      const order = validate(await this.orders.load(id));
      const amount = total(order);
      const charged = await this.payments.charge(order.customer, amount);
      const receipt = { orderId: id, total: amount, charged };
      await this.orders.save(receipt);
      return receipt;
    } catch (error) {
      return { orderId: id, error: (error as Error).message };
    }
  }

  async checkoutAll(ids: string[]) {
    return Promise.all(ids.map((id) => this.checkout(id)));
  }
}
