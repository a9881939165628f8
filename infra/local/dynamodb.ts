import type { Server } from 'node:http';
import * as path from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { tables, type TableName } from '../tables';
import { closeServer, listen, localHost, portSpecs } from './ports';

// dynalite ships no type declarations.
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number }) => Server;

export interface LocalDynamoDb {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Starts dynalite on loopback with its LevelDB files under `dataDir`, so tables and orders survive restarts. */
export async function startDynamoDb(port: number, dataDir: string): Promise<LocalDynamoDb> {
  // Tables become ACTIVE at once: nothing here needs to rehearse CREATING.
  const server = dynalite({ path: path.join(dataDir, 'dynamodb'), createTableMs: 0 });
  const bound = await listen(server, port, portSpecs.dynamodb);
  return { endpoint: `http://${localHost}:${bound}`, port: bound, close: () => closeServer(server) };
}

/** Creates every table of infra/tables.ts under its local name, leaving tables that already exist as they are. */
export async function ensureTables(client: DynamoDBClient, tableNames: Record<TableName, string>): Promise<void> {
  for (const [name, spec] of Object.entries(tables) as [TableName, (typeof tables)[TableName]][]) {
    const tableName = tableNames[name];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: spec.partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: spec.partitionKey, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
  }
}

export function localDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
