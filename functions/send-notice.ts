import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { isNotice, noticeStep, type Notice } from './lib/notices';
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
const sendNotice = noticeStep({ mailer: new Mailer(config.senderEmail), cakeMakerEmail: config.cakeMakerEmail, idempotencyTableName: config.idempotencyTableName });

interface SendNoticeEvent extends TaskEvent {
  notice: Notice;
}

/** Tell Cake Maker Order Cancelled, Confirm Cancellation To Customer, Tell Customer Order Cancelled, Tell Customer Order Failed. */
export const handler = taskHandler<SendNoticeEvent>(async (event, context) => {
  if (!isNotice(event.notice)) throw new Error(`Unknown notice ${JSON.stringify(event.notice)}`);
  sendNotice.registerContext(context);
  await sendNotice.run({ orderId: event.orderId, notice: event.notice }, await loadOrder(orders, event.orderId));
});
