import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { tables } from '../infra/tables';
import { isTransientError } from './lib/aws-errors';
import { commonEnv, readConfig } from './lib/config';
import type { HttpResult } from './lib/http';
import { header, json, jsonProblem, parseBody } from './lib/http';
import { logger, startInvocationLog } from './lib/logger';
import { createOrderPlacement, PlacementFailed } from './lib/order-placement';
import { OrderRepository } from './lib/order-repository';
import { validateOrderDetails } from './lib/validation';
import { OrderWorkflow } from './lib/workflow';

const config = readConfig({
  ordersTableName: tables.orders.env,
  idempotencyTableName: tables.idempotency.env,
  stateMachineArn: commonEnv.stateMachineArn,
  publicBaseUrl: commonEnv.publicBaseUrl,
});

const placement = createOrderPlacement({
  orders: new OrderRepository(config.ordersTableName),
  workflow: new OrderWorkflow(config.stateMachineArn),
  idempotencyTableName: config.idempotencyTableName,
  publicBaseUrl: config.publicBaseUrl,
});

const idempotencyKeyPattern = /^[\x21-\x7E]{1,255}$/;

export const handler = async (event: APIGatewayProxyEventV2, context?: Context): Promise<HttpResult> => {
  startInvocationLog(context, {});
  placement.registerContext(context);
  const body = parseBody(event, ['json']);
  if (!body.ok) return jsonProblem(body.statusCode, body.message, body.errors);
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    return jsonProblem(400, 'The Idempotency-Key header is not valid.', [
      { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters.' },
    ]);
  }
  const details = validateOrderDetails(body.fields);
  if (!details.ok) {
    return jsonProblem(400, `Please correct: ${details.errors.map((error) => error.field).join(', ')}.`, details.errors);
  }
  try {
    const placed = idempotencyKey
      ? await placement.placeOnce({ idempotencyKey, order: details.value })
      : await placement.place(details.value);
    return json(201, placed, { Location: placed.statusUrl });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown';
    if (name === 'IdempotencyValidationError') {
      return jsonProblem(409, 'This Idempotency-Key was already used for a different order.', [
        { field: 'Idempotency-Key', message: 'Use a new Idempotency-Key for a new order.' },
      ]);
    }
    if (name === 'IdempotencyAlreadyInProgressError') {
      return jsonProblem(
        409,
        'An order with this Idempotency-Key is still being placed. Retry in a moment to get its result.',
        [{ field: 'Idempotency-Key', message: 'A request with this key is in progress.' }],
        { 'Retry-After': '1' },
      );
    }
    if (error instanceof PlacementFailed || isTransientError(error)) {
      logger.warn('Order not placed', { error: name });
      return jsonProblem(503, 'We could not take your order just now and nothing was stored. Please try again.', undefined, { 'Retry-After': '5' });
    }
    throw error;
  }
};
