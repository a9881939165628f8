import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { LocalEventBridge, type Deliver, type RetrySettings } from '../../../infra/local/eventbridge';

const orderPlaced = JSON.stringify({ source: ['cake-shop.orders'] });
const bakerArn = 'arn:aws:lambda:us-east-1:123456789012:function:notify-baker';
const placed = (orderId: string) => ({ Source: 'cake-shop.orders', DetailType: 'Order placed', Detail: JSON.stringify({ orderId }) });
const quickRetries: Partial<RetrySettings> = { maximumRetryAttempts: 2, baseDelayMs: 2, maxDelayMs: 10 };

class CakeMakerUnreachable extends Error {
  override name = 'CakeMakerUnreachable';
}

let dataDir: string;
const running: { bridge: LocalEventBridge; client: EventBridgeClient }[] = [];

async function startBridge(deliver: Deliver, retry: Partial<RetrySettings> = quickRetries) {
  const bridge = new LocalEventBridge({ port: 0, dataDir, deliver, retry });
  await bridge.start();
  const client = new EventBridgeClient({ endpoint: bridge.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  running.push({ bridge, client });
  return { bridge, client };
}

async function stopBridge({ bridge, client }: { bridge: LocalEventBridge; client: EventBridgeClient }) {
  client.destroy();
  await bridge.stop();
  running.splice(running.findIndex((entry) => entry.bridge === bridge), 1);
}

async function ruleWithBaker(client: EventBridgeClient, target: Record<string, unknown> = {}) {
  await client.send(new PutRuleCommand({ Name: 'notify-baker', EventPattern: orderPlaced }));
  await client.send(new PutTargetsCommand({ Rule: 'notify-baker', Targets: [{ Id: 'baker', Arn: bakerArn, ...target }] }));
}

const orderIdsOf = (events: { detail: Record<string, unknown> }[]) => events.map((event) => event.detail.orderId);

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-eventbridge-delivery-'));
});

afterEach(async () => {
  for (const entry of [...running]) await stopBridge(entry);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('local EventBridge delivery', () => {
  test('delivers the events of one rule in the order they were put, even when earlier ones take longer', async () => {
    const received: { detail: Record<string, unknown> }[] = [];
    const { bridge, client } = await startBridge(async (_arn, event) => {
      await sleep(event.detail.orderId === 'o-1' ? 30 : 1);
      received.push(event);
    });
    await ruleWithBaker(client);

    await client.send(new PutEventsCommand({ Entries: [placed('o-1'), placed('o-2'), placed('o-3')] }));
    await client.send(new PutEventsCommand({ Entries: [placed('o-4')] }));
    await client.send(new PutEventsCommand({ Entries: [placed('o-5'), placed('o-6')] }));
    await bridge.idle();

    expect(orderIdsOf(received)).toEqual(['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6']);
  });

  test('retries a failing target, holding back its later events, until it takes them', async () => {
    const attempts: unknown[] = [];
    const { bridge, client } = await startBridge(async (_arn, event) => {
      attempts.push(event.detail.orderId);
      if (attempts.length <= 2) throw new CakeMakerUnreachable('the cake maker did not answer');
    });
    await ruleWithBaker(client);

    await client.send(new PutEventsCommand({ Entries: [placed('o-1'), placed('o-2')] }));
    await bridge.idle();

    expect(attempts).toEqual(['o-1', 'o-1', 'o-1', 'o-2']);
    expect(bridge.deadLetters()).toEqual([]);
  });

  test('dead-letters an event its target still refuses after the last retry, with the error, and goes on to the next', async () => {
    const attempts: unknown[] = [];
    const { bridge, client } = await startBridge(async (_arn, event) => {
      attempts.push(event.detail.orderId);
      if (event.detail.orderId === 'o-1') throw new CakeMakerUnreachable('the cake maker did not answer');
    });
    await ruleWithBaker(client, { DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:baker-dlq' } });

    const { Entries } = await client.send(new PutEventsCommand({ Entries: [placed('o-1'), placed('o-2')] }));
    await bridge.idle();

    expect(attempts).toEqual(['o-1', 'o-1', 'o-1', 'o-2']);
    expect(bridge.deadLetters()).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({ id: Entries?.[0].EventId, detail: { orderId: 'o-1' } }),
        ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/notify-baker',
        targetId: 'baker',
        targetArn: bakerArn,
        deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:baker-dlq',
        errorCode: 'CakeMakerUnreachable',
        errorMessage: 'the cake maker did not answer',
        exhaustedRetryCondition: 'MaximumRetryAttemptsExhausted',
        retryAttempts: 2,
      }),
    ]);
  });

  test("a target's own RetryPolicy wins over the service's retry settings", async () => {
    let attempts = 0;
    const { bridge, client } = await startBridge(async () => {
      attempts++;
      throw new CakeMakerUnreachable('the cake maker did not answer');
    });
    await ruleWithBaker(client, { RetryPolicy: { MaximumRetryAttempts: 0 } });

    await client.send(new PutEventsCommand({ Entries: [placed('o-1')] }));
    await bridge.idle();

    expect(attempts).toBe(1);
    expect(bridge.deadLetters()).toEqual([expect.objectContaining({ retryAttempts: 0, exhaustedRetryCondition: 'MaximumRetryAttemptsExhausted' })]);
  });

  test('gives up on an event older than the maximum event age, before its retries run out', async () => {
    const { bridge, client } = await startBridge(
      async () => {
        throw new CakeMakerUnreachable('the cake maker did not answer');
      },
      { maximumRetryAttempts: 185, maximumEventAgeSeconds: 0.05, baseDelayMs: 20, maxDelayMs: 20 },
    );
    await ruleWithBaker(client);

    await client.send(new PutEventsCommand({ Entries: [placed('o-1')] }));
    await bridge.idle();

    const [letter] = bridge.deadLetters();
    expect(letter.exhaustedRetryCondition).toBe('MaximumEventAgeExhausted');
    expect(letter.retryAttempts).toBeLessThan(5);
  });

  test('does not retry an error its target marks as not retryable', async () => {
    let attempts = 0;
    const { bridge, client } = await startBridge(async () => {
      attempts++;
      throw Object.assign(new Error('Function not found: notify-baker'), { name: 'ResourceNotFoundException', retryable: false });
    });
    await ruleWithBaker(client);

    await client.send(new PutEventsCommand({ Entries: [placed('o-1')] }));
    await bridge.idle();

    expect(attempts).toBe(1);
    expect(bridge.deadLetters()).toEqual([expect.objectContaining({ errorCode: 'ResourceNotFoundException', exhaustedRetryCondition: 'NotRetryable' })]);
  });

  test('buses, rules and targets survive a restart, and the rules go on routing events', async () => {
    const received: unknown[] = [];
    const deliver: Deliver = async (targetArn, event) => {
      received.push([targetArn, event.detail.orderId]);
    };
    const first = await startBridge(deliver);
    await first.client.send(new CreateEventBusCommand({ Name: 'cake-orders' }));
    await first.client.send(new PutRuleCommand({ Name: 'notify-baker', EventBusName: 'cake-orders', EventPattern: orderPlaced, Description: 'tell the baker' }));
    await first.client.send(new PutTargetsCommand({ Rule: 'notify-baker', EventBusName: 'cake-orders', Targets: [{ Id: 'baker', Arn: bakerArn }] }));
    await stopBridge(first);

    const { bridge, client } = await startBridge(deliver);

    expect((await client.send(new ListEventBusesCommand({}))).EventBuses?.map((bus) => bus.Name)).toEqual(['cake-orders', 'default']);
    expect(await client.send(new DescribeRuleCommand({ Name: 'notify-baker', EventBusName: 'cake-orders' }))).toMatchObject({ Description: 'tell the baker' });
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'notify-baker', EventBusName: 'cake-orders' }))).Targets).toEqual([{ Id: 'baker', Arn: bakerArn }]);
    await client.send(new PutEventsCommand({ Entries: [{ ...placed('o-7'), EventBusName: 'cake-orders' }] }));
    await bridge.idle();
    expect(received).toEqual([[bakerArn, 'o-7']]);
  });

  test('dead letters survive a restart', async () => {
    const first = await startBridge(async () => {
      throw new CakeMakerUnreachable('the cake maker did not answer');
    });
    await ruleWithBaker(first.client);
    await first.client.send(new PutEventsCommand({ Entries: [placed('o-1')] }));
    await first.bridge.idle();
    await stopBridge(first);

    const { bridge } = await startBridge(async () => undefined);

    expect(bridge.deadLetters()).toEqual([expect.objectContaining({ targetArn: bakerArn, errorMessage: 'the cake maker did not answer' })]);
  });

  test('stopping drops a delivery that waits for its next retry, without dead-lettering it', async () => {
    let attempts = 0;
    const entry = await startBridge(
      async () => {
        attempts++;
        throw new CakeMakerUnreachable('the cake maker did not answer');
      },
      { maximumRetryAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    );
    await ruleWithBaker(entry.client);
    await entry.client.send(new PutEventsCommand({ Entries: [placed('o-1')] }));
    while (attempts === 0) await sleep(1);

    await stopBridge(entry);

    expect(attempts).toBe(1);
    expect(entry.bridge.deadLetters()).toEqual([]);
  });
});
