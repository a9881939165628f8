import type { Context } from 'aws-lambda';
import { orderEventTypes, type OrderEventType } from '../infra/order-events';
import { tables } from '../infra/tables';
import { asWorkflowError } from './lib/aws-errors';
import { commonEnv, readConfig } from './lib/config';
import { OrderNotFound } from './lib/errors';
import { logger, startInvocationLog } from './lib/logger';
import { isOrderId } from './lib/order';
import { publishOrderEvent } from './lib/order-event-publisher';
import { OrderRepository } from './lib/order-repository';
import { loadOrder } from './lib/task';

const config = readConfig({ ordersTableName: tables.orders.env, orderEventBusArn: commonEnv.orderEventBusArn });
const orders = new OrderRepository(config.ordersTableName);

export interface RepublishOrderEventRequest {
  orderId: string;
  eventType: OrderEventType;
}

export interface RepublishOrderEventResult {
  orderId: string;
  eventType: OrderEventType;
  /**
   * `published` now; `notUnpublished` when the order does not list it (a repeat: nothing is published);
   * `notRecorded` when the order lists it without the detail the workflow built, so it cannot be the same event.
   */
  outcome: 'published' | 'notUnpublished' | 'notRecorded';
}

const isOrderEventType = (value: unknown): value is OrderEventType => typeof value === 'string' && (orderEventTypes as string[]).includes(value);

/**
 * Ops re-publish an order event the workflow recorded as not published: the very detail the Publish state built
 * (same eventId, sequence and occurredAt), so a consumer that did get it after all drops the copy on eventId.
 */
export const handler = async (event: RepublishOrderEventRequest, context?: Context): Promise<RepublishOrderEventResult> => {
  startInvocationLog(context, { orderId: event.orderId });
  if (!isOrderId(event.orderId)) throw new OrderNotFound('The request has no valid orderId');
  if (!isOrderEventType(event.eventType)) throw new Error(`Unknown eventType ${JSON.stringify(event.eventType)}`);
  const { orderId, eventType } = event;
  const result = (outcome: RepublishOrderEventResult['outcome']) => {
    logger.info('Unpublished event handled', { eventType, outcome });
    return { orderId, eventType, outcome };
  };
  try {
    const order = await loadOrder(orders, orderId);
    if (!order.unpublishedEvents?.has(eventType)) return result('notUnpublished');
    const detail = order.unpublishedEventDetails?.[eventType];
    if (detail === undefined) return result('notRecorded');
    await publishOrderEvent(config.orderEventBusArn, eventType, detail);
    return result((await orders.clearUnpublished(orderId, eventType)) ? 'published' : 'notUnpublished');
  } catch (error) {
    throw asWorkflowError(error, 'A service the re-publish needs');
  }
};
