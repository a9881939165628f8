import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { lambdaContext } from '../fixtures/lambda-context';
import { taskEvent, useTestShop } from '../fixtures/order-journey';
import { storedOrder } from '../fixtures/stored-orders';
import { orderEventBusArn } from '../fixtures/test-shop';

const world = useTestShop();

/** What Publish Order Placed built, as Record Order Placed Not Published passes it on. */
const orderPlacedDetail = (orderId: string) => ({
  schemaVersion: 1,
  eventId: `${orderId}:OrderPlaced`,
  orderId,
  occurredAt: '2026-01-01T09:00:00.123Z',
  sequence: 1,
  productId: 'chocolate-cake',
  quantity: 2,
});

async function orderWithOrderPlacedNotPublished(): Promise<string> {
  const { orderId } = await world.given.placedOrder();
  const details = { OrderPlaced: orderPlacedDetail(orderId) };
  await world.handlers.recordUnsentMessage(taskEvent(orderId, { unpublishedEvents: ['OrderPlaced'], details }), lambdaContext());
  return orderId;
}

const published = () => world.shop.eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

describe('ops re-publishing an order event the workflow could not publish', () => {
  beforeEach(() => {
    world.shop.eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  });

  it('GIVEN Publish Order Placed gave up WHEN the workflow records it THEN the order keeps the event exactly as it was built', async () => {
    const orderId = await orderWithOrderPlacedNotPublished();

    const stored = await storedOrder(world.shop, orderId);

    expect(stored.unpublishedEvents).toEqual(new Set(['OrderPlaced']));
    expect(stored.unpublishedEventDetails).toEqual({ OrderPlaced: orderPlacedDetail(orderId) });
  });

  it('GIVEN OrderPlaced was not published WHEN ops re-publish it THEN the same event goes on the order bus and the order no longer lists it', async () => {
    const orderId = await orderWithOrderPlacedNotPublished();

    const result = await world.handlers.republishOrderEvent({ orderId, eventType: 'OrderPlaced' }, lambdaContext());

    expect(result.outcome).toBe('published');
    expect(published()).toEqual([{ EventBusName: orderEventBusArn, Source: 'cake-shop.orders', DetailType: 'OrderPlaced', Detail: expect.any(String) }]);
    expect(JSON.parse(published()[0].Detail ?? '{}')).toEqual(orderPlacedDetail(orderId));
    const stored = await storedOrder(world.shop, orderId);
    expect(stored.unpublishedEvents).toBeUndefined();
    expect(stored.unpublishedEventDetails).toEqual({});
  });

  it('GIVEN ops re-published OrderPlaced WHEN they press again THEN nothing more is published and the result says so', async () => {
    const orderId = await orderWithOrderPlacedNotPublished();
    await world.handlers.republishOrderEvent({ orderId, eventType: 'OrderPlaced' }, lambdaContext());

    const again = await world.handlers.republishOrderEvent({ orderId, eventType: 'OrderPlaced' }, lambdaContext());

    expect(again.outcome).toBe('notUnpublished');
    expect(published()).toHaveLength(1);
  });

  it('GIVEN EventBridge refuses the entry WHEN ops re-publish THEN it fails as DependencyUnavailable and the order still lists the event', async () => {
    const orderId = await orderWithOrderPlacedNotPublished();
    world.shop.eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });

    const republish = world.handlers.republishOrderEvent({ orderId, eventType: 'OrderPlaced' }, lambdaContext());

    await expect(republish).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    expect((await storedOrder(world.shop, orderId)).unpublishedEvents).toEqual(new Set(['OrderPlaced']));
  });

  it('GIVEN the order lists an event without its detail WHEN ops re-publish it THEN nothing is published, as it could not be the same event', async () => {
    const { orderId } = await world.given.placedOrder();
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { unpublishedEvents: ['OrderPlaced'] }), lambdaContext());

    const result = await world.handlers.republishOrderEvent({ orderId, eventType: 'OrderPlaced' }, lambdaContext());

    expect(result.outcome).toBe('notRecorded');
    expect(published()).toEqual([]);
    expect((await storedOrder(world.shop, orderId)).unpublishedEvents).toEqual(new Set(['OrderPlaced']));
  });
});
