import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { orderEvents } from '../../infra/order-events';
import { durationBucket, parseSalesEvent, SalesViewRepository, type SalesView } from '../../functions/lib/sales-view';
import { lambdaContext } from '../fixtures/lambda-context';
import { createTables, startDynalite, type RunningDynalite } from '../support/dynalite';

type Handler = (event: EventBridgeEvent<string, Record<string, unknown>>, context?: ReturnType<typeof lambdaContext>) => Promise<void>;

let database: RunningDynalite;
let handler: Handler;
let tableName: string;

beforeAll(async () => {
  database = await startDynalite();
  tableName = `sales-view-${randomUUID().slice(0, 8)}`;
  await createTables(database.endpoint, { salesView: tableName });
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: database.endpoint,
    POWERTOOLS_SERVICE_NAME: 'cake-shop-test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    SALES_VIEW_TABLE_NAME: tableName,
  });
  handler = (await import('../../functions/update-sales-view')).handler as Handler;
});

afterAll(() => database.stop());

/** Each test counts its own orders in a table of its own, so views do not mix. */
async function freshView(): Promise<{ deliver: (event: EventBridgeEvent<string, Record<string, unknown>>) => Promise<void>; view: () => Promise<SalesView> }> {
  const table = `sales-view-${randomUUID().slice(0, 8)}`;
  await createTables(database.endpoint, { salesView: table });
  const repository = new SalesViewRepository(table);
  return { deliver: async (event) => void (await repository.apply(parseSalesEvent(event))), view: () => repository.read() };
}

const sequences: Record<string, number> = { OrderPlaced: 1, CakeFulfilled: 2, OrderCancelled: 2, OrderDelivered: 4, FeedbackReceived: 5 };

function orderEvent(type: string, orderId: string, occurredAt: string, extra: Record<string, unknown> = {}): EventBridgeEvent<string, Record<string, unknown>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': type,
    source: orderEvents.source,
    account: '123456789012',
    time: occurredAt,
    region: 'eu-west-1',
    resources: [],
    detail: { schemaVersion: 1, eventId: `${orderId}:${type}`, orderId, occurredAt, sequence: sequences[type], ...extra },
  };
}

/** An order placed, fulfilled after `fulfilMinutes`, delivered `deliverMinutes` later and rated. */
function lifeOfAnOrder(options: { placedAt: string; productId: string; quantity: number; fulfilMinutes: number; deliverMinutes: number; rating?: number }) {
  const orderId = randomUUID();
  const placed = Date.parse(options.placedAt);
  const fulfilled = new Date(placed + options.fulfilMinutes * 60_000).toISOString();
  const delivered = new Date(placed + (options.fulfilMinutes + options.deliverMinutes) * 60_000).toISOString();
  return [
    orderEvent('OrderPlaced', orderId, options.placedAt, { productId: options.productId, quantity: options.quantity }),
    orderEvent('CakeFulfilled', orderId, fulfilled),
    orderEvent('OrderDelivered', orderId, delivered),
    ...(options.rating === undefined ? [] : [orderEvent('FeedbackReceived', orderId, delivered, { rating: options.rating })]),
  ];
}

function cancelledOrder(placedAt: string, reason: string) {
  const orderId = randomUUID();
  return [orderEvent('OrderPlaced', orderId, placedAt, { productId: 'lemon-drizzle', quantity: 1 }), orderEvent('OrderCancelled', orderId, placedAt, { reason })];
}

const week = [
  ...lifeOfAnOrder({ placedAt: '2026-03-14T09:00:00.000Z', productId: 'carrot-cake', quantity: 2, fulfilMinutes: 60, deliverMinutes: 30, rating: 5 }),
  ...lifeOfAnOrder({ placedAt: '2026-03-14T10:00:00.000Z', productId: 'lemon-drizzle', quantity: 1, fulfilMinutes: 120, deliverMinutes: 45, rating: 4 }),
  ...lifeOfAnOrder({ placedAt: '2026-03-15T08:00:00.000Z', productId: 'carrot-cake', quantity: 1, fulfilMinutes: 240, deliverMinutes: 90, rating: 2 }),
  ...cancelledOrder('2026-03-15T11:00:00.000Z', 'cancelledByCustomer'),
  ...cancelledOrder('2026-03-16T11:00:00.000Z', 'notFulfilledInTime'),
];

describe('the sales view', () => {
  it('GIVEN orders placed, fulfilled, delivered, rated and cancelled WHEN their events arrive THEN the view counts orders per day and per cake, cancellations, the average rating and both medians', async () => {
    const { deliver, view } = await freshView();

    for (const event of week) await deliver(event);

    expect(await view()).toEqual({
      days: [
        { day: '2026-03-14', orders: 2, cakes: 3 },
        { day: '2026-03-15', orders: 2, cakes: 2 },
        { day: '2026-03-16', orders: 1, cakes: 1 },
      ],
      cakes: [
        { productId: 'lemon-drizzle', orders: 3, cakes: 3 },
        { productId: 'carrot-cake', orders: 2, cakes: 3 },
      ],
      cancellations: [
        { reason: 'cancelledByCustomer', count: 1 },
        { reason: 'notFulfilledInTime', count: 1 },
      ],
      rating: { count: 3, sum: 11, average: 11 / 3 },
      durations: {
        placedToFulfilled: { samples: 3, medianSeconds: durationBucket(120 * 60) },
        fulfilledToDelivered: { samples: 3, medianSeconds: durationBucket(45 * 60) },
      },
    });
  });

  it('GIVEN an order event already counted WHEN it is delivered again THEN it counts once', async () => {
    const { deliver, view } = await freshView();
    const events = lifeOfAnOrder({ placedAt: '2026-03-14T09:00:00.000Z', productId: 'carrot-cake', quantity: 2, fulfilMinutes: 60, deliverMinutes: 30, rating: 5 });
    for (const event of events) await deliver(event);
    const once = await view();

    for (const event of events) await deliver({ ...event, id: randomUUID() });

    expect(await view()).toEqual(once);
    expect(once.days).toEqual([{ day: '2026-03-14', orders: 1, cakes: 2 }]);
    expect(once.rating).toEqual({ count: 1, sum: 5, average: 5 });
  });

  it('GIVEN the same events WHEN they arrive in reverse, or shuffled, THEN the view is the same as in order', async () => {
    const inOrder = await freshView();
    const reversed = await freshView();
    const shuffled = await freshView();

    for (const event of week) await inOrder.deliver(event);
    for (const event of [...week].reverse()) await reversed.deliver(event);
    const order = week.map((_, index) => index).sort((a, b) => ((a * 7919) % week.length) - ((b * 7919) % week.length));
    for (const index of order) await shuffled.deliver(week[index]);

    const expected = await inOrder.view();
    expect(await reversed.view()).toEqual(expected);
    expect(await shuffled.view()).toEqual(expected);
  });

  it('GIVEN two events of one order WHEN they are applied at the same time, several times over THEN the duration between them counts once', async () => {
    const { deliver, view } = await freshView();
    const [placed, fulfilled] = lifeOfAnOrder({ placedAt: '2026-03-14T09:00:00.000Z', productId: 'carrot-cake', quantity: 1, fulfilMinutes: 60, deliverMinutes: 30 });

    await Promise.all([deliver(placed), deliver(fulfilled), deliver(placed), deliver(fulfilled)]);

    const { days, durations } = await view();
    expect(days).toEqual([{ day: '2026-03-14', orders: 1, cakes: 1 }]);
    expect(durations.placedToFulfilled).toEqual({ samples: 1, medianSeconds: 3600 });
  });

  it('GIVEN the handler on the rule WHEN an order event arrives, and arrives again THEN the view table counts it once', async () => {
    const [placed] = lifeOfAnOrder({ placedAt: '2026-03-20T09:00:00.000Z', productId: 'victoria-sponge', quantity: 3, fulfilMinutes: 1, deliverMinutes: 1 });

    await handler(placed, lambdaContext());
    await handler({ ...placed, id: randomUUID() }, lambdaContext());

    const { days, cakes } = await new SalesViewRepository(tableName).read();
    expect(days).toEqual([{ day: '2026-03-20', orders: 1, cakes: 3 }]);
    expect(cakes).toEqual([{ productId: 'victoria-sponge', orders: 1, cakes: 3 }]);
  });

  it('GIVEN an event without its order id WHEN the handler gets it THEN it fails with InvalidOrderEvent naming the field, for the dead-letter queue', async () => {
    const [placed] = lifeOfAnOrder({ placedAt: '2026-03-20T09:00:00.000Z', productId: 'victoria-sponge', quantity: 3, fulfilMinutes: 1, deliverMinutes: 1 });
    const { orderId: _orderId, ...detail } = placed.detail;

    await expect(handler({ ...placed, detail }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidOrderEvent', message: expect.stringContaining('detail.orderId') });
  });
});

describe('durations', () => {
  it('are bucketed exactly below 1,000 seconds and to three significant figures above', () => {
    expect([0, 59, 999, 1000, 3599, 86_399].map(durationBucket)).toEqual([0, 59, 999, 1000, 3590, 86_300]);
  });
});
