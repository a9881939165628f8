import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ensureTables, localDynamoDbClient, startDynamoDb } from '../../../infra/local/dynamodb';

jest.setTimeout(30_000);

let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-dynamodb-'));
});

afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('the local DynamoDB in its own thread', () => {
  test('serves the SDK, counts each request by operation, and keeps the data on disk across a restart', async () => {
    // GIVEN the local DynamoDB with the orders table
    const first = await startDynamoDb(0, dataDir);
    const client = localDynamoDbClient(first.endpoint, 'us-east-1');
    await ensureTables(client, { orders: 'cake-shop-orders' });

    // WHEN an order is written and read back
    await client.send(new PutItemCommand({ TableName: 'cake-shop-orders', Item: { orderId: { S: 'o-1' }, status: { S: 'PLACED' } } }));
    const read = await client.send(new GetItemCommand({ TableName: 'cake-shop-orders', Key: { orderId: { S: 'o-1' } } }));

    // THEN it answers as DynamoDB does, and counted one write and one read
    expect(read.Item?.status).toEqual({ S: 'PLACED' });
    expect(first.requestCounts()).toMatchObject({ PutItem: 1, GetItem: 1, Query: 0 });
    client.destroy();

    // AND after a clean stop and a new start on the same data, the order is still there
    await first.close();
    const second = await startDynamoDb(0, dataDir);
    const again = localDynamoDbClient(second.endpoint, 'us-east-1');
    const reread = await again.send(new GetItemCommand({ TableName: 'cake-shop-orders', Key: { orderId: { S: 'o-1' } } }));
    expect(reread.Item?.status).toEqual({ S: 'PLACED' });
    again.destroy();
    await second.close();
  });

  test('names the port and its variable when the port is taken', async () => {
    // GIVEN something already listening on a port
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;

    // WHEN the local DynamoDB is started on it
    const starting = startDynamoDb(port, dataDir);

    // THEN the error says which service and which variable
    await expect(starting).rejects.toMatchObject({ name: 'PortInUse', message: expect.stringContaining('DYNAMODB_PORT') });
    await new Promise((resolve) => holder.close(resolve));
  });
});
