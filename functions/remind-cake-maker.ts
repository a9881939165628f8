import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { cakeMakerRequestHandler } from './lib/cake-maker-request';
import { commonEnv, readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { OrderRepository } from './lib/order-repository';

const config = readConfig({
  ordersTableName: tables.orders.env,
  idempotencyTableName: tables.idempotency.env,
  publicBaseUrl: commonEnv.publicBaseUrl,
  senderEmail: settings.senderEmail.env,
  cakeMakerEmail: settings.cakeMakerEmail.env,
});

export const handler = cakeMakerRequestHandler('remind', {
  orders: new OrderRepository(config.ordersTableName),
  mailer: new Mailer(config.senderEmail),
  cakeMakerEmail: config.cakeMakerEmail,
  publicBaseUrl: config.publicBaseUrl,
  idempotencyTableName: config.idempotencyTableName,
});
