import { randomUUID } from 'node:crypto';
import { statusUrl } from './emails';
import { idempotentStep } from './idempotency';
import { logger } from './logger';
import type { Order, OrderDetails } from './order';
import { cakeName } from './order';
import type { OrderRepository } from './order-repository';
import type { OrderWorkflow } from './workflow';
import { executionNameFor } from './workflow';

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

export function createOrderPlacement(deps: OrderPlacementDependencies) {
  async function place(details: OrderDetails): Promise<PlacedOrder> {
    const orderId = randomUUID();
    const createdAt = new Date().toISOString();
    const executionArn = deps.workflow.executionArnFor(orderId);
    const order: Order = {
      orderId,
      status: 'PLACED',
      createdAt,
      updatedAt: createdAt,
      timeline: [{ status: 'PLACED', at: createdAt }],
      executionArn,
      ...details,
    };
    logger.appendKeys({ orderId, executionName: executionNameFor(orderId), executionArn });
    try {
      await deps.orders.create(order);
    } catch (error) {
      logger.error('Could not store the order', { error: error instanceof Error ? error.name : 'unknown' });
      throw new PlacementFailed();
    }
    try {
      await deps.workflow.start(orderId);
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
  const placeOnce = idempotentStep(async (request: { idempotencyKey: string; order: OrderDetails }) => place(request.order), {
    tableName: deps.idempotencyTableName,
    step: 'place-order',
    eventKeyJmesPath: 'idempotencyKey',
    payloadValidationJmesPath: 'order',
  });

  return { place, placeOnce: placeOnce.run, registerContext: placeOnce.registerContext };
}
