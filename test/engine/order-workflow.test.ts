import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveSettings } from '../../infra/settings';
import { functionPlaceholders, orderStateMachineFile, settingPlaceholders } from '../../infra/wiring';
import { engineHarness, functionArn, NamedError, tokenInbox, type Harness } from './support/engine-harness';

const settings = resolveSettings();

/** statemachines/order.asl.json with each placeholder filled: handlers by local Lambda ARN, settings by value. */
function orderDefinition(): object {
  let text = readFileSync(resolve(__dirname, '../..', orderStateMachineFile), 'utf8');
  for (const [placeholder, handler] of Object.entries(functionPlaceholders)) text = text.split(`\${${placeholder}}`).join(functionArn(handler));
  for (const [placeholder, setting] of Object.entries(settingPlaceholders)) text = text.split(`\${${placeholder}}`).join(String(settings[setting]));
  return JSON.parse(text) as object;
}

interface Shop {
  harness: Harness;
  cakeMaker: ReturnType<typeof tokenInbox>;
  reminders: ReturnType<typeof tokenInbox>;
  customer: ReturnType<typeof tokenInbox>;
  statuses: { status: string; reason?: string }[];
  notices: string[];
  order(orderId: string): Promise<string>;
}

/** Small fake handlers that record what the workflow asked of them and hand out task tokens like emails would. */
async function openShop(options: { confirmationFails?: Error } = {}): Promise<Shop> {
  const cakeMaker = tokenInbox();
  const reminders = tokenInbox();
  const customer = tokenInbox();
  const statuses: { status: string; reason?: string }[] = [];
  const notices: string[] = [];
  const harness = await engineHarness({
    [functionArn('sendOrderConfirmation')]: () => {
      if (options.confirmationFails) throw options.confirmationFails;
      return { sent: true };
    },
    [functionArn('askCakeMaker')]: cakeMaker.handler,
    [functionArn('remindCakeMaker')]: reminders.handler,
    [functionArn('notifyDeliveryCompany')]: () => ({ notified: true }),
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
  });
  const machine = await harness.machine(orderDefinition(), 'order');
  return {
    harness,
    cakeMaker,
    reminders,
    customer,
    statuses,
    notices,
    order: (orderId) => harness.run(machine, { orderId }, `order-${orderId}`),
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
    expect(await shop.harness.statesEntered(execution)).toEqual([
      'Load Settings',
      'Send Order Confirmation',
      'Ask Cake Maker',
      'Notify Delivery Company',
      'Await Delivery Confirmation',
      'Forward Feedback',
      'Complete Order',
      'Order Completed',
    ]);
    expect((await shop.harness.describe(execution)).status).toBe('SUCCEEDED');
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
      'Send Order Confirmation',
      'Ask Cake Maker',
      'Remind Cake Maker',
      'Cancel Unfulfilled Order',
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

    // THEN the order is cancelled by the customer and the cake maker told
    expect((await shop.harness.statesEntered(execution)).slice(-3)).toEqual(['Mark Order Cancelled By Customer', 'Tell Cake Maker Order Cancelled', 'Order Cancelled']);
    expect(shop.statuses).toEqual([{ status: 'CANCELLED', reason: 'The customer cancelled the order.' }]);
    expect(shop.notices).toEqual(['cancelledByCustomer']);
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
    expect((await shop.harness.statesEntered(execution)).slice(-2)).toEqual(['Close Order As Delivered Unconfirmed', 'Order Closed Unconfirmed']);
    expect(shop.statuses).toEqual([{ status: 'DELIVERED_UNCONFIRMED', reason: 'The customer did not confirm delivery in time.' }]);
  });

  test('a task failing with an error nobody retries marks the order failed and fails the execution with that error', async () => {
    // GIVEN an order whose confirmation fails because the order is missing
    shop = await openShop({ confirmationFails: new NamedError('OrderNotFound', 'No order o-5') });

    // WHEN it is placed
    const execution = await shop.order('o-5');

    // THEN it took the compensation path and the execution names the cause
    expect((await shop.harness.statesEntered(execution)).slice(-3)).toEqual(['Mark Order Failed', 'Tell Customer Order Failed', 'Order Failed']);
    expect(shop.statuses[0].status).toBe('FAILED');
    expect(await shop.harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'OrderNotFound' });
    expect(shop.notices).toEqual(['orderFailed']);
  });
});
