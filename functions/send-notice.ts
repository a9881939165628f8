import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { readConfig } from './lib/config';
import { Mailer } from './lib/email';
import type { EmailMessage } from './lib/email';
import { cancelledByCustomerEmail, cancelledUnfulfilledEmail, orderFailedEmail } from './lib/emails';
import { idempotentStep } from './lib/idempotency';
import type { Order } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import type { TaskEvent } from './lib/task';
import { loadOrder, taskHandler } from './lib/task';

const config = readConfig({
  ordersTableName: tables.orders.env,
  idempotencyTableName: tables.idempotency.env,
  senderEmail: settings.senderEmail.env,
  cakeMakerEmail: settings.cakeMakerEmail.env,
});
const orders = new OrderRepository(config.ordersTableName);
const mailer = new Mailer(config.senderEmail);

const notices = {
  cancelledByCustomer: (order: Order) => ({ to: config.cakeMakerEmail, message: cancelledByCustomerEmail(order) }),
  cancelledUnfulfilled: (order: Order) => ({ to: order.email, message: cancelledUnfulfilledEmail(order) }),
  orderFailed: (order: Order) => ({ to: order.email, message: orderFailedEmail(order) }),
} satisfies Record<string, (order: Order) => { to: string; message: EmailMessage }>;

type Notice = keyof typeof notices;

interface SendNoticeEvent extends TaskEvent {
  notice: Notice;
}

function isNotice(value: unknown): value is Notice {
  return typeof value === 'string' && Object.hasOwn(notices, value);
}

const sendNotice = idempotentStep(
  async (key: { orderId: string; notice: Notice }, order: Order) => {
    const { to, message } = notices[key.notice](order);
    await mailer.send(to, message);
    return { emailed: true };
  },
  { tableName: config.idempotencyTableName, step: 'send-notice' },
);

/** Tell Cake Maker Order Cancelled, Tell Customer Order Cancelled, Tell Customer Order Failed. */
export const handler = taskHandler<SendNoticeEvent>(async (event, context) => {
  if (!isNotice(event.notice)) throw new Error(`Unknown notice ${JSON.stringify(event.notice)}`);
  sendNotice.registerContext(context);
  await sendNotice.run({ orderId: event.orderId, notice: event.notice }, await loadOrder(orders, event.orderId));
});
