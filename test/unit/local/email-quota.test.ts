import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { LocalEmailService, SendingQuota } from '../../../infra/local/email';

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
});
