import type { Server } from 'node:http';
import * as path from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { tables, type TableName, type TableSpec } from '../tables';
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

/**
 * Creates the tables of infra/tables.ts named in `tableNames` under those names, leaving tables that already exist
 * as they are. The local stack passes every table; test helpers may pass a few.
 */
export async function ensureTables(client: DynamoDBClient, tableNames: Partial<Record<TableName, string>>): Promise<void> {
  for (const [name, tableName] of Object.entries(tableNames) as [TableName, string][]) {
    const spec: TableSpec = tables[name];
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
    // dynalite turns a table ACTIVE a moment after answering CreateTable; the waiter's default whole-second
    // delays would add a second to every start.
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.01, maxDelay: 0.1 }, { TableName: tableName });
  }
}

export function localDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
