import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import type { HttpResult } from './lib/http';
import { json, jsonProblem, prefersHtml } from './lib/http';
import { logger, startInvocationLog } from './lib/logger';
import { executionNameFor, isOrderId, summariseOrder } from './lib/order';
import { OrderRepository } from './lib/order-repository';
import { renderPage } from './lib/pages/layout';
import { orderNotFoundPage, orderStatusPage } from './lib/pages/order-pages';

const config = readConfig({ ordersTableName: tables.orders.env, publicBaseUrl: commonEnv.publicBaseUrl }, { opsConsoleUrl: commonEnv.opsConsoleUrl });
const orders = new OrderRepository(config.ordersTableName);

/** Status and timeline of an order, as JSON or, for a browser, as a page. */
export const handler = async (event: APIGatewayProxyEventV2, context?: Context): Promise<HttpResult> => {
  const orderId = event.pathParameters?.orderId ?? '';
  startInvocationLog(context, isOrderId(orderId) ? { orderId, executionName: executionNameFor(orderId) } : {});
  const html = prefersHtml(event);
  const order = isOrderId(orderId) ? await orders.get(orderId) : undefined;
  if (order?.executionArn) logger.appendKeys({ executionArn: order.executionArn });
  logger.info('Order status read', { found: order !== undefined });
  const vary = { Vary: 'Accept' };
  if (!order) {
    if (html) {
      const page = renderPage(orderNotFoundPage(), config.publicBaseUrl);
      return { ...page, headers: { ...page.headers, ...vary } };
    }
    const problem = jsonProblem(404, 'There is no order with this id.', [{ field: 'orderId', message: 'No order has this id.' }]);
    return { ...problem, headers: { ...problem.headers, ...vary } };
  }
  const summary = summariseOrder(order);
  if (html) {
    const page = renderPage(orderStatusPage(summary, { opsConsoleUrl: config.opsConsoleUrl.replace(/\/+$/, '') }), config.publicBaseUrl);
    return { ...page, headers: { ...page.headers, ...vary } };
  }
  return json(200, summary, vary);
};
