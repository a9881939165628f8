import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { feedbackEmail } from './lib/emails';
import { OrderRepository } from './lib/order-repository';
import { partnerNoticeTask } from './lib/partner-notice';

const config = readConfig(
  {
    ordersTableName: tables.orders.env,
    idempotencyTableName: tables.idempotency.env,
    senderEmail: settings.senderEmail.env,
    customerServiceEmail: settings.customerServiceEmail.env,
  },
  { customerServiceWebhookUrl: settings.customerServiceWebhookUrl.env, webhookSecretArn: commonEnv.webhookSecretArn },
);

/** Forward Feedback: the rating and comment stored at delivery confirmation go to customer service. */
export const handler = partnerNoticeTask({
  event: 'feedback',
  step: 'forward-feedback',
  orders: new OrderRepository(config.ordersTableName),
  idempotencyTableName: config.idempotencyTableName,
  senderEmail: config.senderEmail,
  partnerEmail: config.customerServiceEmail,
  webhookUrl: config.customerServiceWebhookUrl,
  webhookSecretArn: config.webhookSecretArn,
  webhookFields: (order) => ({ deliveredAt: order.deliveredAt ?? null, rating: order.rating ?? null, comment: order.comment ?? null }),
  email: feedbackEmail,
});
