import { tables } from '../infra/tables';
import { readConfig } from './lib/config';
import { OrderNotFound } from './lib/errors';
import { idempotentStep } from './lib/idempotency';
import { logger } from './lib/logger';
import type { CaughtError, OrderStatus } from './lib/order';
import { isOrderStatus, timelineNote } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import type { TaskEvent } from './lib/task';
import { taskHandler } from './lib/task';

const config = readConfig({ ordersTableName: tables.orders.env, idempotencyTableName: tables.idempotency.env });
const orders = new OrderRepository(config.ordersTableName);

interface SetOrderStatusEvent extends TaskEvent {
  status: OrderStatus;
  reason?: string;
  /** Set by Mark Order Failed: the error that sent the order down the compensation path. */
  failure?: CaughtError;
}

const setStatus = idempotentStep(
  async (key: { orderId: string; status: OrderStatus }, note: string | undefined) => {
    const result = await orders.setStatus(key.orderId, key.status, new Date().toISOString(), note);
    if (result === 'missing') throw new OrderNotFound(`Order ${key.orderId} does not exist`);
    return { result };
  },
  { tableName: config.idempotencyTableName, step: 'set-order-status' },
);

/** Complete Order, Mark Order Cancelled/Failed, Close Order As Delivered Unconfirmed, Cancel Unfulfilled Order. */
export const handler = taskHandler<SetOrderStatusEvent>(async (event, context) => {
  if (!isOrderStatus(event.status)) throw new Error(`Unknown order status ${JSON.stringify(event.status)}`);
  setStatus.registerContext(context);
  const { result } = await setStatus.run({ orderId: event.orderId, status: event.status }, timelineNote(event));
  logger.info('Order status set', { status: event.status, result });
});
