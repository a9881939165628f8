import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from '../../infra/local/eventbridge';
import { orderEvents } from '../../infra/order-events';
import { opsRedrive } from '../steps/faults';
import { anOrderAwaitingTheCakeMaker, anOrderOnItsWay } from '../steps/given';
import { closeShop, localOnly, localPowers, openShop, type Shop } from '../steps/shop';
import { eventually, executionArnOf, theExecutionEnds, theWorkflowWaitsIn } from '../steps/then';
import { personFollowsLinkAndSubmits } from '../steps/when';
import { schemaErrors } from '../support/order-event-schemas';

jest.setTimeout(120_000);

let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

// The archive is how this test sees the bus: it keeps every event the bus accepted, and only the local stack lets a
// test read it.
const scenario = localOnly('reading the order events archive');

/** The events of one order on the order events bus, once `count` have arrived, in the order the bus took them. */
function eventsOfOrder(orderId: string, count: number, type?: string): Promise<EventBridgeEvent[]> {
  return eventually(
    `${count} ${type ?? ''} events of order ${orderId} on the bus`,
    async () => localPowers(shop).archivedEvents().filter((event) => event.detail.orderId === orderId && (type === undefined || event['detail-type'] === type)),
    (events) => events.length >= count,
  );
}

async function opsStop(orderId: string): Promise<void> {
  await shop.stepFunctions.send(new StopExecutionCommand({ executionArn: executionArnOf(shop, orderId), error: 'OpsStopped', cause: 'Stopped for a look at order data' }));
  expect((await theExecutionEnds(shop, orderId)).status).toBe('ABORTED');
}

describe("an order's domain events on the local bus", () => {
  scenario('a cake ordered, baked, delivered and rated publishes its events in order, each fitting its schema and carrying no personal data', async () => {
    // GIVEN an order of two carrot cakes on its way to the customer
    const order = await anOrderOnItsWay(shop, { productId: 'carrot-cake', quantity: 2, name: 'Ada Lovelace', address: '12 Analytical Row', message: 'Happy birthday, Charles!' });

    // WHEN the customer confirms delivery with a rating and a comment
    await personFollowsLinkAndSubmits(order.deliveredLink, { rating: '4', comment: 'Moist and spicy' });
    await theExecutionEnds(shop, order.orderId);

    // THEN the bus received the order's events, in the order of its life
    const events = await eventsOfOrder(order.orderId, 6);
    expect(events.map((event) => event['detail-type'])).toEqual(['OrderPlaced', 'CakeFulfilled', 'OrderOutForDelivery', 'OrderDelivered', 'FeedbackReceived', 'OrderCompleted']);
    const sequences = events.map((event) => event.detail.sequence as number);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    // AND each comes from the shop, names the order's execution, and fits its type's schema
    for (const event of events) {
      expect(event.source).toBe(orderEvents.source);
      expect(event.resources).toEqual(expect.arrayContaining([expect.stringContaining(`:execution:cake-shop-order:order-${order.orderId}`)]));
      expect({ type: event['detail-type'], errors: schemaErrors(event['detail-type'], event.detail) }).toEqual({ type: event['detail-type'], errors: [] });
      expect(event.detail.eventId).toBe(`${order.orderId}:${event['detail-type']}`);
    }
    expect(events[0].detail).toEqual(expect.objectContaining({ productId: 'carrot-cake', quantity: 2 }));
    expect(events[4].detail).toEqual(expect.objectContaining({ rating: 4 }));
    expect(events[5].detail).toEqual(expect.objectContaining({ outcome: 'delivered' }));
    // AND none carries the customer's name, email, address, message or comment, nor a link's code
    const text = JSON.stringify(events);
    for (const personal of ['Ada Lovelace', order.request.email, '12 Analytical Row', 'Happy birthday', 'Moist and spicy', new URL(order.deliveredLink).searchParams.get('code') ?? 'no code']) {
      expect(text).not.toContain(personal);
    }
  });

  scenario('a cancelled order publishes OrderCancelled with its reason, then OrderCompleted', async () => {
    // GIVEN an order waiting for the cake maker
    const order = await anOrderAwaitingTheCakeMaker(shop);

    // WHEN the customer cancels it
    await personFollowsLinkAndSubmits(order.cancelLink);
    await theExecutionEnds(shop, order.orderId);

    // THEN its events say so, each fitting its schema
    const events = await eventsOfOrder(order.orderId, 3);
    expect(events.map((event) => [event['detail-type'], event.detail.reason ?? event.detail.outcome ?? null])).toEqual([
      ['OrderPlaced', null],
      ['OrderCancelled', 'cancelledByCustomer'],
      ['OrderCompleted', 'cancelled'],
    ]);
    expect(events.flatMap((event) => schemaErrors(event['detail-type'], event.detail))).toEqual([]);
  });

  scenario('an order execution stopped by ops publishes OrderStuck for ops, once per stop, without the cause, through the rule on the default bus', async () => {
    // GIVEN an order waiting for the cake maker
    const order = await anOrderAwaitingTheCakeMaker(shop);

    // WHEN ops stop its execution, redrive it, and stop it again
    await opsStop(order.orderId);
    await eventsOfOrder(order.orderId, 1, 'OrderStuck');
    await opsRedrive(shop, order.orderId);
    await theWorkflowWaitsIn(shop, order.orderId, 'Ask Cake Maker');
    await opsStop(order.orderId);

    // THEN the bus has one OrderStuck for each stop, told apart by the redrive count, each fitting its schema
    const stuck = await eventsOfOrder(order.orderId, 2, 'OrderStuck');
    expect(stuck.map((event) => [event.detail.eventId, event.detail.status, event.detail.error, event.detail.sequence])).toEqual([
      [`${order.orderId}:OrderStuck:0`, 'ABORTED', 'OpsStopped', 0],
      [`${order.orderId}:OrderStuck:1`, 'ABORTED', 'OpsStopped', 0],
    ]);
    expect(stuck.flatMap((event) => schemaErrors('OrderStuck', event.detail))).toEqual([]);
    expect(JSON.stringify(stuck)).not.toContain('order data');
  });
});
