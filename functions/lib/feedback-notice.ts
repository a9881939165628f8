import { feedbackEmail } from './emails';
import type { OrderRepository } from './order-repository';
import type { PartnerNotice } from './partner-notice';

export interface FeedbackNoticeConfig {
  orders: OrderRepository;
  idempotencyTableName: string;
  senderEmail: string;
  customerServiceEmail: string;
  customerServiceWebhookUrl: string;
  webhookSecretArn: string;
}

/** The rating and comment stored at delivery confirmation, as customer service gets them: Forward Feedback and ops re-sends. */
export function feedbackNotice(config: FeedbackNoticeConfig): PartnerNotice {
  return {
    event: 'feedback',
    step: 'forward-feedback',
    orders: config.orders,
    idempotencyTableName: config.idempotencyTableName,
    senderEmail: config.senderEmail,
    partnerEmail: config.customerServiceEmail,
    webhookUrl: config.customerServiceWebhookUrl,
    webhookSecretArn: config.webhookSecretArn,
    webhookFields: (order) => ({ deliveredAt: order.deliveredAt ?? null, rating: order.rating ?? null, comment: order.comment ?? null }),
    email: feedbackEmail,
  };
}
