import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { feedbackEmail } from './lib/emails';
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
    customerServiceEmail: settings.customerServiceEmail.env,
  },
  { customerServiceWebhookUrl: settings.customerServiceWebhookUrl.env, webhookSecretArn: commonEnv.webhookSecretArn },
);
const orders = new OrderRepository(config.ordersTableName);
const mailer = new Mailer(config.senderEmail);
const webhook = new WebhookSender(config.webhookSecretArn);

const forward = idempotentStep(
  async (key: { orderId: string }, order: Order) => {
    if (config.customerServiceWebhookUrl) {
      await webhook.post(config.customerServiceWebhookUrl, {
        type: 'order.feedback',
        eventId: `${key.orderId}.feedback`,
        sentAt: new Date().toISOString(),
        orderId: key.orderId,
        cake: { productId: order.productId, name: cakeName(order.productId) },
        customerName: order.name,
        deliveredAt: order.deliveredAt ?? null,
        rating: order.rating ?? null,
        comment: order.comment ?? null,
      });
      return { forwardedBy: 'webhook' };
    }
    await mailer.send(config.customerServiceEmail, feedbackEmail(order));
    return { forwardedBy: 'email' };
  },
  { tableName: config.idempotencyTableName, step: 'forward-feedback' },
);

/** Forward Feedback: the rating and comment stored at delivery confirmation go to customer service. */
export const handler = taskHandler<TaskEvent>(async (event, context) => {
  forward.registerContext(context);
  await forward.run({ orderId: event.orderId }, await loadOrder(orders, event.orderId));
});
