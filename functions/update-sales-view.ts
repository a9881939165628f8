import type { Context, EventBridgeEvent } from 'aws-lambda';
import { tables } from '../infra/tables';
import { readConfig } from './lib/config';
import { logger, startInvocationLog } from './lib/logger';
import { parseSalesEvent, SalesViewRepository } from './lib/sales-view';

const config = readConfig({ salesViewTableName: tables.salesView.env });
const view = new SalesViewRepository(config.salesViewTableName);

/** The target of the sales view rule on the order events bus: one order event per invocation. */
export const handler = async (event: EventBridgeEvent<string, Record<string, unknown>>, context?: Context): Promise<void> => {
  startInvocationLog(context, { orderId: typeof event.detail?.orderId === 'string' ? event.detail.orderId : undefined });
  const salesEvent = parseSalesEvent(event);
  const outcome = await view.apply(salesEvent);
  logger.info('Sales view updated', { detailType: salesEvent.type, eventId: salesEvent.eventId, outcome });
};
