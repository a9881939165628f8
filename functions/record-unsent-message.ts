import { tables } from '../infra/tables';
import { whyNotPlaced } from './lib/cake-maker-request';
import { readConfig } from './lib/config';
import { OrderNotFound } from './lib/errors';
import { logger } from './lib/logger';
import { isUnsentMessage, type UnsentMessage } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import type { TaskEvent } from './lib/task';
import { taskHandler } from './lib/task';

const config = readConfig({ ordersTableName: tables.orders.env });
const orders = new OrderRepository(config.ordersTableName);

interface RecordUnsentMessageEvent extends TaskEvent {
  message: UnsentMessage;
  /** Set by Keep Waiting For Cake Maker, which waits on it where Remind Cake Maker would have. */
  taskToken?: string;
}

/**
 * Record Order Confirmation Not Sent, Keep Waiting For Cake Maker, Record Feedback Not Forwarded: the workflow gave
 * up on a message that does not decide the order's fate. The order notes it for ops to re-send, and goes on.
 */
export const handler = taskHandler<RecordUnsentMessageEvent>(async (event) => {
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
