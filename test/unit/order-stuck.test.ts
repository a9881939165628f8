import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ExecutionStatusDetail } from '../../functions/publish-order-stuck';
import { lambdaContext } from '../fixtures/lambda-context';
import { executionArnOf, useTestShop } from '../fixtures/order-journey';
import { orderEventBusArn } from '../fixtures/test-shop';
import { schemaErrors } from '../support/order-event-schemas';

const world = useTestShop();
const stoppedAt = Date.UTC(2026, 2, 14, 9, 30, 12, 345);

/** Step Functions' status change for an order's execution, as the rule on the default bus delivers it. */
function statusChange(orderId: string, detail: Partial<ExecutionStatusDetail> = {}): EventBridgeEvent<string, ExecutionStatusDetail & { cause: string }> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-03-14T09:30:12Z',
    region: 'eu-west-1',
    resources: [executionArnOf(orderId)],
    detail: { name: `order-${orderId}`, status: 'FAILED', stopDate: stoppedAt, error: 'DependencyUnavailable', cause: 'The email service for ada@example.com is down', redriveCount: 0, ...detail },
  };
}

const published = () =>
  world.shop.eventBridge.commandCalls(PutEventsCommand).flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => ({ ...entry, Detail: JSON.parse(entry.Detail ?? '{}') })));

describe('publishing OrderStuck from Step Functions status changes', () => {
  beforeEach(() => {
    world.shop.eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  });

  it('GIVEN an order execution FAILED WHEN its status change arrives THEN OrderStuck goes on the order bus with the error name, never the cause', async () => {
    const orderId = randomUUID();

    await world.handlers.publishOrderStuck(statusChange(orderId), lambdaContext());

    expect(published()).toEqual([
      {
        EventBusName: orderEventBusArn,
        Source: 'cake-shop.orders',
        DetailType: 'OrderStuck',
        Detail: { schemaVersion: 1, eventId: `${orderId}:OrderStuck:0`, orderId, occurredAt: '2026-03-14T09:30:12.345Z', sequence: 0, status: 'FAILED', error: 'DependencyUnavailable' },
      },
    ]);
    expect(schemaErrors('OrderStuck', published()[0].Detail)).toEqual([]);
    expect(JSON.stringify(published())).not.toContain('ada@example.com');
  });

  it('GIVEN the status change is delivered twice WHEN both arrive THEN OrderStuck is published once', async () => {
    const orderId = randomUUID();
    const change = statusChange(orderId, { status: 'TIMED_OUT', error: 'States.Timeout' });

    await world.handlers.publishOrderStuck(change, lambdaContext());
    await world.handlers.publishOrderStuck({ ...change, id: randomUUID() }, lambdaContext());

    expect(published().map((entry) => entry.Detail.eventId)).toEqual([`${orderId}:OrderStuck:0`]);
  });

  it('GIVEN a redriven execution stops again WHEN its status change arrives THEN a second OrderStuck follows, told apart by the redrive count', async () => {
    const orderId = randomUUID();

    await world.handlers.publishOrderStuck(statusChange(orderId), lambdaContext());
    await world.handlers.publishOrderStuck(statusChange(orderId, { status: 'ABORTED', error: undefined, redriveCount: 1 }), lambdaContext());

    expect(published().map((entry) => [entry.Detail.eventId, entry.Detail.status, entry.Detail.error])).toEqual([
      [`${orderId}:OrderStuck:0`, 'FAILED', 'DependencyUnavailable'],
      [`${orderId}:OrderStuck:1`, 'ABORTED', undefined],
    ]);
  });

  it.each([
    ['an execution that is not an order', { name: 'nightly-report' }],
    ['an execution named like an order without an order id', { name: 'order-42' }],
    ['an order execution that SUCCEEDED', { status: 'SUCCEEDED', error: undefined }],
  ])('GIVEN %s WHEN its status change arrives THEN nothing is published', async (_what, detail) => {
    await world.handlers.publishOrderStuck(statusChange(randomUUID(), detail), lambdaContext());

    expect(published()).toEqual([]);
  });

  it('GIVEN EventBridge refuses the entry WHEN the status change arrives THEN it fails as DependencyUnavailable, and the retry publishes', async () => {
    const orderId = randomUUID();
    world.shop.eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-2' }] });

    await expect(world.handlers.publishOrderStuck(statusChange(orderId), lambdaContext())).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    await world.handlers.publishOrderStuck(statusChange(orderId), lambdaContext());

    expect(published().map((entry) => entry.Detail.eventId)).toEqual([`${orderId}:OrderStuck:0`, `${orderId}:OrderStuck:0`]);
  });
});
