import { lambdaFunctionArn, ManualClock, openEngine, type Engine, type PutEventsEntry } from '../../infra/local/engine';
import { resolveOrderDefinition } from '../../infra/order-definition';
import { resolveSettings } from '../../infra/settings';
import { functionPlaceholders, handlers, type HandlerName } from '../../infra/wiring';
import { happyPath } from '../steps/order-paths';

const settings = resolveSettings();
const arnOf = (handler: HandlerName) => lambdaFunctionArn({ region: 'us-east-1', accountId: '000000000000' }, handler);
const definition = resolveOrderDefinition(
  Object.fromEntries(Object.keys(handlers).map((handler) => [handler, arnOf(handler as HandlerName)])) as Record<HandlerName, string>,
  settings,
);

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const emailDown = () => new NamedError('DependencyUnavailable', 'Email (SES) is unavailable (ECONNREFUSED)');

interface Run {
  engine: Engine;
  executionArn: string;
  /** Payloads each stand-in handler received, in order. */
  calls: Map<HandlerName, Record<string, unknown>[]>;
  /** Handlers that throw, by name, given their payload (none for `undefined`); a test removes the fault by deleting the entry. */
  faults: Partial<Record<HandlerName, (payload: Record<string, unknown>) => Error | undefined>>;
  /** Every entry the order events bus accepted, in order. */
  published: PutEventsEntry[];
  /** What the bus fails the next PutEvents with, when set; a test clears it to end the outage. */
  busFault: { error?: () => Error };
  /** Answers the callback task the named handler was last invoked for. */
  answer(handler: HandlerName, output?: object): Promise<void>;
}

/** One order on the local engine, with stand-in handlers that record their payloads and throw what `faults` says. */
async function placeOrder(faults: Run['faults'] = {}, busFault: Run['busFault'] = {}): Promise<Run> {
  const published: PutEventsEntry[] = [];
  const calls = new Map<HandlerName, Record<string, unknown>[]>();
  const lambdas = Object.fromEntries(
    Object.values(functionPlaceholders).map((handler) => [
      arnOf(handler),
      (payload: unknown) => {
        calls.set(handler, [...(calls.get(handler) ?? []), payload as Record<string, unknown>]);
        const error = faults[handler]?.(payload as Record<string, unknown>);
        if (error) throw error;
        return {};
      },
    ]),
  );
  const eventBridge = async ({ Entries }: { Entries: PutEventsEntry[] }) => {
    const error = busFault.error?.();
    if (error) throw error;
    published.push(...Entries);
    return { FailedEntryCount: 0, Entries: Entries.map((_entry, index) => ({ EventId: `event-${published.length + index}` })) };
  };
  const engine = await openEngine({ store: 'memory', clock: new ManualClock(), lambdas, eventBridge });
  const { stateMachineArn } = await engine.createStateMachine({ name: 'order', definition });
  const { executionArn } = await engine.startExecution({
    stateMachineArn,
    name: 'order-o-1',
    input: JSON.stringify({ orderId: 'o-1', productId: 'carrot-cake', quantity: 2 }),
  });
  await engine.whenIdle();
  if (!executionArn) throw new Error('The order execution did not start');
  return {
    engine,
    executionArn,
    calls,
    faults,
    published,
    busFault,
    answer: async (handler, output = {}) => {
      const token = calls.get(handler)?.at(-1)?.taskToken;
      if (typeof token !== 'string') throw new Error(`${handler} was not invoked as a callback task`);
      await engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify(output) });
      await engine.whenIdle();
    },
  };
}

async function statesEntered(run: Run): Promise<string[]> {
  const { events = [] } = await run.engine.getExecutionHistory({ executionArn: run.executionArn, maxResults: 1000 });
  return events.flatMap((event) => (event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : []));
}

const status = async (run: Run) => (await run.engine.describeExecution({ executionArn: run.executionArn })).status;

/** Moves the clock one longest back-off at a time until the execution stops retrying and leaves `state`. */
async function retriesRunOut(run: Run, state: string): Promise<void> {
  for (let hop = 0; hop <= settings.retryMaxAttempts; hop++) {
    const entered = await statesEntered(run);
    if (entered.at(-1) !== state || (await status(run)) !== 'RUNNING') {
      if (entered.at(-1) === state && (await status(run)) !== 'FAILED') throw new Error(`The execution is ${await status(run)} in ${state}`);
      return;
    }
    await run.engine.advanceClock(settings.retryMaxDelaySeconds);
  }
  throw new Error(`${state} was still retrying after ${settings.retryMaxAttempts} back-offs`);
}

const invocations = (run: Run, handler: HandlerName) => run.calls.get(handler)?.length ?? 0;

describe('a technical fault in a step that matters', () => {
  let run: Run | undefined;
  afterEach(async () => run?.engine.close());

  it('GIVEN the cake maker cannot be emailed for longer than the retry budget WHEN the retries run out THEN the execution fails at Ask Cake Maker and the customer is told nothing', async () => {
    run = await placeOrder({ askCakeMaker: emailDown });

    await retriesRunOut(run, 'Ask Cake Maker');

    expect(await run.engine.describeExecution({ executionArn: run.executionArn })).toMatchObject({ status: 'FAILED', error: 'DependencyUnavailable' });
    expect((await statesEntered(run)).at(-1)).toBe('Ask Cake Maker');
    expect(invocations(run, 'askCakeMaker')).toBe(settings.retryMaxAttempts + 1);
    expect(run.calls.get('sendNotice')).toBeUndefined();
    expect(run.calls.get('setOrderStatus')).toBeUndefined();
  });

  it('GIVEN the execution failed at Ask Cake Maker WHEN the fault is gone and it is redriven THEN Ask Cake Maker runs again and the order completes', async () => {
    run = await placeOrder({ askCakeMaker: emailDown });
    await retriesRunOut(run, 'Ask Cake Maker');
    const confirmationsBefore = invocations(run, 'sendOrderConfirmation');

    delete run.faults.askCakeMaker;
    await run.engine.redriveExecution({ executionArn: run.executionArn });
    await run.engine.whenIdle();
    await run.answer('askCakeMaker');
    await run.answer('awaitDeliveryConfirmation', { rating: 5 });

    expect(await status(run)).toBe('SUCCEEDED');
    expect(invocations(run, 'sendOrderConfirmation')).toBe(confirmationsBefore);
    expect(invocations(run, 'askCakeMaker')).toBe(settings.retryMaxAttempts + 2);
    expect((await statesEntered(run)).slice(-12)).toEqual(happyPath({ rated: true }).slice(-12));
  });

  it('GIVEN a handler meets an unexpected error WHEN the workflow sees it THEN the execution fails at that task at once, naming the error, and no order is marked failed', async () => {
    run = await placeOrder({ notifyDeliveryCompany: () => new NamedError('OrderStateConflict', 'The order is CANCELLED') });
    await run.answer('askCakeMaker');

    const execution = await run.engine.describeExecution({ executionArn: run.executionArn });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'OrderStateConflict' });
    expect(execution.cause).toContain('The order is CANCELLED');
    expect((await statesEntered(run)).at(-1)).toBe('Notify Delivery Company');
    expect(invocations(run, 'notifyDeliveryCompany')).toBe(1);
    expect(run.calls.get('setOrderStatus')).toBeUndefined();
  });

  it.each([
    ['a handler timing out', 'Sandbox.Timedout'],
    ['Lambda throttling', 'Lambda.TooManyRequestsException'],
    ['a dependency down or throttling', 'DependencyUnavailable'],
  ])('GIVEN %s once WHEN the retry falls due THEN the step runs again and the order goes on', async (_what, error) => {
    const faults: Run['faults'] = {};
    faults.notifyDeliveryCompany = () => {
      delete faults.notifyDeliveryCompany;
      return new NamedError(error, 'passing fault');
    };
    run = await placeOrder(faults);
    await run.answer('askCakeMaker');

    await run.engine.advanceClock(settings.retryMaxDelaySeconds);

    expect(invocations(run, 'notifyDeliveryCompany')).toBe(2);
    expect((await statesEntered(run)).at(-1)).toBe('Await Delivery Confirmation');
  });
});

describe('a step that does not decide the order fails', () => {
  let run: Run | undefined;
  afterEach(async () => run?.engine.close());

  it('GIVEN the order confirmation cannot be sent after every retry WHEN the retries run out THEN that is recorded on the order and the cake maker is still asked', async () => {
    run = await placeOrder({ sendOrderConfirmation: emailDown });

    await retriesRunOut(run, 'Send Order Confirmation');

    expect(await statesEntered(run)).toEqual(['Load Settings', 'Publish Order Placed', 'Send Order Confirmation', 'Record Order Confirmation Not Sent', 'Ask Cake Maker']);
    expect(run.calls.get('recordUnsentMessage')).toEqual([expect.objectContaining({ orderId: 'o-1', message: 'orderConfirmation' })]);
    expect(await status(run)).toBe('RUNNING');
  });

  it('GIVEN the reminder cannot be sent WHEN its retries run out THEN the order keeps waiting for the cake maker, whose answer still completes it', async () => {
    run = await placeOrder({ remindCakeMaker: emailDown });
    await run.engine.advanceClock(settings.reminderAfterSeconds);

    await retriesRunOut(run, 'Remind Cake Maker');
    await run.answer('recordUnsentMessage');
    await run.answer('awaitDeliveryConfirmation');

    expect(run.calls.get('recordUnsentMessage')).toEqual([expect.objectContaining({ message: 'reminder', taskToken: expect.any(String) })]);
    expect(await statesEntered(run)).toContain('Keep Waiting For Cake Maker');
    expect(await status(run)).toBe('SUCCEEDED');
  });

  it('GIVEN the reminder was not sent WHEN the cake maker still never answers THEN the order is cancelled as unfulfilled, as before', async () => {
    run = await placeOrder({ remindCakeMaker: emailDown });
    await run.engine.advanceClock(settings.reminderAfterSeconds);
    await retriesRunOut(run, 'Remind Cake Maker');

    await run.engine.advanceClock(settings.cancelAfterSeconds);

    expect((await statesEntered(run)).slice(-5)).toEqual([
      'Keep Waiting For Cake Maker',
      'Cancel Unfulfilled Order',
      'Publish Unfulfilled Order Cancelled',
      'Tell Customer Order Cancelled',
      'Order Cancelled',
    ]);
  });

  it('GIVEN the customer cancelled and their confirmation cannot be sent WHEN its retries run out THEN that is recorded and the order still ends cancelled', async () => {
    run = await placeOrder({ sendNotice: (payload) => (payload.notice === 'cancellationConfirmed' ? emailDown() : undefined) });
    await run.engine.sendTaskFailure({ taskToken: run.calls.get('askCakeMaker')?.[0]?.taskToken as string, error: 'OrderCancelled' });
    await run.engine.whenIdle();

    await retriesRunOut(run, 'Confirm Cancellation To Customer');

    expect((await statesEntered(run)).slice(-4)).toEqual(['Tell Cake Maker Order Cancelled', 'Confirm Cancellation To Customer', 'Record Cancellation Confirmation Not Sent', 'Order Cancelled']);
    expect(run.calls.get('recordUnsentMessage')).toEqual([expect.objectContaining({ orderId: 'o-1', message: 'cancellationConfirmation' })]);
    expect(await status(run)).toBe('SUCCEEDED');
  });

  it('GIVEN the feedback cannot be forwarded WHEN its retries run out THEN that is recorded and the order completes', async () => {
    run = await placeOrder({ forwardFeedback: emailDown });
    await run.answer('askCakeMaker');
    await run.answer('awaitDeliveryConfirmation', { rating: 2 });

    await retriesRunOut(run, 'Forward Feedback');

    expect((await statesEntered(run)).slice(-4)).toEqual(['Record Feedback Not Forwarded', 'Complete Order', 'Publish Order Completed', 'Order Completed']);
    expect(run.calls.get('recordUnsentMessage')).toEqual([expect.objectContaining({ message: 'feedback' })]);
    expect(await status(run)).toBe('SUCCEEDED');
  });
});

describe('the business endings', () => {
  let run: Run | undefined;
  afterEach(async () => run?.engine.close());

  it('GIVEN the cake maker does not answer in time WHEN the wait times out THEN the cake maker is reminded, not asked again', async () => {
    run = await placeOrder();

    await run.engine.advanceClock(settings.reminderAfterSeconds);

    expect(invocations(run, 'askCakeMaker')).toBe(1);
    expect((await statesEntered(run)).at(-1)).toBe('Remind Cake Maker');
  });

  it('GIVEN the customer cancels WHEN the wait fails with OrderCancelled THEN the order is marked cancelled, the cake maker told and the customer sent a confirmation', async () => {
    run = await placeOrder();
    const token = run.calls.get('askCakeMaker')?.[0]?.taskToken as string;

    await run.engine.sendTaskFailure({ taskToken: token, error: 'OrderCancelled' });
    await run.engine.whenIdle();

    expect((await statesEntered(run)).slice(-5)).toEqual([
      'Mark Order Cancelled By Customer',
      'Publish Order Cancelled By Customer',
      'Tell Cake Maker Order Cancelled',
      'Confirm Cancellation To Customer',
      'Order Cancelled',
    ]);
    expect(run.calls.get('sendNotice')?.map((payload) => payload.notice)).toEqual(['cancelledByCustomer', 'cancellationConfirmed']);
  });

  it('GIVEN the customer never confirms delivery WHEN the wait times out THEN the order closes as delivered unconfirmed', async () => {
    run = await placeOrder();
    await run.answer('askCakeMaker');

    await run.engine.advanceClock(settings.deliveryConfirmationTimeoutSeconds);

    expect(invocations(run, 'awaitDeliveryConfirmation')).toBe(1);
    expect((await statesEntered(run)).slice(-3)).toEqual(['Close Order As Delivered Unconfirmed', 'Publish Order Closed Unconfirmed', 'Order Closed Unconfirmed']);
  });
});

const detailOf = (entry: PutEventsEntry) => JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>;

describe("the order's domain events", () => {
  let run: Run | undefined;
  afterEach(async () => run?.engine.close());

  it('GIVEN an order that is baked, delivered and rated WHEN it completes THEN its events are published in the order of its life, each naming the execution', async () => {
    run = await placeOrder();

    await run.answer('askCakeMaker', { fulfilledAt: '2026-03-14T10:00:00.000Z' });
    await run.answer('awaitDeliveryConfirmation', { deliveredAt: '2026-03-14T12:00:00.000Z', rating: 4, comment: 'Lovely' });

    expect(await status(run)).toBe('SUCCEEDED');
    expect(run.published.map((entry) => [entry.DetailType, detailOf(entry).sequence])).toEqual([
      ['OrderPlaced', 1],
      ['CakeFulfilled', 2],
      ['OrderOutForDelivery', 3],
      ['OrderDelivered', 4],
      ['FeedbackReceived', 5],
      ['OrderCompleted', 6],
    ]);
    expect(detailOf(run.published[0])).toEqual(expect.objectContaining({ eventId: 'o-1:OrderPlaced', orderId: 'o-1', productId: 'carrot-cake', quantity: 2 }));
    expect(detailOf(run.published[4])).toEqual(expect.objectContaining({ rating: 4 }));
    expect(JSON.stringify(run.published)).not.toContain('Lovely');
    expect(run.published.every((entry) => entry.Resources?.includes(run!.executionArn))).toBe(true);
  });

  it('GIVEN a customer who confirms delivery without a rating WHEN the order completes THEN no FeedbackReceived is published', async () => {
    run = await placeOrder();

    await run.answer('askCakeMaker');
    await run.answer('awaitDeliveryConfirmation', { deliveredAt: '2026-03-14T12:00:00.000Z' });

    expect(run.published.map((entry) => entry.DetailType)).toEqual(['OrderPlaced', 'CakeFulfilled', 'OrderOutForDelivery', 'OrderDelivered', 'OrderCompleted']);
  });

  it('GIVEN the bus throttles once WHEN the retry falls due THEN the event is published and the order goes on', async () => {
    const busFault: Run['busFault'] = {};
    busFault.error = () => {
      delete busFault.error;
      return new NamedError('ThrottlingException', 'Rate exceeded');
    };
    run = await placeOrder({}, busFault);

    await run.engine.advanceClock(settings.throttleRetryMaxDelaySeconds);

    expect(run.published.map((entry) => entry.DetailType)).toEqual(['OrderPlaced']);
    expect((await statesEntered(run)).at(-1)).toBe('Ask Cake Maker');
  });

  it('GIVEN the bus is down for longer than the retry budget WHEN the retries run out THEN the event is recorded on the order as not published and the order goes on', async () => {
    run = await placeOrder({}, { error: () => new NamedError('InternalException', 'EventBridge is unavailable') });

    await retriesRunOut(run, 'Publish Order Placed');

    expect((await statesEntered(run)).slice(0, 5)).toEqual(['Load Settings', 'Publish Order Placed', 'Record Order Placed Not Published', 'Send Order Confirmation', 'Ask Cake Maker']);
    expect(run.calls.get('recordUnsentMessage')).toEqual([expect.objectContaining({ orderId: 'o-1', unpublishedEvents: ['OrderPlaced'] })]);
    expect(await status(run)).toBe('RUNNING');
  });

  it('GIVEN the retries of Publish Order Placed run out WHEN it is recorded THEN the record carries the very event it built, to re-publish as is', async () => {
    run = await placeOrder({}, { error: () => new NamedError('InternalException', 'EventBridge is unavailable') });

    await retriesRunOut(run, 'Publish Order Placed');

    const { events = [] } = await run.engine.getExecutionHistory({ executionArn: run.executionArn, maxResults: 1000 });
    const entered = events.find((event) => event.stateEnteredEventDetails?.name === 'Publish Order Placed')?.timestamp;
    const recorded = run.calls.get('recordUnsentMessage')?.[0] as { details?: Record<string, Record<string, unknown>> };
    expect(recorded.details).toEqual({
      OrderPlaced: { schemaVersion: 1, eventId: 'o-1:OrderPlaced', orderId: 'o-1', occurredAt: expect.any(String), sequence: 1, productId: 'carrot-cake', quantity: 2 },
    });
    // occurredAt is when the workflow reached the Publish state, as in the event it would have published, not when it gave up.
    expect(new Date(String(recorded.details?.OrderPlaced.occurredAt)).getTime()).toBe(new Date(entered ?? 0).getTime());
  });

  it('GIVEN the customer cancels WHEN the order ends THEN OrderCancelled with its reason and OrderCompleted are published together', async () => {
    run = await placeOrder();

    await run.engine.sendTaskFailure({ taskToken: run.calls.get('askCakeMaker')?.[0]?.taskToken as string, error: 'OrderCancelled' });
    await run.engine.whenIdle();

    expect(run.published.map((entry) => [entry.DetailType, detailOf(entry).reason ?? detailOf(entry).outcome])).toEqual([
      ['OrderPlaced', undefined],
      ['OrderCancelled', 'cancelledByCustomer'],
      ['OrderCompleted', 'cancelled'],
    ]);
  });
});
