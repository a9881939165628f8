import { linkTo } from '../support/mailbox';
import { anOrderAwaitingTheCakeMaker } from '../steps/given';
import { closeShop, localOnly, openShop, readsEmail, type Shop } from '../steps/shop';
import { anEmailArrives, emailsTo, statesEntered, theExecution, theExecutionAt, theExecutionEnds, theOrder, theOrderReaches } from '../steps/then';
import { anOrderRequest, customerPlacesOrder, formOn, json, personFollowsLinkAndSubmits, personOpens, personPostsForm } from '../steps/when';
import { happyPath } from '../steps/order-paths';

jest.setTimeout(120_000);

let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

const scenario = readsEmail();

describe('an order from placement to feedback', () => {
  scenario('a customer orders a cake, the cake maker bakes it, it is delivered and the feedback reaches customer service', async () => {
    // GIVEN a customer who wants a lemon drizzle cake
    const request = anOrderRequest({ productId: 'lemon-drizzle', name: 'Grace Hopper' });

    // WHEN they place the order
    const placed = await customerPlacesOrder(shop, request);

    // THEN it is accepted, they are told, and the cake maker is asked to bake the named cake
    expect(placed.status).toBe(201);
    const { orderId } = json<{ orderId: string }>(placed);
    await anEmailArrives(shop, { to: request.email, subject: 'We have your order: Lemon drizzle cake', mentioning: orderId });
    const bakeRequest = await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: 'New order to bake: 1 × Lemon drizzle cake', mentioning: orderId });
    const fulfilLink = linkTo(bakeRequest, 'fulfill');

    // WHEN the cake maker opens the fulfil link
    const page = await personOpens(fulfilLink);

    // THEN they see the order, and nothing has changed yet
    expect(page.status).toBe(200);
    expect(page.text).toContain('Lemon drizzle cake');
    expect((await theOrder(shop, orderId)).status).toBe('PLACED');

    // WHEN they press the button
    const fulfilled = await personFollowsLinkAndSubmits(fulfilLink);

    // THEN the delivery company is told, and the customer hears the cake is on its way
    expect(fulfilled.status).toBe(200);
    await anEmailArrives(shop, { to: shop.people.delivery, subject: 'Collection and delivery', mentioning: orderId });
    const onItsWay = await anEmailArrives(shop, { to: request.email, subject: 'Your Lemon drizzle cake is on its way', mentioning: orderId });

    // WHEN the customer confirms delivery with a rating and a comment
    const confirmed = await personFollowsLinkAndSubmits(linkTo(onItsWay, 'delivered'), { rating: '5', comment: 'Sharp & sweet, <b>perfect</b>.' });

    // THEN customer service gets the feedback, and the order is complete
    expect(confirmed.status).toBe(200);
    const feedback = await anEmailArrives(shop, { to: shop.people.customerService, subject: 'Customer feedback', mentioning: orderId });
    expect(feedback.body.text).toContain('5 out of 5');
    expect(feedback.body.text).toContain('Sharp & sweet, <b>perfect</b>.');
    expect(feedback.body.html).toContain('Sharp &amp; sweet, &lt;b&gt;perfect&lt;/b&gt;.');
    await theExecutionEnds(shop, orderId);
    expect((await theExecution(shop, orderId)).status).toBe('SUCCEEDED');
    expect((await theOrderReaches(shop, orderId, 'COMPLETED')).status).toBe('COMPLETED');
    expect(await statesEntered(shop, orderId)).toEqual(happyPath({ rated: true }));
    // AND the order's status names its execution, so ops can go from an order to its history
    const { executionArn } = await theOrder(shop, orderId);
    expect((await theExecutionAt(shop, executionArn ?? 'missing')).name).toBe(`order-${orderId}`);
  });

  scenario('a customer cancels before the cake maker has finished: the cake maker is told not to bake and the customer gets a confirmation, each once', async () => {
    // GIVEN an order waiting for the cake maker
    const order = await anOrderAwaitingTheCakeMaker(shop);

    // WHEN the customer cancels through the link in their email
    const cancelled = await personFollowsLinkAndSubmits(order.cancelLink);

    // THEN the order is cancelled by the customer, the cake maker hears of it and the customer is sent a confirmation
    expect(cancelled.status).toBe(200);
    await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: `Cancelled: order ${order.orderId}` });
    const confirmation = await anEmailArrives(shop, { to: order.request.email, subject: 'You cancelled your order', mentioning: order.orderId });
    expect(confirmation.body.text).toContain('we have cancelled your order');
    await theExecutionEnds(shop, order.orderId);
    expect((await theOrderReaches(shop, order.orderId, 'CANCELLED')).status).toBe('CANCELLED');
    expect(await statesEntered(shop, order.orderId)).toEqual([
      'Load Settings',
      'Publish Order Placed',
      'Send Order Confirmation',
      'Ask Cake Maker',
      'Mark Order Cancelled By Customer',
      'Publish Order Cancelled By Customer',
      'Tell Cake Maker Order Cancelled',
      'Confirm Cancellation To Customer',
      'Order Cancelled',
    ]);
    // AND, the execution over, each of the order's emails was sent exactly once
    const sent = await Promise.all([
      emailsTo(shop, { to: order.request.email, subject: 'We have your order', mentioning: order.orderId }),
      emailsTo(shop, { to: shop.people.cakeMaker, subject: 'New order to bake', mentioning: order.orderId }),
      emailsTo(shop, { to: shop.people.cakeMaker, subject: `Cancelled: order ${order.orderId}` }),
      emailsTo(shop, { to: order.request.email, subject: 'You cancelled your order', mentioning: order.orderId }),
    ]);
    expect(sent.map((emails) => emails.length)).toEqual([1, 1, 1, 1]);
  });

  scenario('a customer cannot cancel once the cake maker has marked the cake ready', async () => {
    // GIVEN a customer who opened the cancel page while the order waited for the cake maker
    const order = await anOrderAwaitingTheCakeMaker(shop);
    const cancelForm = formOn((await personOpens(order.cancelLink)).text);
    // AND the cake maker then marked the cake ready
    await personFollowsLinkAndSubmits(order.fulfilLink);
    await anEmailArrives(shop, { to: order.request.email, subject: 'is on its way', mentioning: order.orderId });

    // WHEN the customer presses the cancel button
    const refused = await personPostsForm(cancelForm.action, cancelForm.fields);

    // THEN the shop refuses with 409 and the order goes on to delivery
    expect(refused.status).toBe(409);
    expect((await theOrder(shop, order.orderId)).status).not.toBe('CANCELLED');
    expect(await statesEntered(shop, order.orderId)).not.toContain('Mark Order Cancelled By Customer');
  });

  localOnly('the ops console /ops, which only the local stack serves')(
    "the order's status page links its execution to the execution's page in the ops console",
    async () => {
      // GIVEN an order
      const { orderId } = json<{ orderId: string }>(await customerPlacesOrder(shop, anOrderRequest()));

      // WHEN its status page is opened in a browser, and the execution's link followed
      const page = await personOpens(`${shop.apiUrl}/order/${orderId}`);
      const href = /<a href="([^"]+)">arn:aws:states:[^<]+:execution:[^<]+<\/a>/.exec(page.text)?.[1];
      expect(href).toBe(`${shop.apiUrl}/ops/executions/order-${orderId}`);
      const opsPage = await personOpens(href as string);

      // THEN it is that execution's page
      expect(opsPage.status).toBe(200);
      expect(opsPage.text).toContain(`order-${orderId}`);
    },
  );
});
