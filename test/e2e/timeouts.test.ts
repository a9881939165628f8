import { anOrderAwaitingTheCakeMaker, anOrderOnItsWay } from '../steps/given';
import { closeShop, localOnly, localPowers, openShop, shopSettings, type Shop } from '../steps/shop';
import { anEmailArrives, statesEntered, theExecution, theOrderReaches } from '../steps/then';

jest.setTimeout(120_000);

const waits = shopSettings();
let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

const scenario = localOnly('the test clock (LocalStepFunctions.AdvanceClock)');

describe('people who never answer', () => {
  scenario('a cake maker who never answers is reminded, then the order is cancelled and the customer told', async () => {
    // GIVEN an order waiting for the cake maker
    const order = await anOrderAwaitingTheCakeMaker(shop);

    // WHEN the reminder time passes without an answer
    await localPowers(shop).advanceClock(waits.reminderAfterSeconds);

    // THEN the cake maker is reminded
    await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: `Reminder: please confirm order ${order.orderId}` });

    // WHEN the cancellation time passes too
    await localPowers(shop).advanceClock(waits.cancelAfterSeconds);

    // THEN the order is cancelled and the customer told why
    await anEmailArrives(shop, { to: order.request.email, subject: 'has been cancelled', mentioning: order.orderId });
    const cancelled = await theOrderReaches(shop, order.orderId, 'CANCELLED');
    expect(cancelled.timeline.pop()?.note).toBe('The cake maker did not confirm the order in time.');
    expect((await theExecution(shop, order.orderId)).status).toBe('SUCCEEDED');
    expect(await statesEntered(shop, order.orderId)).toEqual([
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
  });

  scenario('an order whose customer never confirms delivery closes as delivered-unconfirmed', async () => {
    // GIVEN an order on its way to the customer
    const order = await anOrderOnItsWay(shop);

    // WHEN the confirmation time passes without an answer
    await localPowers(shop).advanceClock(waits.deliveryConfirmationTimeoutSeconds);

    // THEN the order closes as delivered but unconfirmed
    await theOrderReaches(shop, order.orderId, 'DELIVERED_UNCONFIRMED');
    expect((await theExecution(shop, order.orderId)).status).toBe('SUCCEEDED');
    expect((await statesEntered(shop, order.orderId)).slice(-4)).toEqual([
      'Await Delivery Confirmation',
      'Close Order As Delivered Unconfirmed',
      'Publish Order Closed Unconfirmed',
      'Order Closed Unconfirmed',
    ]);
  });
});
