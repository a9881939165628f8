import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureTables, localDynamoDbClient } from '../../infra/local/dynamodb';
import type { tables } from '../../infra/tables';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite ships no type declarations; this is the one function it exports.
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;

export interface RunningDynalite {
  endpoint: string;
  stop: () => Promise<void>;
}

/** Starts dynalite in this process on a free 127.0.0.1 port; in memory unless `path` is given. */
export async function startDynalite(options: { path?: string } = {}): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Creates the shop's tables (infra/tables.ts) under the given physical names, e.g.
 * `createTables(endpoint, { orders: 'orders-test', idempotency: 'idempotency-test' })`.
 */
export async function createTables(endpoint: string, names: Partial<Record<keyof typeof tables, string>>): Promise<void> {
  const client = localDynamoDbClient(endpoint, process.env.AWS_REGION ?? 'eu-west-1');
  try {
    await ensureTables(client, names);
  } finally {
    client.destroy();
  }
}
