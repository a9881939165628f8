import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../infra/local/dynamodb';
import { SendRate } from '../../functions/lib/send-rate';
import { createTables, startDynalite, type RunningDynalite } from '../support/dynalite';

let database: RunningDynalite;
const tableName = 'idempotency-send-rate';

beforeAll(async () => {
  database = await startDynalite();
  await createTables(database.endpoint, { idempotency: tableName });
});

afterAll(() => database.stop());

function sendRate(maxPerSecond: number, maxWaitMs: number) {
  const client = localDynamoDbClient(database.endpoint, 'eu-west-1');
  return { rate: new SendRate({ maxPerSecond, tableName, maxWaitMs, client }), client };
}

/** The slots claimed in each second, as the counters in the table say. */
async function claimedPerSecond(): Promise<Map<string, number>> {
  const client = localDynamoDbClient(database.endpoint, 'eu-west-1');
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
  client.destroy();
  return new Map(Items.filter((item) => item.id.S?.startsWith('ses-send-rate#')).map((item) => [item.id.S!, Number(item.sends.N)]));
}

async function claimedSince(before: Map<string, number>): Promise<number[]> {
  const after = await claimedPerSecond();
  return [...after].map(([id, sends]) => sends - (before.get(id) ?? 0)).filter((sends) => sends > 0);
}

describe('the shared SES sending rate', () => {
  test('a burst that may not wait gets at most the rate in any second; the rest are told to retry later', async () => {
    // GIVEN a rate of 5 emails a second and senders that may not wait for the next second
    const { rate, client } = sendRate(5, 0);
    const before = await claimedPerSecond();

    // WHEN 12 senders claim a slot at once
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => rate.acquire()));
    client.destroy();

    // THEN no second holds more than 5 claims, and every claim that went ahead is counted
    const perSecond = await claimedSince(before);
    const granted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(5);
    expect(perSecond.reduce((sum, sends) => sum + sends, 0)).toBe(granted);

    // AND the others fail with DependencyUnavailable, which the workflow retries with back-off
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error] : []));
    expect(refused.length).toBe(12 - granted);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error.name).toBe('DependencyUnavailable');
      expect(error.message).toContain('maximum send rate of 5/s');
    }
  });

  test('senders that may wait are spread over the following seconds and all go ahead', async () => {
    // GIVEN a rate of 4 emails a second and senders that may wait
    const { rate, client } = sendRate(4, 10_000);
    const before = await claimedPerSecond();

    // WHEN 10 senders claim a slot at once
    await Promise.all(Array.from({ length: 10 }, () => rate.acquire()));
    client.destroy();

    // THEN all 10 went ahead, no more than 4 in any second
    const perSecond = await claimedSince(before);
    expect(perSecond.reduce((sum, sends) => sum + sends, 0)).toBe(10);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(4);
    expect(perSecond.length).toBeGreaterThanOrEqual(3);
  });

  test('with no limit, sending touches no table', async () => {
    // GIVEN no limit and a table name that does not exist
    const rate = new SendRate({ maxPerSecond: 0, tableName: 'no-such-table' });

    // WHEN a sender claims a slot THEN it goes ahead at once
    await expect(rate.acquire()).resolves.toBeUndefined();
  });
});
