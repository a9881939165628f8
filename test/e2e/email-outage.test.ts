import { linkTo } from '../support/mailbox';
import { closeShop, localOnly, localPowers, openShop, type Shop } from '../steps/shop';
import { anEmailArrives, emailsTo, theExecutionEnds, theOrderReaches, theTaskFails, theWorkflowWaitsIn } from '../steps/then';
import { anOrderRequest, customerPlacesOrder, json, personFollowsLinkAndSubmits } from '../steps/when';

jest.setTimeout(120_000);

/** Longer than any back-off of the workflow's DependencyUnavailable retry (MaxDelaySeconds). */
const pastAnyBackOff = 600;

let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

const scenario = localOnly('stopping the email service');

describe('the email service down for a while', () => {
  scenario('an order placed while email is down is confirmed once email is back, and goes on to complete', async () => {
    // GIVEN the email service is down
    await localPowers(shop).emailDown();

    // WHEN a customer places an order, and a retry falls due while email is still down
    const request = anOrderRequest();
    const placed = await customerPlacesOrder(shop, request);
    expect(placed.status).toBe(201);
    const { orderId } = json<{ orderId: string }>(placed);
    await theTaskFails(shop, orderId, 'DependencyUnavailable');
    await localPowers(shop).advanceClock(pastAnyBackOff);
    await theTaskFails(shop, orderId, 'DependencyUnavailable', 2);

    // AND email comes back before the next retry
    await localPowers(shop).emailUp();
    await localPowers(shop).advanceClock(pastAnyBackOff);

    // THEN the customer is told once and the cake maker asked
    await anEmailArrives(shop, { to: request.email, subject: 'We have your order', mentioning: orderId });
    const bakeRequest = await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: 'New order to bake', mentioning: orderId });
    expect(await emailsTo(shop, { to: request.email, subject: 'We have your order' })).toHaveLength(1);

    // AND the order completes as usual
    await theWorkflowWaitsIn(shop, orderId, 'Ask Cake Maker');
    await personFollowsLinkAndSubmits(linkTo(bakeRequest, 'fulfill'));
    const onItsWay = await anEmailArrives(shop, { to: request.email, subject: 'is on its way', mentioning: orderId });
    await theWorkflowWaitsIn(shop, orderId, 'Await Delivery Confirmation');
    await personFollowsLinkAndSubmits(linkTo(onItsWay, 'delivered'), { rating: '4' });
    await theExecutionEnds(shop, orderId);
    expect((await theOrderReaches(shop, orderId, 'COMPLETED')).status).toBe('COMPLETED');
  });
});
