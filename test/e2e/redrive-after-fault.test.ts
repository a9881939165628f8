import { linkTo, mentions } from '../support/mailbox';
import { anOrderAwaitingTheCakeMaker, anOrderOnItsWay } from '../steps/given';
import { opsRedrive, theRetriesRunOut, theStateItFailedIn, theStoredOrderIsCorrupted } from '../steps/faults';
import { closeShop, localOnly, localPowers, mailboxOf, openShop, shopSettings, type Shop } from '../steps/shop';
import { anEmailArrives, theExecution, theExecutionEnds, theOrderReaches, theTaskFails, theWorkflowWaitsIn } from '../steps/then';
import { anOrderRequest, customerPlacesOrder, json, personFollowsLinkAndSubmits } from '../steps/when';

jest.setTimeout(180_000);

/** One AdvanceClock of this many seconds fires any retry that is due: no back-off is longer. */
const longestBackOff = shopSettings().retryMaxDelaySeconds;

let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

const scenario = localOnly('stopping the email service and writing to the orders table');

/** Every email the shop sent about the order, as `recipient: subject`, sorted. */
async function emailsAbout(orderId: string): Promise<string[]> {
  return (await mailboxOf(shop).all())
    .filter((email) => mentions(email, orderId) || email.subject.includes(orderId))
    .map((email) => `${email.destination.to.join(',')}: ${email.subject.replace(orderId, '<order>')}`)
    .sort();
}

/** The emails one order's happy path sends, once each. */
function theHappyPathEmails(customer: string): string[] {
  return [
    `${customer}: We have your order: Carrot cake`,
    `${shop.people.cakeMaker}: New order to bake: 1 × Carrot cake`,
    `${shop.people.delivery}: Collection and delivery: order <order>`,
    `${customer}: Your Carrot cake is on its way`,
    `${shop.people.customerService}: Customer feedback for order <order>`,
  ].sort();
}

async function theExecutionFailsAt(orderId: string, state: string): Promise<void> {
  const execution = await theExecutionEnds(shop, orderId);
  expect(execution.status).toBe('FAILED');
  expect(await theStateItFailedIn(shop, orderId)).toBe(state);
}

async function theCustomerConfirmsDelivery(orderId: string, customer: string): Promise<void> {
  const onItsWay = await anEmailArrives(shop, { to: customer, subject: 'is on its way', mentioning: orderId });
  await theWorkflowWaitsIn(shop, orderId, 'Await Delivery Confirmation');
  await personFollowsLinkAndSubmits(linkTo(onItsWay, 'delivered'), { rating: '5' });
}

describe('redriving an order that stopped at a step that matters', () => {
  scenario('GIVEN Ask Cake Maker met an unexpected error WHEN the record is repaired and ops redrive THEN the cake maker is asked and the order completes, every email sent once', async () => {
    // GIVEN an order whose confirmation waits for a retry while its stored status is wrong
    await localPowers(shop).emailDown();
    const request = anOrderRequest();
    const { orderId } = json<{ orderId: string }>(await customerPlacesOrder(shop, request));
    await theTaskFails(shop, orderId, 'DependencyUnavailable');
    const repair = await theStoredOrderIsCorrupted(shop, orderId, 'status', { S: 'DELIVERED' });
    await localPowers(shop).emailUp();
    await localPowers(shop).advanceClock(longestBackOff);
    await theExecutionFailsAt(orderId, 'Ask Cake Maker');
    expect((await theExecution(shop, orderId)).error).toBe('OrderStateConflict');

    // WHEN the record is repaired and ops redrive the execution
    await repair();
    await opsRedrive(shop, orderId);

    // THEN the cake maker is asked, and the order goes on to complete
    const bake = await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: 'New order to bake', mentioning: orderId });
    await theWorkflowWaitsIn(shop, orderId, 'Ask Cake Maker');
    await personFollowsLinkAndSubmits(linkTo(bake, 'fulfill'));
    await theCustomerConfirmsDelivery(orderId, request.email);
    expect((await theExecutionEnds(shop, orderId)).status).toBe('SUCCEEDED');
    expect((await theOrderReaches(shop, orderId, 'COMPLETED')).status).toBe('COMPLETED');
    expect(await emailsAbout(orderId)).toEqual(theHappyPathEmails(request.email));
  });

  scenario('GIVEN email was down for longer than the retry budget at Notify Delivery Company WHEN email is back and ops redrive THEN the delivery company is told and the order completes, every email sent once', async () => {
    // GIVEN an order the cake maker fulfils while email is down, until the retries run out
    const order = await anOrderAwaitingTheCakeMaker(shop);
    await localPowers(shop).emailDown();
    await personFollowsLinkAndSubmits(order.fulfilLink);
    await theTaskFails(shop, order.orderId, 'DependencyUnavailable');
    await theRetriesRunOut(shop, order.orderId);
    await theExecutionFailsAt(order.orderId, 'Notify Delivery Company');
    expect((await theExecution(shop, order.orderId)).error).toBe('DependencyUnavailable');

    // WHEN email is back and ops redrive the execution
    await localPowers(shop).emailUp();
    await opsRedrive(shop, order.orderId);

    // THEN the order goes on from Notify Delivery Company and completes
    await theCustomerConfirmsDelivery(order.orderId, order.request.email);
    expect((await theExecutionEnds(shop, order.orderId)).status).toBe('SUCCEEDED');
    expect(await emailsAbout(order.orderId)).toEqual(theHappyPathEmails(order.request.email));
  });

  scenario('GIVEN Await Delivery Confirmation met an unexpected error WHEN the record is repaired and ops redrive THEN the customer is told the cake is on its way and the order completes, every email sent once', async () => {
    // GIVEN an order whose delivery notice waits for a retry while its stored status is wrong
    const order = await anOrderAwaitingTheCakeMaker(shop);
    await localPowers(shop).emailDown();
    await personFollowsLinkAndSubmits(order.fulfilLink);
    await theTaskFails(shop, order.orderId, 'DependencyUnavailable');
    const repair = await theStoredOrderIsCorrupted(shop, order.orderId, 'status', { S: 'DELIVERED' });
    await localPowers(shop).emailUp();
    await localPowers(shop).advanceClock(longestBackOff);
    await theExecutionFailsAt(order.orderId, 'Await Delivery Confirmation');

    // WHEN the record is repaired and ops redrive the execution
    await repair();
    await opsRedrive(shop, order.orderId);

    // THEN the customer gets the delivery link once and the order completes
    await theCustomerConfirmsDelivery(order.orderId, order.request.email);
    expect((await theExecutionEnds(shop, order.orderId)).status).toBe('SUCCEEDED');
    expect(await emailsAbout(order.orderId)).toEqual(theHappyPathEmails(order.request.email));
  });

  scenario('GIVEN Complete Order met an unexpected error WHEN the record is repaired and ops redrive THEN the order completes, every email sent once', async () => {
    // GIVEN a delivered order whose feedback waits for a retry while its stored timeline is unreadable
    const order = await anOrderOnItsWay(shop);
    await localPowers(shop).emailDown();
    await personFollowsLinkAndSubmits(order.deliveredLink, { rating: '5' });
    await theTaskFails(shop, order.orderId, 'DependencyUnavailable');
    const repair = await theStoredOrderIsCorrupted(shop, order.orderId, 'timeline', { S: 'not a list' });
    await localPowers(shop).emailUp();
    await localPowers(shop).advanceClock(longestBackOff);
    await theExecutionFailsAt(order.orderId, 'Complete Order');

    // WHEN the record is repaired and ops redrive the execution
    await repair();
    await opsRedrive(shop, order.orderId);

    // THEN the order completes, and no email went out twice
    expect((await theExecutionEnds(shop, order.orderId)).status).toBe('SUCCEEDED');
    expect((await theOrderReaches(shop, order.orderId, 'COMPLETED')).status).toBe('COMPLETED');
    expect(await emailsAbout(order.orderId)).toEqual(theHappyPathEmails(order.request.email));
  });
});
