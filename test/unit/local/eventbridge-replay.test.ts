import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CancelReplayCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  type StartReplayCommandInput,
} from '@aws-sdk/client-eventbridge';
import { LocalEventBridge, type EventBridgeEvent } from '../../../infra/local/eventbridge';

// The behaviour comes from the EventBridge user guide ("Archiving and replaying events", "Replaying archived
// events") and the StartReplay, DescribeReplay, ListReplays, CancelReplay, DescribeArchive and ListArchives pages of
// the API reference.
const account = '123456789012';
const busArn = `arn:aws:events:us-east-1:${account}:event-bus/orders`;
const archiveArn = `arn:aws:events:us-east-1:${account}:archive/orders-archive`;
const ruleArn = (name: string) => `arn:aws:events:us-east-1:${account}:rule/orders/${name}`;
const functionArn = (name: string) => `arn:aws:lambda:us-east-1:${account}:function:${name}`;
const placed = (orderId: string, time: Date) => ({ EventBusName: 'orders', Source: 'cake-shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId }), Time: time });

let dataDir: string;
let bridge: LocalEventBridge;
let client: EventBridgeClient;
let delivered: { target: string; event: EventBridgeEvent }[];

async function start(): Promise<void> {
  bridge = new LocalEventBridge({
    port: 0,
    dataDir,
    accountId: account,
    archives: [{ name: 'orders-archive', busName: 'orders', eventPattern: JSON.stringify({ source: ['cake-shop.orders'] }), retentionDays: 365 }],
    deliver: async (target, event) => {
      delivered.push({ target, event });
    },
  });
  await bridge.start();
  client = new EventBridgeClient({ endpoint: bridge.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function stop(): Promise<void> {
  client.destroy();
  await bridge.stop();
}

/** A bus with two consumers of order events, and three orders put on it an hour apart from 09:00. */
async function threeOrdersOnTheBus(): Promise<void> {
  await client.send(new CreateEventBusCommand({ Name: 'orders' }));
  for (const name of ['sales-view', 'stock-planning']) {
    await client.send(new PutRuleCommand({ Name: name, EventBusName: 'orders', EventPattern: JSON.stringify({ source: ['cake-shop.orders'] }) }));
    await client.send(new PutTargetsCommand({ Rule: name, EventBusName: 'orders', Targets: [{ Id: name, Arn: functionArn(name) }] }));
  }
  for (const [index, orderId] of ['o-1', 'o-2', 'o-3'].entries()) {
    await client.send(new PutEventsCommand({ Entries: [placed(orderId, new Date(Date.UTC(2026, 2, 14, 9 + index)))] }));
  }
  await bridge.idle();
  delivered = [];
}

async function replayed(input: Partial<StartReplayCommandInput> & { ReplayName: string }) {
  const started = await client.send(
    new StartReplayCommand({ EventSourceArn: archiveArn, EventStartTime: new Date(Date.UTC(2026, 2, 14)), EventEndTime: new Date(Date.UTC(2026, 2, 15)), Destination: { Arn: busArn }, ...input }),
  );
  for (;;) {
    const replay = await client.send(new DescribeReplayCommand({ ReplayName: input.ReplayName }));
    if (replay.State !== 'STARTING' && replay.State !== 'RUNNING') {
      await bridge.idle();
      return { started, replay };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-eventbridge-replay-'));
  delivered = [];
  await start();
});

afterEach(async () => {
  await stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('local EventBridge archives and replays', () => {
  test('a replay filtered on one rule puts a copy of each archived event in its window back on the bus, with replay-name, to that rule only', async () => {
    // GIVEN three orders archived at 09:00, 10:00 and 11:00
    await threeOrdersOnTheBus();

    // WHEN the 09:30–11:30 window is replayed to the sales view's rule
    const { started, replay } = await replayed({
      ReplayName: 'backfill-sales-view',
      EventStartTime: new Date(Date.UTC(2026, 2, 14, 9, 30)),
      EventEndTime: new Date(Date.UTC(2026, 2, 14, 11, 30)),
      Destination: { Arn: busArn, FilterArns: [ruleArn('sales-view')] },
    });

    // THEN only the sales view gets the two orders in the window, marked as replayed, with their original id and time
    expect(started).toMatchObject({ ReplayArn: `arn:aws:events:us-east-1:${account}:replay/backfill-sales-view`, State: 'STARTING' });
    expect(replay).toMatchObject({ State: 'COMPLETED', EventSourceArn: archiveArn, EventLastReplayedTime: new Date(Date.UTC(2026, 2, 14, 11)) });
    expect(delivered.map(({ target, event }) => [target, event.detail.orderId, event['replay-name'], event.time])).toEqual([
      [functionArn('sales-view'), 'o-2', 'backfill-sales-view', '2026-03-14T10:00:00Z'],
      [functionArn('sales-view'), 'o-3', 'backfill-sales-view', '2026-03-14T11:00:00Z'],
    ]);
    // AND the archive does not keep the copies again
    expect(bridge.archivedEvents('orders-archive')).toHaveLength(3);
  });

  test('a replay without FilterArns goes to every rule of the bus', async () => {
    await threeOrdersOnTheBus();

    await replayed({ ReplayName: 'everyone' });

    expect(delivered.filter(({ target }) => target === functionArn('stock-planning'))).toHaveLength(3);
    expect(delivered.filter(({ target }) => target === functionArn('sales-view'))).toHaveLength(3);
  });

  test('DescribeArchive and ListArchives count what the archive holds; ListReplays lists the replays of an archive', async () => {
    await threeOrdersOnTheBus();
    await replayed({ ReplayName: 'first' });

    const archive = await client.send(new DescribeArchiveCommand({ ArchiveName: 'orders-archive' }));
    const archives = await client.send(new ListArchivesCommand({ EventSourceArn: busArn }));
    const replays = await client.send(new ListReplaysCommand({ EventSourceArn: archiveArn }));

    expect(archive).toMatchObject({ ArchiveArn: archiveArn, EventSourceArn: busArn, State: 'ENABLED', RetentionDays: 365, EventCount: 3, EventPattern: '{"source":["cake-shop.orders"]}' });
    expect(archive.SizeBytes).toBeGreaterThan(0);
    expect(archives.Archives).toEqual([expect.objectContaining({ ArchiveName: 'orders-archive', EventCount: 3 })]);
    expect(replays.Replays).toEqual([expect.objectContaining({ ReplayName: 'first', State: 'COMPLETED' })]);
  });

  test.each([
    ['another bus as destination', { Destination: { Arn: `arn:aws:events:us-east-1:${account}:event-bus/default` } }, 'ValidationException'],
    ['a window that ends before it starts', { EventStartTime: new Date(Date.UTC(2026, 2, 15)), EventEndTime: new Date(Date.UTC(2026, 2, 14)) }, 'ValidationException'],
    ['an archive that does not exist', { EventSourceArn: `arn:aws:events:us-east-1:${account}:archive/nope` }, 'ResourceNotFoundException'],
    ['a rule that does not exist', { Destination: { Arn: busArn, FilterArns: [ruleArn('nope')] } }, 'ResourceNotFoundException'],
  ])('StartReplay refuses %s and starts nothing', async (_what, input, error) => {
    await threeOrdersOnTheBus();

    await expect(replayed({ ReplayName: 'bad', ...input })).rejects.toMatchObject({ name: error });
    expect((await client.send(new ListReplaysCommand({}))).Replays).toEqual([]);
    expect(delivered).toEqual([]);
  });

  test('a replay name is taken once; a finished replay cannot be cancelled', async () => {
    await threeOrdersOnTheBus();
    await replayed({ ReplayName: 'once' });

    await expect(replayed({ ReplayName: 'once' })).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await expect(client.send(new CancelReplayCommand({ ReplayName: 'once' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('replays are kept across a restart', async () => {
    await threeOrdersOnTheBus();
    await replayed({ ReplayName: 'kept', Description: 'backfill' });

    await stop();
    await start();

    expect(await client.send(new DescribeReplayCommand({ ReplayName: 'kept' }))).toMatchObject({ State: 'COMPLETED', Description: 'backfill', Destination: { Arn: busArn } });
  });
});
