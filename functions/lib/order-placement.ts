import { createHash, randomUUID } from 'node:crypto';
import { statusUrl } from './emails';
import { idempotentStep } from './idempotency';
import { logger } from './logger';
import type { Order, OrderDetails } from './order';
import { cakeName, executionNameFor } from './order';
import type { OrderRepository } from './order-repository';
import type { OrderWorkflow } from './workflow';

export interface PlacedOrder {
  orderId: string;
  status: 'PLACED';
  cake: { productId: string; name: string };
  quantity: number;
  createdAt: string;
  statusUrl: string;
}

/** Nothing was kept: the order was not stored, or was removed again because its workflow did not start. */
export class PlacementFailed extends Error {
  override name = 'PlacementFailed';
}

export interface OrderPlacementDependencies {
  orders: OrderRepository;
  workflow: OrderWorkflow;
  idempotencyTableName: string;
  publicBaseUrl: string;
}

/**
 * The order id for an order placed with an Idempotency-Key: derived from the key and the order, so a retry after a
 * crash mid-placement (when Powertools' in-progress record has expired) finds the order the first attempt stored
 * instead of making a second one. The order's details go into it so that knowing a key alone does not reveal an id.
 * Shaped as an RFC 9562 version 8 UUID.
 */
export function orderIdFor(idempotencyKey: string, details: OrderDetails): string {
  const hex = createHash('sha256').update(JSON.stringify(['cake-shop-order', idempotencyKey, details])).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function createOrderPlacement(deps: OrderPlacementDependencies) {
  /** Stores the order, or finds the one an interrupted attempt with the same id stored. */
  async function store(order: Order): Promise<Order> {
    try {
      await deps.orders.create(order);
      return order;
    } catch (error) {
      const existing = error instanceof Error && error.name === 'ConditionalCheckFailedException' ? await deps.orders.get(order.orderId).catch(() => undefined) : undefined;
      if (existing) return existing;
      logger.error('Could not store the order', { error: error instanceof Error ? error.name : 'unknown' });
      throw new PlacementFailed();
    }
  }

  async function place(details: OrderDetails, orderId: string = randomUUID()): Promise<PlacedOrder> {
    const now = new Date().toISOString();
    const executionArn = deps.workflow.executionArnFor(orderId);
    logger.appendKeys({ orderId, executionName: executionNameFor(orderId), executionArn });
    const { createdAt } = await store({
      orderId,
      status: 'PLACED',
      createdAt: now,
      updatedAt: now,
      timeline: [{ status: 'PLACED', at: now }],
      executionArn,
      ...details,
    });
    try {
      await deps.workflow.start(orderId, { productId: details.productId, quantity: details.quantity });
    } catch (error) {
      logger.error('Could not start the order workflow; removing the order', { error: error instanceof Error ? error.name : 'unknown' });
      await deps.orders.delete(orderId).catch((deleteError: unknown) =>
        logger.error('Could not remove the order without a workflow', {
          error: deleteError instanceof Error ? deleteError.name : 'unknown',
        }),
      );
      throw new PlacementFailed();
    }
    logger.info('Order placed', { productId: details.productId, quantity: details.quantity });
    return {
      orderId,
      status: 'PLACED',
      cake: { productId: details.productId, name: cakeName(details.productId) },
      quantity: details.quantity,
      createdAt,
      statusUrl: statusUrl(deps.publicBaseUrl, orderId),
    };
  }

  // A replay with the same Idempotency-Key returns the first answer; the same key with another order fails validation.
  const placeOnce = idempotentStep(async (request: { idempotencyKey: string; order: OrderDetails }) => place(request.order, orderIdFor(request.idempotencyKey, request.order)), {
    tableName: deps.idempotencyTableName,
    step: 'place-order',
    eventKeyJmesPath: 'idempotencyKey',
    payloadValidationJmesPath: 'order',
  });

  return { place, placeOnce: placeOnce.run, registerContext: placeOnce.registerContext };
}
