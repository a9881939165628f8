import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { orderReceivedEmail, statusUrl } from './lib/emails';
import { idempotentStep } from './lib/idempotency';
import { issueLink } from './lib/issue-link';
import type { Order } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import type { TaskEvent } from './lib/task';
import { loadOrder, taskHandler } from './lib/task';

const config = readConfig({
  ordersTableName: tables.orders.env,
  idempotencyTableName: tables.idempotency.env,
  publicBaseUrl: commonEnv.publicBaseUrl,
  senderEmail: settings.senderEmail.env,
});
const orders = new OrderRepository(config.ordersTableName);
const mailer = new Mailer(config.senderEmail);

const emailCustomer = idempotentStep(
  async (key: { orderId: string }, order: Order) => {
    const cancelUrl = await issueLink(orders, config.publicBaseUrl, key.orderId, 'cancel');
    await mailer.send(order.email, orderReceivedEmail(order, cancelUrl, statusUrl(config.publicBaseUrl, key.orderId)));
    return { emailed: true };
  },
  { tableName: config.idempotencyTableName, step: 'send-order-confirmation' },
);

/** Send Order Confirmation: the customer's "order received" email with the cancel link. */
export const handler = taskHandler<TaskEvent>(async (event, context) => {
  emailCustomer.registerContext(context);
  await emailCustomer.run({ orderId: event.orderId }, await loadOrder(orders, event.orderId));
});
