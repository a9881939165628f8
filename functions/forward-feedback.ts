import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { feedbackNotice } from './lib/feedback-notice';
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
export const handler = partnerNoticeTask(feedbackNotice({ ...config, orders: new OrderRepository(config.ordersTableName) }));
