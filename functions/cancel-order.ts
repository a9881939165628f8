import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { linkActionHandler } from './lib/link-handlers';
import { OrderRepository } from './lib/order-repository';
import { OrderWorkflow } from './lib/workflow';

const config = readConfig({
  ordersTableName: tables.orders.env,
  idempotencyTableName: tables.idempotency.env,
  publicBaseUrl: commonEnv.publicBaseUrl,
});

export const handler = linkActionHandler('cancel', {
  orders: new OrderRepository(config.ordersTableName),
  workflow: new OrderWorkflow(),
  idempotencyTableName: config.idempotencyTableName,
  publicBaseUrl: config.publicBaseUrl,
});
