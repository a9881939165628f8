/**
 * DynamoDB tables, defined once: the CDK stack builds them and the local stack creates them in dynalite.
 * Each is keyed by a string partition key (and a string sort key where it has one) and billed on demand.
 */
export interface TableSpec {
  /** Environment variable that carries the table name to the handlers. */
  env: string;
  partitionKey: string;
  /** A string sort key, for a table that keeps several items under one partition. */
  sortKey?: string;
  timeToLiveAttribute?: string;
}

export const tables = {
  orders: { env: 'ORDERS_TABLE_NAME', partitionKey: 'orderId' },
  // Powertools idempotency records: key `id`, expiry in `expiration`.
  idempotency: { env: 'IDEMPOTENCY_TABLE_NAME', partitionKey: 'id', timeToLiveAttribute: 'expiration' },
  // The sales view built from the order events (functions/lib/sales-view.ts): one item per order under
  // `order#<orderId>`, and one per day under `view`, so the whole view is one Query.
  salesView: { env: 'SALES_VIEW_TABLE_NAME', partitionKey: 'pk', sortKey: 'sk' },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof tables;
