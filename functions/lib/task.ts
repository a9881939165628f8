import type { Context } from 'aws-lambda';
import { asWorkflowError } from './aws-errors';
import { OrderNotFound } from './errors';
import { logger, startInvocationLog } from './logger';
import type { Order } from './order';
import { isOrderId } from './order';
import type { OrderRepository } from './order-repository';

/** What every task of statemachines/order.asl.json receives in its Payload. */
export interface TaskEvent {
  orderId: string;
  executionName?: string;
  executionArn?: string;
}

export interface CallbackTaskEvent extends TaskEvent {
  taskToken: string;
}

/**
 * Wraps a workflow task: log keys for the order, and errors named so the ASL can Retry and Catch them.
 * Passing failures become DependencyUnavailable; the workflow's own errors keep their names.
 */
export function taskHandler<E extends TaskEvent>(run: (event: E, context?: Context) => Promise<void>) {
  return async (event: E, context?: Context): Promise<void> => {
    startInvocationLog(context, { orderId: event.orderId, executionName: event.executionName, executionArn: event.executionArn });
    if (!isOrderId(event.orderId)) throw new OrderNotFound('The task payload has no valid orderId');
    try {
      await run(event, context);
    } catch (error) {
      const named = asWorkflowError(error, 'A service the task needs');
      logger.warn('Task failed', { error: named instanceof Error ? named.name : 'unknown' });
      throw named;
    }
    logger.info('Task done');
  };
}

export async function loadOrder(orders: OrderRepository, orderId: string): Promise<Order> {
  const order = await orders.get(orderId);
  if (!order) throw new OrderNotFound(`Order ${orderId} does not exist`);
  return order;
}

export function requireTaskToken(event: Partial<CallbackTaskEvent>): string {
  if (typeof event.taskToken !== 'string' || event.taskToken === '') {
    throw new Error('The task payload has no taskToken; this task must run as a waitForTaskToken callback');
  }
  return event.taskToken;
}
