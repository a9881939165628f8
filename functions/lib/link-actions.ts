import { isTransientError } from './aws-errors';
import type { Context } from 'aws-lambda';
import { idempotentStep } from './idempotency';
import { matchesLinkCode } from './link-codes';
import { logger } from './logger';
import type { LinkStep, Order, OrderStatus, OrderSummary } from './order';
import { codeHashField, summariseOrder } from './order';
import type { OrderRepository } from './order-repository';
import type { LinkActionInput } from './validation';
import type { OrderWorkflow } from './workflow';
import { isStaleTaskToken } from './workflow';

interface StepRules {
  from: OrderStatus;
  to: OrderStatus;
  /** Statuses in which this step has already happened, so a repeated request only reports the state. */
  alreadyDone: readonly OrderStatus[];
  note: string;
}

export const stepRules: Record<LinkStep, StepRules> = {
  fulfil: {
    from: 'PLACED',
    to: 'FULFILLED',
    alreadyDone: ['FULFILLED', 'OUT_FOR_DELIVERY', 'DELIVERED', 'COMPLETED', 'DELIVERED_UNCONFIRMED'],
    note: 'The cake maker marked the cake ready.',
  },
  cancel: { from: 'PLACED', to: 'CANCELLED', alreadyDone: ['CANCELLED'], note: 'Cancelled by the customer.' },
  delivered: { from: 'OUT_FOR_DELIVERY', to: 'DELIVERED', alreadyDone: ['DELIVERED', 'COMPLETED'], note: 'The customer confirmed delivery.' },
};

export type LinkCheck =
  | { outcome: 'notFound' }
  | { outcome: 'wrongCode' }
  | { outcome: 'alreadyDone'; order: Order }
  | { outcome: 'notPossible'; order: Order; expired: boolean }
  | { outcome: 'ready'; order: Order };

export type LinkActionResult =
  | Exclude<LinkCheck, { outcome: 'ready' }>
  | { outcome: 'done'; summary: OrderSummary }
  | { outcome: 'inProgress'; order: Order }
  | { outcome: 'unavailable' };

function classify(step: LinkStep, order: Order): LinkCheck {
  const rules = stepRules[step];
  if (rules.alreadyDone.includes(order.status)) return { outcome: 'alreadyDone', order };
  if (order.status === rules.from) return { outcome: 'ready', order };
  const expired =
    (step === 'delivered' && order.status === 'DELIVERED_UNCONFIRMED') ||
    (step === 'fulfil' && order.status === 'CANCELLED' && order.cancelledAt === undefined);
  return { outcome: 'notPossible', order, expired };
}

/** Order lookup, then the code, then the status: a wrong code learns nothing about the order's state. */
export async function checkLink(orders: OrderRepository, step: LinkStep, orderId: string, code: string): Promise<LinkCheck> {
  const order = await orders.get(orderId);
  if (!order) return { outcome: 'notFound' };
  if (!matchesLinkCode(code, order[codeHashField[step]])) return { outcome: 'wrongCode' };
  return classify(step, order);
}

/** Another request changed the order between our read and our conditional write. */
class LostRace extends Error {
  override name = 'LostRace';
}

/** The workflow could not be told, and the status change was undone. */
class WorkflowNotTold extends Error {
  override name = 'WorkflowNotTold';
}

export interface LinkActionDependencies {
  orders: OrderRepository;
  workflow: OrderWorkflow;
  idempotencyTableName: string;
}

export interface LinkAction {
  perform: (input: LinkActionInput) => Promise<LinkActionResult>;
  registerContext: (context: Context | undefined) => void;
}

/**
 * One link step (fulfil, cancel, confirm delivery). Only the state change after the code check is
 * idempotent: a cached answer must never stand in for a later request's own code check.
 */
export function createLinkAction(step: LinkStep, deps: LinkActionDependencies): LinkAction {
  const rules = stepRules[step];

  async function tellWorkflow(changed: Order, at: string, input: LinkActionInput): Promise<void> {
    if (step === 'fulfil') {
      if (!changed.fulfilTaskToken) throw new Error('The workflow has not asked the cake maker yet');
      await deps.workflow.succeedTask(changed.fulfilTaskToken, { fulfilledAt: at });
    } else if (step === 'delivered') {
      if (!changed.deliveryTaskToken) throw new Error('The workflow is not waiting for delivery confirmation');
      await deps.workflow.succeedTask(changed.deliveryTaskToken, {
        deliveredAt: at,
        ...(input.rating !== undefined ? { rating: input.rating } : {}),
        ...(input.comment !== undefined ? { comment: input.comment } : {}),
      });
    } else if (changed.fulfilTaskToken) {
      await deps.workflow.failTask(changed.fulfilTaskToken, 'OrderCancelled', 'The customer cancelled the order.');
    }
  }

  const changeStatus = idempotentStep(
    async (key: { orderId: string; step: LinkStep }, before: Order, input: LinkActionInput): Promise<OrderSummary> => {
      const at = new Date().toISOString();
      const extra =
        step === 'fulfil'
          ? { fulfilledAt: at }
          : step === 'cancel'
            ? { cancelledAt: at }
            : { deliveredAt: at, rating: input.rating, comment: input.comment };
      const changed = await deps.orders.transition(key.orderId, { from: [rules.from], to: rules.to, at, note: rules.note, set: extra });
      if (!changed) throw new LostRace();
      try {
        await tellWorkflow(changed, at, input);
      } catch (error) {
        // A cancel only needs the status write once the task behind the stored token has ended: the next
        // callback task stores its token only while the order is PLACED, and throws OrderCancelled.
        if (step === 'cancel' && isStaleTaskToken(error)) {
          logger.info('Cancelled while the workflow was between cake maker tasks', { step });
          return summariseOrder(changed);
        }
        const undone = await deps.orders.undoTransition(changed, rules.from, before.updatedAt, Object.keys(extra));
        logger.warn('Could not tell the workflow; status change undone', {
          step,
          undone,
          error: error instanceof Error ? error.name : 'unknown',
        });
        throw new WorkflowNotTold();
      }
      logger.info('Order status changed by link', { step, status: changed.status });
      return summariseOrder(changed);
    },
    { tableName: deps.idempotencyTableName, step: `link-${step}`, expiresAfterSeconds: 3600 },
  );

  async function perform(input: LinkActionInput): Promise<LinkActionResult> {
    const check = await checkLink(deps.orders, step, input.orderId, input.code);
    if (check.outcome !== 'ready') return check;
    try {
      const summary = await changeStatus.run({ orderId: input.orderId, step }, check.order, input);
      return { outcome: 'done', summary };
    } catch (error) {
      if (error instanceof LostRace || (error instanceof Error && error.name === 'IdempotencyAlreadyInProgressError')) {
        const latest = await deps.orders.get(input.orderId);
        if (!latest) return { outcome: 'notFound' };
        const now = classify(step, latest);
        // Still in the starting status: a concurrent identical request holds the change and is finishing it.
        return now.outcome === 'ready' ? { outcome: 'inProgress', order: latest } : now;
      }
      if (error instanceof WorkflowNotTold || isTransientError(error)) return { outcome: 'unavailable' };
      throw error;
    }
  }

  return { perform, registerContext: changeStatus.registerContext };
}
