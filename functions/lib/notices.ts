import type { EmailMessage, Mailer } from './email';
import { cancellationConfirmedEmail, cancelledByCustomerEmail, cancelledUnfulfilledEmail, orderFailedEmail } from './emails';
import { idempotentStep } from './idempotency';
import type { Order } from './order';

export interface NoticeDependencies {
  mailer: Mailer;
  cakeMakerEmail: string;
  idempotencyTableName: string;
}

const noticeNames = ['cancelledByCustomer', 'cancellationConfirmed', 'cancelledUnfulfilled', 'orderFailed'] as const;
export type Notice = (typeof noticeNames)[number];

export function isNotice(value: unknown): value is Notice {
  return typeof value === 'string' && (noticeNames as readonly string[]).includes(value);
}

/**
 * One email that tells someone where an order ended, keyed by order and notice. Send Notice and the ops re-send
 * both run this step, so they share its idempotency record: a notice that did go out is not sent twice.
 */
export function noticeStep(deps: NoticeDependencies) {
  const notices: Record<Notice, (order: Order) => { to: string; message: EmailMessage }> = {
    cancelledByCustomer: (order) => ({ to: deps.cakeMakerEmail, message: cancelledByCustomerEmail(order) }),
    cancellationConfirmed: (order) => ({ to: order.email, message: cancellationConfirmedEmail(order) }),
    cancelledUnfulfilled: (order) => ({ to: order.email, message: cancelledUnfulfilledEmail(order) }),
    orderFailed: (order) => ({ to: order.email, message: orderFailedEmail(order) }),
  };
  return idempotentStep(
    async (key: { orderId: string; notice: Notice }, order: Order) => {
      const { to, message } = notices[key.notice](order);
      await deps.mailer.send(to, message);
      return { emailed: true };
    },
    { tableName: deps.idempotencyTableName, step: 'send-notice' },
  );
}
