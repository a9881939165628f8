import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { linkPageHandler } from './lib/link-handlers';
import { OrderRepository } from './lib/order-repository';

const config = readConfig({ ordersTableName: tables.orders.env, publicBaseUrl: commonEnv.publicBaseUrl });

export const handler = linkPageHandler('delivered', {
  orders: new OrderRepository(config.ordersTableName),
  publicBaseUrl: config.publicBaseUrl,
});
