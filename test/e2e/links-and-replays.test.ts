import { randomBytes, randomUUID } from 'node:crypto';
import { mentions } from '../support/mailbox';
import { anOrderAwaitingTheCakeMaker, anOrderOnItsWay } from '../steps/given';
import { closeShop, mailboxOf, openShop, readsEmail, type Shop } from '../steps/shop';
import { anEmailArrives, emailsTo, executionCount, historyOf, theOrder, theWorkflowWaitsIn } from '../steps/then';
import { anOrderRequest, customerPlacesOrder, formOn, json, personOpens, personPostsForm, linkParts } from '../steps/when';

jest.setTimeout(120_000);

let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

const scenario = readsEmail();

/** What a person could have changed: the order, the workflow's history and the emails sent. */
async function observable(orderId: string) {
  return {
    order: await theOrder(shop, orderId),
    historyEvents: (await historyOf(shop, orderId)).length,
    emails: (await mailboxOf(shop).all()).filter((email) => mentions(email, orderId)).length,
  };
}

describe('links pressed twice and requests replayed', () => {
  scenario('a double-clicked fulfil button tells the delivery company and the customer once', async () => {
    // GIVEN an order waiting for the cake maker, whose fulfil page is open
    const order = await anOrderAwaitingTheCakeMaker(shop);
    const form = formOn((await personOpens(order.fulfilLink)).text);

    // WHEN the button is pressed twice at once
    const answers = await Promise.all([personPostsForm(form.action, form.fields), personPostsForm(form.action, form.fields)]);

    // THEN both presses succeed, and each email goes out once
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await theWorkflowWaitsIn(shop, order.orderId, 'Await Delivery Confirmation');
    await anEmailArrives(shop, { to: order.request.email, subject: 'is on its way', mentioning: order.orderId });
    expect(await emailsTo(shop, { to: shop.people.delivery, subject: 'Collection and delivery', mentioning: order.orderId })).toHaveLength(1);
    expect(await emailsTo(shop, { to: order.request.email, subject: 'is on its way', mentioning: order.orderId })).toHaveLength(1);
  });

  scenario('a replayed POST /order with the same Idempotency-Key makes one order, one execution and one email', async () => {
    // GIVEN an order request and its Idempotency-Key
    const request = anOrderRequest();
    const idempotencyKey = randomUUID();
    const executionsBefore = await executionCount(shop);

    // WHEN it is posted, then posted again as a client retrying would
    const first = await customerPlacesOrder(shop, request, idempotencyKey);
    const replay = await customerPlacesOrder(shop, request, idempotencyKey);

    // THEN both answers name the same order, which has one execution and one email to each person
    expect(first.status).toBe(201);
    expect(replay.status).toBe(first.status);
    const { orderId } = json<{ orderId: string }>(first);
    expect(json<{ orderId: string }>(replay).orderId).toBe(orderId);
    await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: 'New order to bake', mentioning: orderId });
    expect(await emailsTo(shop, { to: request.email, subject: 'We have your order' })).toHaveLength(1);
    expect(await emailsTo(shop, { to: shop.people.cakeMaker, subject: 'New order to bake', mentioning: orderId })).toHaveLength(1);
    expect(await executionCount(shop)).toBe(executionsBefore + 1);
  });
});

describe('links that must change nothing', () => {
  scenario('a fulfil form posted with a wrong code is refused and the order still waits', async () => {
    // GIVEN an order waiting for the cake maker
    const order = await anOrderAwaitingTheCakeMaker(shop);
    const form = formOn((await personOpens(order.fulfilLink)).text);
    const before = await observable(order.orderId);

    // WHEN someone posts the form with a well-formed code that is not the one emailed
    const wrongCode = randomBytes(32).toString('base64url');
    const refused = await personPostsForm(form.action, { ...form.fields, code: wrongCode });

    // THEN it is refused, and the order, its workflow and the emails are as they were
    expect(refused.status).toBe(403);
    expect(await observable(order.orderId)).toEqual(before);
  });

  scenario('links for an order that does not exist answer 404 and start nothing', async () => {
    // GIVEN a real link, and the same link pointing at an order id nobody placed
    const order = await anOrderAwaitingTheCakeMaker(shop);
    const unknownId = randomUUID();
    const forged = order.fulfilLink.replace(order.orderId, unknownId);
    const emailsBefore = (await mailboxOf(shop).all()).length;

    // WHEN it is opened, and its form posted as JSON
    const page = await personOpens(forged);
    const posted = await fetch(`${shop.apiUrl}/order/fulfilled`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: unknownId, code: linkParts(order.fulfilLink).code }),
    });

    // THEN both answer 404, there is no such order, and no email went out
    expect(page.status).toBe(404);
    expect(posted.status).toBe(404);
    expect((await fetch(`${shop.apiUrl}/order/${unknownId}`)).status).toBe(404);
    expect((await mailboxOf(shop).all()).length).toBe(emailsBefore);
  });

  scenario('opening every link of an order, more than once, changes nothing', async () => {
    // GIVEN an order on its way, with its cancel, fulfil and delivered links
    const order = await anOrderOnItsWay(shop);
    const before = await observable(order.orderId);

    // WHEN each link and the status page are opened twice
    for (const link of [order.cancelLink, order.fulfilLink, order.deliveredLink, `${shop.apiUrl}/order/${order.orderId}`]) {
      await personOpens(link);
      await personOpens(link);
    }

    // THEN the order, its workflow and the emails are as they were
    expect(await observable(order.orderId)).toEqual(before);
  });
});
