import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Agent } from 'node:http';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { LocalEmailService, SendingQuota } from '../../../infra/local/email';
import { localAccessKeyId, LocalIam } from '../../../infra/local/iam';

describe('the local SES sending quota', () => {
  test('accepts at most the maximum send rate in any one second, and a new second starts afresh', () => {
    // GIVEN an account that may send 3 emails a second
    const quota = new SendingQuota(3);
    const second = 1_800_000_000_000;

    // WHEN 5 sends arrive within one second, then one in the next second
    const within = [0, 100, 200, 900, 999].map((ms) => quota.take(second + ms));
    const next = quota.take(second + 1000);

    // THEN the first 3 go ahead, the rest are refused, and the next second has room again
    expect(within).toEqual([true, true, true, false, false]);
    expect(next).toBe(true);
  });

  test('with no limit set, every send goes ahead', () => {
    const quota = new SendingQuota(0);
    expect(Array.from({ length: 100 }, () => quota.take(0)).every(Boolean)).toBe(true);
  });
});

describe('the local email service over the SES v2 API', () => {
  let dataDir: string;
  let email: LocalEmailService;
  let client: SESv2Client;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cake-shop-ses-quota-'));
    email = new LocalEmailService(0, dataDir, { maxSendRate: 2 });
    await email.start();
    client = new SESv2Client({
      endpoint: email.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await email.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('refuses sends above the rate with SES throttling error and stores only what it accepted', async () => {
    // GIVEN an account limited to 2 emails a second
    const firstSecond = Math.floor(Date.now() / 1000);

    // WHEN 8 emails are sent at once
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        client.send(
          new SendEmailCommand({
            FromEmailAddress: 'orders@cake-shop.example.com',
            Destination: { ToAddresses: [`burst-${index}@example.com`] },
            Content: { Simple: { Subject: { Data: `Burst ${index}` }, Body: { Text: { Data: 'Hello' } } } },
          }),
        ),
      ),
    );
    const lastSecond = Math.floor(Date.now() / 1000);

    // THEN no more than 2 per second went through
    const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error & { $metadata: { httpStatusCode: number } }] : []));
    expect(accepted.length).toBeLessThanOrEqual(2 * (lastSecond - firstSecond + 1));
    expect(refused.length).toBeGreaterThan(0);

    // AND each refusal is SES's throttling error, with HTTP 429
    for (const error of refused) {
      expect(error.name).toBe('ThrottlingException');
      expect(error.message).toBe('Maximum sending rate exceeded.');
      expect(error.$metadata.httpStatusCode).toBe(429);
    }

    // AND the mailbox holds exactly the accepted emails
    const stored = (await (await fetch(`${email.endpoint}/store`)).json()) as { emails: { subject: string }[] };
    expect(stored.emails.filter((sent) => sent.subject.startsWith('Burst '))).toHaveLength(accepted.length);
  });

  test('keeps the connection open between sends of a function its IAM governs, as SES does', async () => {
    // GIVEN a second email service checking a function's role, and that function's client on a keep-alive agent
    const accessKeyId = localAccessKeyId('cake-shop-ask-cake-maker');
    const iam = new LocalIam({
      [accessKeyId]: {
        roleArn: 'arn:aws:iam::123456789012:role/CakeShop-AskCakeMakerRole',
        sessionName: 'cake-shop-ask-cake-maker',
        policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ses:SendEmail', Resource: '*' }] }],
      },
    });
    const governed = new LocalEmailService(0, dataDir, { authorization: { iam, region: 'us-east-1', accountId: '123456789012' } });
    await governed.start();
    const httpAgent = new Agent({ keepAlive: true });
    let connections = 0;
    const connect = httpAgent.createConnection.bind(httpAgent);
    httpAgent.createConnection = (...args: Parameters<Agent['createConnection']>) => {
      connections += 1;
      return connect(...args);
    };
    const sender = new SESv2Client({ endpoint: governed.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'local' }, requestHandler: { httpAgent } });

    try {
      // WHEN it sends three emails, one after another
      for (const index of [1, 2, 3]) {
        await sender.send(
          new SendEmailCommand({
            FromEmailAddress: 'orders@cake-shop.example.com',
            Destination: { ToAddresses: [`kept-${index}@example.com`] },
            Content: { Simple: { Subject: { Data: `Kept ${index}` }, Body: { Text: { Data: 'Hello' } } } },
          }),
        );
      }

      // THEN all three went over one connection
      expect(connections).toBe(1);
    } finally {
      sender.destroy();
      httpAgent.destroy();
      await governed.stop();
    }
  });
});
