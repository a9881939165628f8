import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { onItsWayEmail } from './lib/emails';
import { OrderNotFound, OrderStateConflict } from './lib/errors';
import { idempotentStep } from './lib/idempotency';
import { issueLink } from './lib/issue-link';
import type { Order } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import type { CallbackTaskEvent } from './lib/task';
import { requireTaskToken, taskHandler } from './lib/task';

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
    const deliveredUrl = await issueLink(orders, config.publicBaseUrl, key.orderId, 'delivered');
    await mailer.send(order.email, onItsWayEmail(order, deliveredUrl));
    return { emailed: true };
  },
  { tableName: config.idempotencyTableName, step: 'await-delivery-confirmation' },
);

/**
 * Await Delivery Confirmation: FULFILLED -> OUT_FOR_DELIVERY with the token in the same write. A retried
 * attempt finds the order already out for delivery and only replaces the token.
 */
export const handler = taskHandler<CallbackTaskEvent>(async (event, context) => {
  emailCustomer.registerContext(context);
  const taskToken = requireTaskToken(event);
  const order =
    (await orders.transition(event.orderId, {
      from: ['FULFILLED'],
      to: 'OUT_FOR_DELIVERY',
      at: new Date().toISOString(),
      note: 'The delivery company is bringing the cake.',
      set: { deliveryTaskToken: taskToken },
    })) ?? (await orders.storeTaskToken(event.orderId, 'deliveryTaskToken', taskToken, ['OUT_FOR_DELIVERY']));
  if (!order) {
    const current = await orders.get(event.orderId);
    if (!current) throw new OrderNotFound(`Order ${event.orderId} does not exist`);
    throw new OrderStateConflict(`The order is ${current.status}, so it cannot go out for delivery`);
  }
  await emailCustomer.run({ orderId: event.orderId }, order);
});
