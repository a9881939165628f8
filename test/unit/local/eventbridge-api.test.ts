import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { localAccessKeyId, LocalIam } from '../../../infra/local/iam';
import { LocalEventBridge, type EventBridgeEvent } from '../../../infra/local/eventbridge';

const orderPlaced = JSON.stringify({ source: ['cake-shop.orders'], 'detail-type': ['Order placed'] });
const placedEntry = { Source: 'cake-shop.orders', DetailType: 'Order placed', Detail: JSON.stringify({ orderId: 'o-1', cake: 'lemon drizzle' }) };

let dataDir: string;
let bridge: LocalEventBridge;
let client: EventBridgeClient;
let delivered: { targetArn: string; event: EventBridgeEvent; input: string }[];

async function startBridge(iam?: LocalIam): Promise<void> {
  bridge = new LocalEventBridge({
    port: 0,
    dataDir,
    iam,
    deliver: async (targetArn, event, input) => {
      delivered.push({ targetArn, event, input });
    },
  });
  await bridge.start();
  // One attempt: the SDK would retry LimitExceededException as a throttle.
  client = new EventBridgeClient({ endpoint: bridge.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-eventbridge-'));
  delivered = [];
  await startBridge();
});

afterEach(async () => {
  client.destroy();
  await bridge.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('local EventBridge API', () => {
  test('the default bus always exists, and CreateEventBus adds a custom one once', async () => {
    expect((await client.send(new ListEventBusesCommand({}))).EventBuses?.map((bus) => bus.Name)).toEqual(['default']);

    const created = await client.send(new CreateEventBusCommand({ Name: 'cake-orders', Description: 'orders of the shop' }));

    expect(created.EventBusArn).toBe('arn:aws:events:us-east-1:123456789012:event-bus/cake-orders');
    const listed = await client.send(new ListEventBusesCommand({ NamePrefix: 'cake' }));
    expect(listed.EventBuses).toEqual([expect.objectContaining({ Name: 'cake-orders', Arn: created.EventBusArn, Description: 'orders of the shop' })]);
    expect(listed.EventBuses?.[0].CreationTime).toBeInstanceOf(Date);
    await expect(client.send(new CreateEventBusCommand({ Name: 'cake-orders' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
      message: 'Event bus cake-orders already exists.',
    });
  });

  test('PutRule keeps a rule on its bus, as DescribeRule and ListRules show it', async () => {
    await client.send(new CreateEventBusCommand({ Name: 'cake-orders' }));

    const { RuleArn } = await client.send(
      new PutRuleCommand({ Name: 'notify-baker', EventBusName: 'cake-orders', EventPattern: orderPlaced, State: 'DISABLED', Description: 'tell the baker' }),
    );
    await client.send(new PutRuleCommand({ Name: 'bill-customer', EventBusName: 'cake-orders', EventPattern: orderPlaced }));

    expect(RuleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/cake-orders/notify-baker');
    const described = await client.send(new DescribeRuleCommand({ Name: 'notify-baker', EventBusName: 'cake-orders' }));
    expect(described).toMatchObject({
      Name: 'notify-baker',
      Arn: RuleArn,
      EventPattern: orderPlaced,
      State: 'DISABLED',
      Description: 'tell the baker',
      EventBusName: 'cake-orders',
    });
    const all = await client.send(new ListRulesCommand({ EventBusName: 'cake-orders' }));
    expect(all.Rules?.map((rule) => rule.Name)).toEqual(['bill-customer', 'notify-baker']);
    const prefixed = await client.send(new ListRulesCommand({ EventBusName: RuleArn!.replace(/:rule\/.*/, ':event-bus/cake-orders'), NamePrefix: 'notify' }));
    expect(prefixed.Rules?.map((rule) => rule.Name)).toEqual(['notify-baker']);
    expect((await client.send(new ListRulesCommand({}))).Rules).toEqual([]);
  });

  test('PutRule with a malformed pattern is InvalidEventPatternException, saying why', async () => {
    await expect(client.send(new PutRuleCommand({ Name: 'broken', EventPattern: '{"source": "cake-shop.orders"}' }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
    });
  });

  test('a rule on a bus that does not exist is ResourceNotFoundException', async () => {
    await expect(client.send(new PutRuleCommand({ Name: 'lost', EventBusName: 'nowhere', EventPattern: orderPlaced }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus nowhere does not exist.',
    });
    await expect(client.send(new DescribeRuleCommand({ Name: 'lost' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule lost does not exist on EventBus default.',
    });
  });

  test('PutTargets, ListTargetsByRule and RemoveTargets manage the targets, and DeleteRule waits until none is left', async () => {
    await client.send(new PutRuleCommand({ Name: 'notify-baker', EventPattern: orderPlaced }));
    const baker = { Id: 'baker', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:notify-baker', RetryPolicy: { MaximumRetryAttempts: 3 } };

    const put = await client.send(new PutTargetsCommand({ Rule: 'notify-baker', Targets: [baker, { Id: 'audit', Arn: 'arn:aws:sqs:us-east-1:123456789012:audit' }] }));

    expect(put.FailedEntryCount).toBe(0);
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'notify-baker' }))).Targets).toEqual([baker, expect.objectContaining({ Id: 'audit' })]);
    await expect(client.send(new DeleteRuleCommand({ Name: 'notify-baker' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
    await client.send(new RemoveTargetsCommand({ Rule: 'notify-baker', Ids: ['baker', 'audit'] }));
    await client.send(new DeleteRuleCommand({ Name: 'notify-baker' }));
    await expect(client.send(new DescribeRuleCommand({ Name: 'notify-baker' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('PutTargets refuses a sixth target, and Input with InputPath', async () => {
    await client.send(new PutRuleCommand({ Name: 'notify-baker', EventPattern: orderPlaced }));
    const targets = [1, 2, 3, 4, 5, 6].map((n) => ({ Id: `t${n}`, Arn: `arn:aws:sqs:us-east-1:123456789012:q${n}` }));

    await expect(client.send(new PutTargetsCommand({ Rule: 'notify-baker', Targets: targets }))).rejects.toMatchObject({ name: 'LimitExceededException' });
    await expect(
      client.send(new PutTargetsCommand({ Rule: 'notify-baker', Targets: [{ ...targets[0], Input: '{}', InputPath: '$.detail' }] })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: 'Target t1: give Input or InputPath, not both.' });
  });

  test('TestEventPattern says whether an event matches, and refuses an event without the fields AWS requires', async () => {
    const event = {
      id: '1',
      account: '123456789012',
      source: 'cake-shop.orders',
      time: '2026-11-30T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'Order placed',
      detail: {},
    };

    const yes = await client.send(new TestEventPatternCommand({ EventPattern: orderPlaced, Event: JSON.stringify(event) }));
    const no = await client.send(new TestEventPatternCommand({ EventPattern: orderPlaced, Event: JSON.stringify({ ...event, source: 'cake-shop.ovens' }) }));

    expect([yes.Result, no.Result]).toEqual([true, false]);
    await expect(client.send(new TestEventPatternCommand({ EventPattern: orderPlaced, Event: JSON.stringify({ source: 'x' }) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('the event has no id, account, time, region, resources, detail-type'),
    });
  });

  test('PutEvents answers each entry with an EventId or an error, and counts the failures', async () => {
    const { Entries, FailedEntryCount } = await client.send(
      new PutEventsCommand({
        Entries: [
          placedEntry,
          { Source: 'cake-shop.orders', Detail: '{}' },
          { ...placedEntry, Detail: 'lemon drizzle' },
          { ...placedEntry, EventBusName: 'nowhere' },
          { ...placedEntry, Source: 'aws.ec2' },
        ],
      }),
    );

    expect(FailedEntryCount).toBe(4);
    expect(Entries).toEqual([
      { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nowhere does not exist.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
  });

  test('PutEvents refuses more than 10 entries, or entries over 256 KB together', async () => {
    await expect(client.send(new PutEventsCommand({ Entries: Array(11).fill(placedEntry) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Member must have length between 1 and 10'),
    });
    const big = { ...placedEntry, Detail: JSON.stringify({ note: 'x'.repeat(100 * 1024) }) };
    await expect(client.send(new PutEventsCommand({ Entries: [big, big, big] }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    expect((await client.send(new PutEventsCommand({ Entries: [big, big] }))).FailedEntryCount).toBe(0);
  });

  test('an accepted event goes, as a full EventBridge event, to each target of each enabled rule it matches', async () => {
    await client.send(new PutRuleCommand({ Name: 'notify-baker', EventPattern: orderPlaced }));
    await client.send(new PutRuleCommand({ Name: 'paused', EventPattern: orderPlaced, State: 'DISABLED' }));
    await client.send(new PutRuleCommand({ Name: 'ovens', EventPattern: JSON.stringify({ source: ['cake-shop.ovens'] }) }));
    for (const rule of ['notify-baker', 'paused', 'ovens']) {
      await client.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'fn', Arn: `arn:aws:lambda:us-east-1:123456789012:function:${rule}` }] }));
    }
    const time = new Date('2026-11-30T10:15:00Z');

    const { Entries } = await client.send(new PutEventsCommand({ Entries: [{ ...placedEntry, Time: time, Resources: ['arn:aws:cake:order/o-1'] }] }));
    await bridge.idle();

    expect(delivered).toEqual([
      {
        targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:notify-baker',
        event: {
          version: '0',
          id: Entries?.[0].EventId,
          'detail-type': 'Order placed',
          source: 'cake-shop.orders',
          account: '123456789012',
          time: '2026-11-30T10:15:00Z',
          region: 'us-east-1',
          resources: ['arn:aws:cake:order/o-1'],
          detail: { orderId: 'o-1', cake: 'lemon drizzle' },
        },
        input: JSON.stringify(delivered[0]?.event),
      },
    ]);
  });

  test("a target's Input replaces the event, and its InputPath selects part of it", async () => {
    await client.send(new PutRuleCommand({ Name: 'notify-baker', EventPattern: orderPlaced }));
    await client.send(
      new PutTargetsCommand({
        Rule: 'notify-baker',
        Targets: [
          { Id: 'constant', Arn: 'arn:aws:sqs:us-east-1:123456789012:constant', Input: '{"bake":true}' },
          { Id: 'detail', Arn: 'arn:aws:sqs:us-east-1:123456789012:detail', InputPath: '$.detail.cake' },
        ],
      }),
    );

    await client.send(new PutEventsCommand({ Entries: [placedEntry] }));
    await bridge.idle();

    expect(delivered.map(({ targetArn, input }) => [targetArn.split(':').pop(), input])).toEqual([
      ['constant', '{"bake":true}'],
      ['detail', '"lemon drizzle"'],
    ]);
  });

  test("a function's calls are checked against its role: its grant lets it put events, and nothing else", async () => {
    const key = localAccessKeyId('cake-shop-place-order');
    const iam = new LocalIam({
      [key]: {
        roleArn: 'arn:aws:iam::123456789012:role/CakeShop-PlaceOrderRole',
        sessionName: 'cake-shop-place-order',
        policies: [{ Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }] }],
      },
    });
    client.destroy();
    await bridge.stop();
    await startBridge(iam);
    const placeOrder = new EventBridgeClient({ endpoint: bridge.endpoint, region: 'us-east-1', credentials: { accessKeyId: key, secretAccessKey: 'local' } });

    const put = await placeOrder.send(new PutEventsCommand({ Entries: [placedEntry] }));

    expect(put.FailedEntryCount).toBe(0);
    await expect(placeOrder.send(new PutRuleCommand({ Name: 'sneaky', EventPattern: orderPlaced }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('is not authorized to perform: events:PutRule on resource: arn:aws:events:us-east-1:123456789012:rule/sneaky'),
    });
    placeOrder.destroy();
  });
});
