import { DependencyUnavailable, OrderCancelled, OrderNotFound, OrderStateConflict } from './errors';
import type { Mailer } from './email';
import { cakeMakerRequestEmail } from './emails';
import { idempotentStep } from './idempotency';
import { issueLink } from './issue-link';
import type { Order } from './order';
import type { OrderRepository } from './order-repository';
import type { CallbackTaskEvent } from './task';
import { requireTaskToken, taskHandler } from './task';

export interface CakeMakerRequestDependencies {
  orders: OrderRepository;
  mailer: Mailer;
  cakeMakerEmail: string;
  publicBaseUrl: string;
  idempotencyTableName: string;
}

/**
 * The cake maker's email with a new fulfil link, once per step and order. Remind Cake Maker and an ops re-send of
 * the reminder share the idempotency records, so between them the cake maker is reminded exactly once.
 */
export function cakeMakerEmailStep(kind: 'ask' | 'remind', deps: CakeMakerRequestDependencies) {
  return idempotentStep(
    async (key: { orderId: string }, order: Order) => {
      const fulfilUrl = await issueLink(deps.orders, deps.publicBaseUrl, key.orderId, 'fulfil');
      await deps.mailer.send(deps.cakeMakerEmail, cakeMakerRequestEmail(order, fulfilUrl, kind === 'remind'));
      return { emailed: true };
    },
    { tableName: deps.idempotencyTableName, step: kind === 'ask' ? 'ask-cake-maker' : 'remind-cake-maker' },
  );
}

/**
 * Ask Cake Maker and Remind Cake Maker. The token is stored on every attempt, because each attempt has a
 * new one; the email, with a new fulfil code, goes out once per step.
 */
export function cakeMakerRequestHandler(kind: 'ask' | 'remind', deps: CakeMakerRequestDependencies) {
  const emailCakeMaker = cakeMakerEmailStep(kind, deps);
  return taskHandler<CallbackTaskEvent>(async (event, context) => {
    emailCakeMaker.registerContext(context);
    const order = await deps.orders.storeTaskToken(event.orderId, 'fulfilTaskToken', requireTaskToken(event), ['PLACED']);
    if (!order) throw await whyNotPlaced(deps.orders, event.orderId);
    await emailCakeMaker.run({ orderId: event.orderId }, order);
  });
}

/** Why the order is not waiting for the cake maker, as the error the workflow acts on. */
export async function whyNotPlaced(orders: OrderRepository, orderId: string): Promise<Error> {
  const current = await orders.get(orderId);
  if (!current) return new OrderNotFound(`Order ${orderId} does not exist`);
  if (current.status === 'CANCELLED') return new OrderCancelled('The customer cancelled the order before the cake maker confirmed it.');
  // FULFILLED while this task runs means a fulfil with an older token is being undone; try again shortly.
  if (current.status === 'FULFILLED') return new DependencyUnavailable('A fulfilment with an older link is being settled');
  return new OrderStateConflict(`The order is ${current.status}, so the cake maker cannot be asked`);
}
