import type { Context, EventBridgeEvent } from 'aws-lambda';
import { orderEvents, orderEventSequence, stuckExecutionStatuses } from '../infra/order-events';
import { tables } from '../infra/tables';
import { commonEnv, readConfig } from './lib/config';
import { idempotentStep } from './lib/idempotency';
import { logger, startInvocationLog } from './lib/logger';
import { orderIdOfExecutionName } from './lib/order';
import { publishOrderEvent } from './lib/order-event-publisher';

const config = readConfig({ idempotencyTableName: tables.idempotency.env, orderEventBusArn: commonEnv.orderEventBusArn });

type StuckStatus = (typeof stuckExecutionStatuses)[number];

/** The part of Step Functions' "Step Functions Execution Status Change" detail this reads. */
export interface ExecutionStatusDetail {
  name: string;
  status: string;
  stopDate: number | null;
  error?: string;
  redriveCount?: number;
}

export type OrderStuckDetail = {
  schemaVersion: number;
  eventId: string;
  orderId: string;
  occurredAt: string;
  sequence: 0;
  status: StuckStatus;
  error?: string;
};

const isStuck = (status: string): status is StuckStatus => (stuckExecutionStatuses as readonly string[]).includes(status);

/**
 * OrderStuck for an execution that stopped: a new one for each redrive that stops again, so its eventId ends with the
 * redrive count. The execution's cause is left out: it can quote the order's data.
 */
export function orderStuckDetail(detail: ExecutionStatusDetail): OrderStuckDetail | undefined {
  const orderId = orderIdOfExecutionName(detail.name);
  if (orderId === undefined || !isStuck(detail.status)) return undefined;
  return {
    schemaVersion: orderEvents.schemaVersion,
    eventId: `${orderId}:OrderStuck:${detail.redriveCount ?? 0}`,
    orderId,
    occurredAt: new Date(detail.stopDate ?? Date.now()).toISOString(),
    sequence: orderEventSequence.OrderStuck,
    status: detail.status,
    ...(detail.error && { error: detail.error.slice(0, 256) }),
  };
}

const publishOnce = idempotentStep(
  async (detail: OrderStuckDetail) => {
    await publishOrderEvent(config.orderEventBusArn, 'OrderStuck', detail);
    return { published: detail.eventId };
  },
  { tableName: config.idempotencyTableName, step: 'publish-order-stuck', eventKeyJmesPath: 'eventId' },
);

/** The target of the rule on the default bus for the order state machine's FAILED, TIMED_OUT and ABORTED executions. */
export const handler = async (event: EventBridgeEvent<string, ExecutionStatusDetail>, context?: Context): Promise<void> => {
  const detail = orderStuckDetail(event.detail);
  startInvocationLog(context, { orderId: detail?.orderId });
  if (!detail) {
    logger.warn('Not a stuck order execution; nothing published', { executionName: event.detail.name, status: event.detail.status });
    return;
  }
  publishOnce.registerContext(context);
  await publishOnce.run(detail);
  logger.info('OrderStuck published', { eventId: detail.eventId, status: detail.status, error: detail.error });
};
