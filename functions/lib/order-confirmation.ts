import type { Mailer } from './email';
import { orderReceivedEmail, statusUrl } from './emails';
import { idempotentStep } from './idempotency';
import { issueLink } from './issue-link';
import type { Order } from './order';
import type { OrderRepository } from './order-repository';

export interface OrderConfirmationDependencies {
  orders: OrderRepository;
  mailer: Mailer;
  publicBaseUrl: string;
  idempotencyTableName: string;
}

/**
 * The customer's "order received" email with the cancel link, once per order. Send Order Confirmation and an ops
 * re-send share this step's idempotency records, so between them the customer gets it exactly once.
 */
export function orderConfirmationStep(deps: OrderConfirmationDependencies) {
  return idempotentStep(
    async (key: { orderId: string }, order: Order) => {
      const cancelUrl = await issueLink(deps.orders, deps.publicBaseUrl, key.orderId, 'cancel');
      await deps.mailer.send(order.email, orderReceivedEmail(order, cancelUrl, statusUrl(deps.publicBaseUrl, key.orderId)));
      return { emailed: true };
    },
    { tableName: deps.idempotencyTableName, step: 'send-order-confirmation' },
  );
}
