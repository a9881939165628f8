import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import { DescribeArchiveCommand, EventBridgeClient, ListArchivesCommand, ListReplaysCommand, ListRulesCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseSalesEvent, SalesViewRepository, type SalesView } from '../../functions/lib/sales-view';
import { localDynamoDbClient } from '../../infra/local/dynamodb';
import { localTableNames } from '../../infra/local/lambda-functions';
import { orderEvents } from '../../infra/order-events';
import { createTables, startDynalite } from '../support/dynalite';
import { anOrderAwaitingTheCakeMaker, anOrderOnItsWay } from '../steps/given';
import { closeShop, localOnly, localPowers, openShop, type Shop } from '../steps/shop';
import { eventually, theExecutionEnds } from '../steps/then';
import { personFollowsLinkAndSubmits } from '../steps/when';

jest.setTimeout(180_000);

let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

// The view and the archive are read straight from the local stack's DynamoDB and data directory.
const scenario = localOnly('reading the sales view table and the order events archive');

const salesViewOf = (shop: Shop): SalesViewRepository => {
  const client = localDynamoDbClient(localPowers(shop).urls.dynamodb, 'us-east-1');
  return new SalesViewRepository(localTableNames().salesView, DynamoDBDocumentClient.from(client));
};

const cakesOf = (view: SalesView, productId: string) => view.cakes.find((cake) => cake.productId === productId);

describe('the sales view on one machine', () => {
  scenario('orders placed, fulfilled, delivered, rated and cancelled show on the Sales page, and replaying the archive rebuilds the same view', async () => {
    // GIVEN two cakes ordered, baked and delivered with ratings, and one order cancelled by its customer
    const delivered = [
      await anOrderOnItsWay(shop, { productId: 'carrot-cake', quantity: 2 }),
      await anOrderOnItsWay(shop, { productId: 'carrot-cake', quantity: 1 }),
    ];
    await personFollowsLinkAndSubmits(delivered[0].deliveredLink, { rating: '5', comment: 'Lovely' });
    await personFollowsLinkAndSubmits(delivered[1].deliveredLink, { rating: '4', comment: 'Nice' });
    const cancelled = await anOrderAwaitingTheCakeMaker(shop, { productId: 'lemon-drizzle', quantity: 1 });
    await personFollowsLinkAndSubmits(cancelled.cancelLink);
    for (const order of [...delivered, cancelled]) await theExecutionEnds(shop, order.orderId);

    // WHEN the events have reached the view
    const view = await eventually(
      'the sales view counts every order',
      () => salesViewOf(shop).read(),
      (candidate) => (cakesOf(candidate, 'carrot-cake')?.orders ?? 0) >= 2 && cakesOf(candidate, 'lemon-drizzle') !== undefined && candidate.rating.count >= 2 && candidate.cancellations.length >= 1 && candidate.durations.fulfilledToDelivered.samples >= 2,
    );

    // THEN it counts them
    expect(cakesOf(view, 'carrot-cake')).toEqual({ productId: 'carrot-cake', orders: 2, cakes: 3 });
    expect(cakesOf(view, 'lemon-drizzle')).toEqual({ productId: 'lemon-drizzle', orders: 1, cakes: 1 });
    expect(view.days.reduce((sum, day) => sum + day.orders, 0)).toBe(3);
    expect(view.cancellations).toEqual([{ reason: 'cancelledByCustomer', count: 1 }]);
    expect(view.rating).toEqual({ count: 2, sum: 9, average: 4.5 });
    expect(view.durations.placedToFulfilled.samples).toBe(2);
    expect(view.durations.fulfilledToDelivered.samples).toBe(2);
    // AND the Sales page shows them, as charts and tables
    const page = await fetch(`${localPowers(shop).urls.shop}/ops/sales`);
    expect(page.status).toBe(200);
    const markup = await page.text();
    expect(markup).toContain('<svg');
    expect(markup).toMatch(/<td>carrot-cake<\/td><td>2<\/td><td>3<\/td>/);
    expect(markup).toMatch(/<td>cancelledByCustomer<\/td><td>1<\/td>/);
    expect(markup).toContain('<td>4.50</td>');
    // AND nothing was dead-lettered
    const deadLetters = await (await fetch(`${localPowers(shop).urls.shop}/ops/dead-letters`)).text();
    expect(deadLetters).toContain('0 dead letters');

    // WHEN every archived event is replayed, twice and backwards, into an empty view table
    const database = await startDynalite();
    try {
      const table = `sales-view-replay-${randomUUID().slice(0, 8)}`;
      await createTables(database.endpoint, { salesView: table });
      const client = localDynamoDbClient(database.endpoint, 'us-east-1');
      const replayed = new SalesViewRepository(table, DynamoDBDocumentClient.from(client));
      const archived = localPowers(shop).archivedEvents().filter((event) => parseable(event as unknown as EventBridgeEvent<string, unknown>));
      for (const event of [...archived, ...[...archived].reverse()]) await replayed.apply(parseSalesEvent(event));

      // THEN it holds the same view
      expect(await replayed.read()).toEqual(await salesViewOf(shop).read());
      let items = 0;
      for await (const scanned of paginateScan({ client }, { TableName: table, Select: 'COUNT' })) items += scanned.Count ?? 0;
      expect(items).toBeGreaterThan(0);
      client.destroy();
    } finally {
      await database.stop();
    }

    // WHEN the view table is emptied and the archive is replayed through the bus to the view's rule, twice
    await emptyTheViewTable();
    const viewEvents = localPowers(shop).archivedEvents().filter((event) => parseable(event as unknown as EventBridgeEvent<string, unknown>)).length;
    const invocationsBefore = await lambdaInvocations();
    const eventBridge = new EventBridgeClient({ endpoint: localPowers(shop).urls.eventBridge, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const [archive] = (await eventBridge.send(new ListArchivesCommand({}))).Archives ?? [];
      const rules = (await eventBridge.send(new ListRulesCommand({ EventBusName: orderEvents.busName, NamePrefix: 'SalesView' }))).Rules ?? [];
      const { ArchiveArn, EventSourceArn } = await eventBridge.send(new DescribeArchiveCommand({ ArchiveName: archive.ArchiveName }));
      for (const name of ['rebuild-sales-view', 'rebuild-sales-view-again']) {
        await eventBridge.send(
          new StartReplayCommand({
            ReplayName: `${name}-${randomUUID().slice(0, 8)}`,
            EventSourceArn: ArchiveArn,
            EventStartTime: new Date(Date.now() - 3_600_000),
            EventEndTime: new Date(Date.now() + 1_000),
            Destination: { Arn: EventSourceArn, FilterArns: rules.map((rule) => rule.Arn as string) },
          }),
        );
      }

      // THEN both replays complete, and the view is rebuilt to the same figures, each order counted once
      const replays = await eventually(
        'both replays complete',
        async () => (await eventBridge.send(new ListReplaysCommand({ NamePrefix: 'rebuild-sales-view' }))).Replays ?? [],
        (candidates) => candidates.length === 2 && candidates.every((replay) => replay.State === 'COMPLETED'),
      );
      expect(replays).toHaveLength(2);
      expect(rules).toHaveLength(1);
      // The test clock stands still, so the view's handler is the only function invoked: once per replayed event.
      await eventually('the view handler has taken both replays', lambdaInvocations, (count) => count >= invocationsBefore + 2 * viewEvents);
      expect(await salesViewOf(shop).read()).toEqual(view);
    } finally {
      eventBridge.destroy();
    }
  });
});

async function lambdaInvocations(): Promise<number> {
  const usage = (await (await fetch(`${localPowers(shop).urls.shop}/ops/usage`)).json()) as { lambda: { invocations: number } };
  return usage.lambda.invocations;
}

async function emptyTheViewTable(): Promise<void> {
  const client = localDynamoDbClient(localPowers(shop).urls.dynamodb, 'us-east-1');
  const table = localTableNames().salesView;
  for await (const scanned of paginateScan({ client }, { TableName: table })) {
    for (const item of scanned.Items ?? []) await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
  }
  client.destroy();
  expect((await salesViewOf(shop).read()).cakes).toEqual([]);
}

/** The archive keeps every order event; the view reads five of the types. */
function parseable(event: EventBridgeEvent<string, unknown>): boolean {
  try {
    parseSalesEvent(event);
    return true;
  } catch {
    return false;
  }
}
