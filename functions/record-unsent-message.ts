import { tables } from '../infra/tables';
import { whyNotPlaced } from './lib/cake-maker-request';
import { readConfig } from './lib/config';
import { OrderNotFound } from './lib/errors';
import { logger } from './lib/logger';
import { orderEventTypes } from '../infra/order-events';
import { isUnsentMessage, type OrderEventDetail, type UnsentMessage } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import type { TaskEvent } from './lib/task';
import { taskHandler } from './lib/task';

const config = readConfig({ ordersTableName: tables.orders.env });
const orders = new OrderRepository(config.ordersTableName);

interface RecordUnsentMessageEvent extends TaskEvent {
  message?: UnsentMessage;
  /** Set by the Record … Not Published states instead of `message`: the detail types not published. */
  unpublishedEvents?: string[];
  /** With `unpublishedEvents`: each event's detail as the Publish state built it, so ops can re-publish the same event. */
  details?: Record<string, OrderEventDetail>;
  /** Set by Keep Waiting For Cake Maker, which waits on it where Remind Cake Maker would have. */
  taskToken?: string;
}

/**
 * Record Order Confirmation Not Sent, Keep Waiting For Cake Maker, Record Feedback Not Forwarded: the workflow gave
 * up on a message that does not decide the order's fate. The order notes it for ops to re-send, and goes on.
 * The Record … Not Published states note the domain events the workflow could not publish in the same way.
 */
export const handler = taskHandler<RecordUnsentMessageEvent>(async (event) => {
  if (event.unpublishedEvents !== undefined) {
    const unknown = event.unpublishedEvents.filter((type) => !(orderEventTypes as string[]).includes(type));
    if (event.unpublishedEvents.length === 0 || unknown.length > 0) throw new Error(`Unknown event types ${JSON.stringify(unknown)}`);
    const details = event.details ?? {};
    const types = event.unpublishedEvents;
    const stray = Object.keys(details).filter((type) => !types.includes(type));
    if (stray.length > 0) throw new Error(`Details of events not listed as unpublished: ${JSON.stringify(stray)}`);
    if (!(await orders.recordUnpublished(event.orderId, event.unpublishedEvents, details))) throw new OrderNotFound(`Order ${event.orderId} does not exist`);
    logger.warn('Events not published; recorded on the order for ops', { unpublishedEvents: event.unpublishedEvents });
    return;
  }
  if (!isUnsentMessage(event.message)) throw new Error(`Unknown message ${JSON.stringify(event.message)}`);
  if (event.taskToken !== undefined) {
    const waiting = await orders.storeTaskToken(event.orderId, 'fulfilTaskToken', event.taskToken, ['PLACED']);
    if (!waiting) throw await whyNotPlaced(orders, event.orderId);
  }
  if (!(await orders.recordUnsent(event.orderId, event.message, new Date().toISOString()))) {
    throw new OrderNotFound(`Order ${event.orderId} does not exist`);
  }
  logger.warn('Message not sent; recorded on the order for ops to re-send', { message: event.message });
});
