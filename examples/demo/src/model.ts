export interface Order {
  id: string;
  customer: string;
  items: Array<{ sku: string; quantity: number }>;
}

export interface Receipt {
  orderId: string;
  total: number;
  charged: boolean;
}

/** The contract the service depends on: every method returns a promise. */
export interface OrderRepository {
  load(id: string): Promise<Order>;
  save(receipt: Receipt): Promise<void>;
}

export interface PaymentGateway {
  charge(customer: string, amount: number): Promise<boolean>;
}
