import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { awsClientConfig } from '../../functions/lib/aws-client-config';
import { Mailer } from '../../functions/lib/email';
import { SendRate } from '../../functions/lib/send-rate';

describe('a service that accepts requests but never answers', () => {
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    // Takes each request and never responds, as a hung email service does.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails the email with DependencyUnavailable, which the workflow retries, instead of hanging until the Lambda times out', async () => {
    // GIVEN a mailer whose SES client has the handlers' shared client options, pointed at the hung service
    const client = new SESv2Client({
      ...awsClientConfig,
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const mailer = new Mailer('orders@cake-shop.example.com', client, new SendRate({ maxPerSecond: 0, tableName: 'unused' }));

    // WHEN an email is sent
    const sending = mailer.send('ada@example.com', { subject: 'Hello', text: 'Hello', html: '<p>Hello</p>' });

    // THEN it fails with the error name the ASL retries with back-off
    await expect(sending).rejects.toMatchObject({ name: 'DependencyUnavailable' });
  }, 20_000);
});
