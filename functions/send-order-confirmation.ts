import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { orderConfirmationStep } from './lib/order-confirmation';
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
const emailCustomer = orderConfirmationStep({
  orders,
  mailer: new Mailer(config.senderEmail),
  publicBaseUrl: config.publicBaseUrl,
  idempotencyTableName: config.idempotencyTableName,
});

/** Send Order Confirmation: the customer's "order received" email with the cancel link. */
export const handler = taskHandler<TaskEvent>(async (event, context) => {
  emailCustomer.registerContext(context);
  await emailCustomer.run({ orderId: event.orderId }, await loadOrder(orders, event.orderId));
});
