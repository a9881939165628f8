import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { deliveryRequestEmail } from './lib/emails';
import { idempotentStep } from './lib/idempotency';
import type { Order } from './lib/order';
import { cakeName } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import type { TaskEvent } from './lib/task';
import { loadOrder, taskHandler } from './lib/task';
import { WebhookSender } from './lib/webhook';

const config = readConfig(
  {
    ordersTableName: tables.orders.env,
    idempotencyTableName: tables.idempotency.env,
    senderEmail: settings.senderEmail.env,
    deliveryEmail: settings.deliveryEmail.env,
  },
  { deliveryWebhookUrl: settings.deliveryWebhookUrl.env, webhookSecretArn: commonEnv.webhookSecretArn },
);
const orders = new OrderRepository(config.ordersTableName);
const mailer = new Mailer(config.senderEmail);
const webhook = new WebhookSender(config.webhookSecretArn);

const notify = idempotentStep(
  async (key: { orderId: string }, order: Order) => {
    if (config.deliveryWebhookUrl) {
      await webhook.post(config.deliveryWebhookUrl, {
        type: 'order.readyForCollection',
        eventId: `${key.orderId}.readyForCollection`,
        sentAt: new Date().toISOString(),
        orderId: key.orderId,
        cake: { productId: order.productId, name: cakeName(order.productId) },
        quantity: order.quantity,
        message: order.message ?? null,
        customerName: order.name,
        deliveryAddress: order.address,
      });
      return { notifiedBy: 'webhook' };
    }
    await mailer.send(config.deliveryEmail, deliveryRequestEmail(order));
    return { notifiedBy: 'email' };
  },
  { tableName: config.idempotencyTableName, step: 'notify-delivery-company' },
);

/** Notify Delivery Company: by signed webhook when DELIVERY_WEBHOOK_URL is set, otherwise by email. */
export const handler = taskHandler<TaskEvent>(async (event, context) => {
  notify.registerContext(context);
  await notify.run({ orderId: event.orderId }, await loadOrder(orders, event.orderId));
});
