import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createApiServer } from '../../infra/local/api-gateway';
import { ensureTables, localDynamoDbClient, startDynamoDb } from '../../infra/local/dynamodb';
import { LocalEmailService } from '../../infra/local/email';
import { localTableNames } from '../../infra/local/lambda-functions';
import { closeServer, listen, portSpecs } from '../../infra/local/ports';
import { routes } from '../../infra/routes';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'cake-shop-services-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB (dynalite)', () => {
  test('keeps tables and orders on disk across a restart, and creating tables again leaves them be', async () => {
    // GIVEN dynalite with the shop tables and one order
    const first = await startDynamoDb(0, dataDir);
    const tableNames = localTableNames();
    await ensureTables(localDynamoDbClient(first.endpoint, 'us-east-1'), tableNames);
    const firstClient = DynamoDBDocumentClient.from(localDynamoDbClient(first.endpoint, 'us-east-1'));
    await firstClient.send(new PutCommand({ TableName: tableNames.orders, Item: { orderId: 'o-1', status: 'PLACED' } }));
    await first.close();

    // WHEN it starts again on the same data directory and the tables are ensured again
    const second = await startDynamoDb(0, dataDir);
    try {
      const client = localDynamoDbClient(second.endpoint, 'us-east-1');
      await ensureTables(client, tableNames);

      // THEN both tables and the order are still there
      const { TableNames } = await client.send(new ListTablesCommand({}));
      expect(TableNames?.sort()).toEqual(Object.values(tableNames).sort());
      const { Item } = await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: tableNames.orders, Key: { orderId: 'o-1' } }));
      expect(Item).toEqual({ orderId: 'o-1', status: 'PLACED' });
    } finally {
      await second.close();
    }
  });
});

describe('email (aws-ses-v2-local)', () => {
  const sendTo = (endpoint: string, subject: string) =>
    new SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }).send(
      new SendEmailCommand({
        FromEmailAddress: 'orders@cake-shop.example.com',
        Destination: { ToAddresses: ['baker@cake-shop.example.com'] },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'A carrot cake, please.' } } } },
      }),
    );

  test('refuses mail while stopped and, started again on the same port, still lists what it received', async () => {
    // GIVEN the email service with one email received
    const email = new LocalEmailService(0, dataDir);
    await email.start();
    await sendTo(email.endpoint, 'New order o-1');

    // WHEN it is stopped, asked to send, and started again
    await email.stop();
    const whileDown = sendTo(email.endpoint, 'New order o-2');
    await expect(whileDown).rejects.toThrow('ECONNREFUSED');
    await email.start();

    try {
      // THEN it lists the first email, and takes mail again
      await sendTo(email.endpoint, 'New order o-3');
      const store = (await (await fetch(`${email.endpoint}/store`)).json()) as { emails: { subject: string }[] };
      expect(store.emails.map((sent) => sent.subject)).toEqual(['New order o-1', 'New order o-3']);
    } finally {
      await email.stop();
    }
  });
});

describe('listen', () => {
  test('says which service wanted a taken port and how to move it', async () => {
    // GIVEN a port already held by another server
    const holder = createServer();
    const port = await listen(holder, 0, portSpecs.shop);

    try {
      // WHEN the shop API tries to listen there
      const attempt = listen(createServer(), port, portSpecs.shop);

      // THEN the error names the port, the service and the variable
      await expect(attempt).rejects.toMatchObject({
        name: 'PortInUse',
        message: expect.stringMatching(new RegExp(`^Port ${port} for the shop API is already in use.*SHOP_PORT=`)),
      });
    } finally {
      await closeServer(holder);
    }
  });
});

describe('API Gateway emulator', () => {
  let server: Server;
  let baseUrl: string;
  const invoked: unknown[] = [];

  beforeAll(async () => {
    server = createApiServer({
      routes,
      domainName: 'local.execute-api.localhost',
      accountId: '123456789012',
      invoke: async (route, event) => {
        invoked.push(event);
        if (route.handler === 'cancelOrder') throw new Error('DynamoDB is down');
        return { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ route: route.handler }) };
      },
      mounts: [
        async (request, response) => {
          if (request.url !== '/ops') return false;
          response.end('console');
          return true;
        },
      ],
    });
    baseUrl = `http://127.0.0.1:${await listen(server, 0, portSpecs.shop)}`;
  });

  afterAll(() => closeServer(server));

  beforeEach(() => {
    invoked.length = 0;
  });

  test('invokes the route handler and returns its response', async () => {
    // GIVEN the shop routes
    // WHEN an order is posted
    const response = await fetch(`${baseUrl}/order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    // THEN placeOrder answered, with an API Gateway request id
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ route: 'placeOrder' });
    expect(response.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('answers an unknown route with API Gateway\'s 404 and invokes nothing', async () => {
    // GIVEN the shop routes
    // WHEN a path no route has is requested
    const response = await fetch(`${baseUrl}/orders/everything`);

    // THEN the answer is API Gateway's Not Found
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(invoked).toHaveLength(0);
  });

  test('hands requests no route matches to a mount, such as the ops console', async () => {
    // GIVEN a mount at /ops
    // WHEN /ops is requested
    const response = await fetch(`${baseUrl}/ops`);

    // THEN the mount answered
    expect(await response.text()).toBe('console');
  });

  test('refuses a body over 10 MB with 413 before invoking the handler', async () => {
    // GIVEN a body one byte over API Gateway's limit
    const body = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');

    // WHEN it is posted
    const response = await fetch(`${baseUrl}/order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    // THEN API Gateway's 413 comes back and no handler ran
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(invoked).toHaveLength(0);
  });

  test('refuses a body over 10 MB sent with Expect: 100-continue before the client uploads it', async () => {
    // GIVEN a client that declares 50 MB and waits for leave to send it, as curl does for large bodies
    const request = httpRequest(`${baseUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024), expect: '100-continue' },
    });
    let toldToContinue = false;
    request.on('continue', () => {
      toldToContinue = true;
    });

    // WHEN it asks
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.on('response', resolve);
      request.on('error', reject);
      request.flushHeaders();
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    request.destroy();

    // THEN it gets API Gateway's 413 without ever being told to send the body, and no handler ran
    expect(toldToContinue).toBe(false);
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual({ message: 'Request Entity Too Large' });
    expect(invoked).toHaveLength(0);
  });

  test('hides a handler failure behind a 500, as API Gateway does', async () => {
    // GIVEN a handler that throws
    // WHEN its route is called
    const response = await fetch(`${baseUrl}/order/cancel`, { method: 'POST', body: 'orderId=o-1' });

    // THEN the caller sees API Gateway's Internal Server Error and not the cause
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });
});
