import { resolveOrderDefinition } from '../../infra/order-definition';
import { resolveSettings } from '../../infra/settings';
import { handlers, type HandlerName } from '../../infra/wiring';
import { engineHarness, functionArn, NamedError, tokenInbox, type Harness } from './support/engine-harness';
import { happyPath } from '../steps/order-paths';

const settings = resolveSettings();

/** statemachines/order.asl.json as both targets resolve it: handlers by local Lambda ARN, settings by value. */
function orderDefinition(): object {
  const functionArns = Object.fromEntries((Object.keys(handlers) as HandlerName[]).map((name) => [name, functionArn(name)])) as Record<HandlerName, string>;
  return JSON.parse(resolveOrderDefinition(functionArns, settings)) as object;
}

interface Shop {
  harness: Harness;
  cakeMaker: ReturnType<typeof tokenInbox>;
  reminders: ReturnType<typeof tokenInbox>;
  customer: ReturnType<typeof tokenInbox>;
  statuses: { status: string; reason?: string }[];
  notices: string[];
  /** The detail types put on the order events bus, in order. */
  events: string[];
  order(orderId: string): Promise<string>;
}

/** Small fake handlers that record what the workflow asked of them and hand out task tokens like emails would. */
async function openShop(options: { deliveryNoticeFails?: Error } = {}): Promise<Shop> {
  const cakeMaker = tokenInbox();
  const reminders = tokenInbox();
  const customer = tokenInbox();
  const statuses: { status: string; reason?: string }[] = [];
  const notices: string[] = [];
  const events: string[] = [];
  const eventBridge = async ({ Entries }: { Entries: { DetailType?: string }[] }) => {
    events.push(...Entries.map((entry) => entry.DetailType ?? ''));
    return { FailedEntryCount: 0, Entries: Entries.map((_entry, index) => ({ EventId: `event-${events.length + index}` })) };
  };
  const harness = await engineHarness({
    [functionArn('sendOrderConfirmation')]: () => ({ sent: true }),
    [functionArn('askCakeMaker')]: cakeMaker.handler,
    [functionArn('remindCakeMaker')]: reminders.handler,
    [functionArn('notifyDeliveryCompany')]: () => {
      if (options.deliveryNoticeFails) throw options.deliveryNoticeFails;
      return { notified: true };
    },
    [functionArn('awaitDeliveryConfirmation')]: customer.handler,
    [functionArn('forwardFeedback')]: () => ({ forwarded: true }),
    [functionArn('setOrderStatus')]: (payload) => {
      const { status, reason } = payload as { status: string; reason?: string };
      statuses.push(reason === undefined ? { status } : { status, reason });
      return { status };
    },
    [functionArn('sendNotice')]: (payload) => {
      notices.push((payload as { notice: string }).notice);
      return { sent: true };
    },
  }, { eventBridge });
  const machine = await harness.machine(orderDefinition(), 'order');
  return {
    harness,
    cakeMaker,
    reminders,
    customer,
    statuses,
    notices,
    events,
    order: (orderId) => harness.run(machine, { orderId, productId: 'carrot-cake', quantity: 1 }, `order-${orderId}`),
  };
}

describe('the order workflow on the local engine', () => {
  let shop: Shop;
  afterEach(() => shop.harness.close());

  test('an order the cake maker accepts and the customer confirms ends in Order Completed', async () => {
    // GIVEN a placed order
    shop = await openShop();
    const execution = await shop.order('o-1');

    // WHEN the cake maker fulfils it and the customer confirms delivery with feedback
    await shop.harness.engine.sendTaskSuccess({ taskToken: shop.cakeMaker.latest(), output: JSON.stringify({ fulfilledAt: '2026-01-02T10:00:00Z' }) });
    await shop.harness.engine.whenIdle();
    await shop.harness.engine.sendTaskSuccess({ taskToken: shop.customer.latest(), output: JSON.stringify({ feedback: 'Delicious' }) });
    await shop.harness.engine.whenIdle();

    // THEN the order went the happy path and was marked COMPLETED
    expect(await shop.harness.statesEntered(execution)).toEqual(happyPath({ rated: false }));
    expect((await shop.harness.describe(execution)).status).toBe('SUCCEEDED');
    // AND its events went to the bus in the order of its life; the feedback had no rating, so no FeedbackReceived
    expect(shop.events).toEqual(['OrderPlaced', 'CakeFulfilled', 'OrderOutForDelivery', 'OrderDelivered', 'OrderCompleted']);
    expect(shop.statuses).toEqual([{ status: 'COMPLETED' }]);
  });

  test('a cake maker who never answers is reminded after a day and the order cancelled after two more', async () => {
    // GIVEN a placed order nobody answers
    shop = await openShop();
    const execution = await shop.order('o-2');

    // WHEN the reminder period and then the cancel period pass
    await shop.harness.advance(settings.reminderAfterSeconds);
    const remindersSent = shop.reminders.tokens.length;
    await shop.harness.advance(settings.cancelAfterSeconds);

    // THEN the cake maker was reminded once, the order cancelled as unfulfilled and the customer told
    expect(remindersSent).toBe(1);
    expect(await shop.harness.statesEntered(execution)).toEqual([
      'Load Settings',
      'Publish Order Placed',
      'Send Order Confirmation',
      'Ask Cake Maker',
      'Remind Cake Maker',
      'Cancel Unfulfilled Order',
      'Publish Unfulfilled Order Cancelled',
      'Tell Customer Order Cancelled',
      'Order Cancelled',
    ]);
    expect(shop.statuses).toEqual([{ status: 'CANCELLED', reason: 'The cake maker did not confirm the order in time.' }]);
    expect(shop.notices).toEqual(['cancelledUnfulfilled']);
  });

  test('a customer cancelling while the cake maker decides ends in Order Cancelled and the cake maker is told', async () => {
    // GIVEN an order waiting for the cake maker
    shop = await openShop();
    const execution = await shop.order('o-3');

    // WHEN the customer's cancellation fails the waiting task with OrderCancelled
    await shop.harness.engine.sendTaskFailure({ taskToken: shop.cakeMaker.latest(), error: 'OrderCancelled', cause: 'Changed my mind' });
    await shop.harness.engine.whenIdle();

    // THEN the order is cancelled by the customer, the cake maker told and the customer's cancellation confirmed
    expect((await shop.harness.statesEntered(execution)).slice(-5)).toEqual([
      'Mark Order Cancelled By Customer',
      'Publish Order Cancelled By Customer',
      'Tell Cake Maker Order Cancelled',
      'Confirm Cancellation To Customer',
      'Order Cancelled',
    ]);
    expect(shop.statuses).toEqual([{ status: 'CANCELLED', reason: 'The customer cancelled the order.' }]);
    expect(shop.notices).toEqual(['cancelledByCustomer', 'cancellationConfirmed']);
  });

  test('a delivery the customer never confirms closes the order as delivered unconfirmed after a week', async () => {
    // GIVEN an order the cake maker fulfilled
    shop = await openShop();
    const execution = await shop.order('o-4');
    await shop.harness.engine.sendTaskSuccess({ taskToken: shop.cakeMaker.latest(), output: '{}' });
    await shop.harness.engine.whenIdle();

    // WHEN the delivery confirmation period passes in silence
    await shop.harness.advance(settings.deliveryConfirmationTimeoutSeconds);

    // THEN the order is closed as delivered but unconfirmed
    expect((await shop.harness.statesEntered(execution)).slice(-3)).toEqual(['Close Order As Delivered Unconfirmed', 'Publish Order Closed Unconfirmed', 'Order Closed Unconfirmed']);
    expect(shop.statuses).toEqual([{ status: 'DELIVERED_UNCONFIRMED', reason: 'The customer did not confirm delivery in time.' }]);
  });

  test('a step that matters failing with an error nobody retries stops the execution at that step, telling nobody', async () => {
    // GIVEN an order whose delivery company cannot be told, because the order record is missing
    shop = await openShop({ deliveryNoticeFails: new NamedError('OrderNotFound', 'No order o-5') });

    // WHEN it is placed and the cake maker fulfils it
    const execution = await shop.order('o-5');
    await shop.harness.engine.sendTaskSuccess({ taskToken: shop.cakeMaker.latest(), output: JSON.stringify({ fulfilledAt: '2026-11-21T10:00:00Z' }) });
    await shop.harness.engine.whenIdle();

    // THEN the execution failed at Notify Delivery Company with that error, for ops to fix and redrive
    expect((await shop.harness.statesEntered(execution)).slice(-1)).toEqual(['Notify Delivery Company']);
    expect(await shop.harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'OrderNotFound' });

    // AND no order status was changed and no notice went to anyone
    expect(shop.statuses).toEqual([]);
    expect(shop.notices).toEqual([]);
  });
});
