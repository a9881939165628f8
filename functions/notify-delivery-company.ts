import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { deliveryRequestEmail } from './lib/emails';
import { OrderRepository } from './lib/order-repository';
import { partnerNoticeTask } from './lib/partner-notice';

const config = readConfig(
  {
    ordersTableName: tables.orders.env,
    idempotencyTableName: tables.idempotency.env,
    senderEmail: settings.senderEmail.env,
    deliveryEmail: settings.deliveryEmail.env,
  },
  { deliveryWebhookUrl: settings.deliveryWebhookUrl.env, webhookSecretArn: commonEnv.webhookSecretArn },
);

/** Notify Delivery Company: by signed webhook when DELIVERY_WEBHOOK_URL is set, otherwise by email. */
export const handler = partnerNoticeTask({
  event: 'readyForCollection',
  step: 'notify-delivery-company',
  orders: new OrderRepository(config.ordersTableName),
  idempotencyTableName: config.idempotencyTableName,
  senderEmail: config.senderEmail,
  partnerEmail: config.deliveryEmail,
  webhookUrl: config.deliveryWebhookUrl,
  webhookSecretArn: config.webhookSecretArn,
  webhookFields: (order) => ({ quantity: order.quantity, message: order.message ?? null, deliveryAddress: order.address }),
  email: deliveryRequestEmail,
});
