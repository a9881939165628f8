import type { EmailMessage } from './email';
import { Mailer } from './email';
import { idempotentStep } from './idempotency';
import type { Order } from './order';
import { cakeName } from './order';
import type { OrderRepository } from './order-repository';
import type { TaskEvent } from './task';
import { loadOrder, taskHandler } from './task';
import { WebhookSender } from './webhook';

export interface PartnerNotice {
  /** Names the step in idempotency keys and the webhook event, e.g. `readyForCollection`. */
  event: string;
  step: string;
  orders: OrderRepository;
  idempotencyTableName: string;
  senderEmail: string;
  partnerEmail: string;
  /** When set, the partner gets a signed JSON POST instead of the email. */
  webhookUrl: string;
  webhookSecretArn: string;
  webhookFields: (order: Order) => Record<string, unknown>;
  email: (order: Order) => EmailMessage;
}

/**
 * A workflow task that tells a partner (the delivery company, customer service) about an order, once per order:
 * by signed webhook when the partner has a URL configured, otherwise by email.
 */
export function partnerNoticeTask(notice: PartnerNotice) {
  const tell = partnerNoticeStep(notice);
  return taskHandler<TaskEvent>(async (event, context) => {
    tell.registerContext(context);
    await tell.run({ orderId: event.orderId }, await loadOrder(notice.orders, event.orderId));
  });
}

/** Tells the partner once per order; the workflow task and an ops re-send share its idempotency records. */
export function partnerNoticeStep(notice: PartnerNotice) {
  const mailer = new Mailer(notice.senderEmail);
  const webhook = new WebhookSender(notice.webhookSecretArn);
  return idempotentStep(
    async (key: { orderId: string }, order: Order) => {
      if (notice.webhookUrl) {
        await webhook.post(notice.webhookUrl, {
          type: `order.${notice.event}`,
          eventId: `${key.orderId}.${notice.event}`,
          sentAt: new Date().toISOString(),
          orderId: key.orderId,
          cake: { productId: order.productId, name: cakeName(order.productId) },
          customerName: order.name,
          ...notice.webhookFields(order),
        });
        return { sentBy: 'webhook' };
      }
      await mailer.send(notice.partnerEmail, notice.email(order));
      return { sentBy: 'email' };
    },
    { tableName: notice.idempotencyTableName, step: notice.step },
  );
}
