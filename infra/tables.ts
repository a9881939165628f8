/**
 * DynamoDB tables, defined once: the CDK stack builds them and the local stack creates them in dynalite.
 * Both are keyed by one string attribute and billed on demand.
 */
export interface TableSpec {
  /** Environment variable that carries the table name to the handlers. */
  env: string;
  partitionKey: string;
  timeToLiveAttribute?: string;
}

export const tables = {
  orders: { env: 'ORDERS_TABLE_NAME', partitionKey: 'orderId' },
  // Powertools idempotency records: key `id`, expiry in `expiration`.
  idempotency: { env: 'IDEMPOTENCY_TABLE_NAME', partitionKey: 'id', timeToLiveAttribute: 'expiration' },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof tables;
