import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { tables, type TableName, type TableSpec } from '../tables';
import type { DynamoDbWorkerData, DynamoDbWorkerMessage } from './dynamodb-worker';
import { explainListenError, localHost, portSpecs } from './ports';
import { workerCode } from './worker-code';

/** The DynamoDB operations whose requests the local DynamoDB counts, e.g. for a usage meter. */
export const countedOperations = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
] as const;

export type CountedOperation = (typeof countedOperations)[number];

export interface LocalDynamoDb {
  endpoint: string;
  port: number;
  /** Requests received so far, by operation; read without a round trip to the DynamoDB thread. */
  requestCounts(): Record<CountedOperation, number>;
  /** A fault for tests: holds every request this long before answering it; 0 ends the fault. */
  delayRequests(ms: number): void;
  close(): Promise<void>;
}

/**
 * Starts dynalite on loopback with its LevelDB files under `dataDir`, so tables and orders survive restarts. It
 * runs in a worker thread: under load, parsing and evaluating every request took over half of the stack's main
 * thread, where the engine and the API also run. A worker dies with the process, so a SIGKILL leaves nothing behind.
 */
export async function startDynamoDb(
  port: number,
  dataDir: string,
  iam: Pick<DynamoDbWorkerData, 'principals' | 'region' | 'accountId'> & { onDenied?: (message: string) => void } = {
    principals: {},
    region: '',
    accountId: '',
  },
): Promise<LocalDynamoDb> {
  const counters = new SharedArrayBuffer(countedOperations.length * Int32Array.BYTES_PER_ELEMENT);
  const data: DynamoDbWorkerData = {
    dynalite: require.resolve('dynalite'),
    path: path.join(dataDir, 'dynamodb'),
    host: localHost,
    port,
    counters,
    operations: [...countedOperations],
    principals: iam.principals,
    region: iam.region,
    accountId: iam.accountId,
  };
  const worker = new Worker(await workerCode(path.join(__dirname, 'dynamodb-worker.ts'), ['dynalite', '@cloud-copilot/iam-simulate']), { eval: true, workerData: data });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const bound = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`DynamoDB (dynalite) stopped while starting (exit status ${code})`)));
    worker.on('message', (message: DynamoDbWorkerMessage) => {
      if (message.type === 'listening') resolve(message.port);
      else if (message.type === 'access-denied') iam.onDenied?.(message.message);
      else reject(explainListenError(Object.assign(new Error(message.message), { code: message.code }), port, portSpecs.dynamodb));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  const view = new Int32Array(counters);
  return {
    endpoint: `http://${localHost}:${bound}`,
    port: bound,
    requestCounts: () =>
      Object.fromEntries(countedOperations.map((operation, index) => [operation, Atomics.load(view, index)])) as Record<CountedOperation, number>,
    delayRequests: (ms) => worker.postMessage({ delayMs: ms }),
    close: async () => {
      worker.postMessage('close');
      // In-flight requests finish and LevelDB closes cleanly; a stuck one must not hang the stack's stop.
      const stuck = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(stuck);
    },
  };
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
          AttributeDefinitions: [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])].map((key) => ({ AttributeName: key, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: spec.partitionKey, KeyType: 'HASH' },
            ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' as const }] : []),
          ],
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
