import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { postJson } from '../fixtures/api-events';
import { lambdaContext } from '../fixtures/lambda-context';
import { fakeTaskToken, taskEvent, useTestShop } from '../fixtures/order-journey';
import { storedOrder } from '../fixtures/stored-orders';
import { publicBaseUrl, sentEmails, shopEmails } from '../fixtures/test-shop';

const world = useTestShop();

const unknownOrderId = '00000000-0000-4000-8000-000000000000';
const throttled = () => Object.assign(new Error('Maximum sending rate exceeded'), { name: 'TooManyRequestsException', $fault: 'client' });

function emailsTo(address: string) {
  return sentEmails(world.shop).filter((email) => email.to.includes(address));
}

describe('Send Order Confirmation', () => {
  it('GIVEN a placed order WHEN the task runs THEN the customer gets an "order received" email naming the cake, their first name and the cancel link', async () => {
    const { orderId } = await world.given.placedOrder();

    await world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext());

    const [email] = emailsTo('ada@example.com');
    expect(email?.from).toBe(shopEmails.sender);
    expect(email?.subject).toContain('Lemon drizzle cake');
    for (const part of [email?.text, email?.html]) {
      expect(part).toContain('Hello Ada,');
      expect(part).toMatch(new RegExp(`${publicBaseUrl}/order/${orderId}/cancel\\?code=[A-Za-z0-9_-]{43}`));
    }
  });

  it('GIVEN the confirmation was sent WHEN the task is retried THEN no second email goes out', async () => {
    const { orderId } = await world.given.placedOrder();
    await world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext());

    await world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext());

    expect(emailsTo('ada@example.com')).toHaveLength(1);
  });

  it('GIVEN SES is throttling WHEN the task runs THEN it throws DependencyUnavailable, and the retry sends the email', async () => {
    const { orderId } = await world.given.placedOrder();
    world.shop.ses.on(SendEmailCommand).rejectsOnce(throttled()).resolves({ MessageId: 'sent' });

    const first = world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext());

    await expect(first).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    await world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext());
    expect(world.shop.ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('GIVEN SES rejects the message for good WHEN the task runs THEN the error keeps its own name so the workflow does not retry it', async () => {
    const { orderId } = await world.given.placedOrder();
    world.shop.ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected', $fault: 'client' }));

    await expect(world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext())).rejects.toMatchObject({ name: 'MessageRejected' });
  });

  it("GIVEN SES's rejection quotes the recipient WHEN the task fails THEN the error it throws, which Lambda logs and the workflow records, does not", async () => {
    const { orderId } = await world.given.placedOrder();
    const rejection = 'Email address is not verified. The following identities failed the check in region EU-WEST-1: ada@example.com';
    world.shop.ses.on(SendEmailCommand).rejects(Object.assign(new Error(rejection), { name: 'MessageRejected', $fault: 'client' }));

    const failure = await world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext()).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: 'MessageRejected', message: expect.stringContaining('MessageRejected') });
    expect(JSON.stringify({ message: (failure as Error).message, stack: (failure as Error).stack })).not.toContain('ada@example.com');
  });

  it('GIVEN no such order WHEN the task runs THEN it throws OrderNotFound', async () => {
    await expect(world.handlers.sendOrderConfirmation(taskEvent(unknownOrderId), lambdaContext())).rejects.toMatchObject({ name: 'OrderNotFound' });
  });
});

describe('Ask Cake Maker and Remind Cake Maker', () => {
  it('GIVEN a confirmed order WHEN Ask Cake Maker runs THEN the token is stored and the cake maker is told what to bake with the fulfil link', async () => {
    const { orderId } = await world.given.confirmedOrder();
    const taskToken = fakeTaskToken();

    await world.handlers.askCakeMaker(taskEvent(orderId, { taskToken }), lambdaContext());

    expect((await storedOrder(world.shop, orderId)).fulfilTaskToken).toBe(taskToken);
    const [email] = emailsTo(shopEmails.cakeMaker);
    for (const expected of ['Lemon drizzle cake', 'Quantity: 2', 'Happy birthday, Charles!', '12 St James Square', `${publicBaseUrl}/order/${orderId}/fulfill?code=`]) {
      expect(email?.text).toContain(expected);
    }
    expect(email?.text).not.toContain(taskToken);
  });

  it('GIVEN Ask Cake Maker already emailed WHEN a retry arrives with a new token THEN the new token is stored and no second email goes out', async () => {
    const { orderId } = await world.given.confirmedOrder();
    await world.handlers.askCakeMaker(taskEvent(orderId, { taskToken: fakeTaskToken() }), lambdaContext());
    const retryToken = fakeTaskToken();

    await world.handlers.askCakeMaker(taskEvent(orderId, { taskToken: retryToken }), lambdaContext());

    expect((await storedOrder(world.shop, orderId)).fulfilTaskToken).toBe(retryToken);
    expect(emailsTo(shopEmails.cakeMaker)).toHaveLength(1);
  });

  it('GIVEN the cake maker was asked WHEN Remind Cake Maker runs THEN a reminder with a new code goes out and both codes stay valid', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    await world.handlers.remindCakeMaker(taskEvent(order.orderId, { taskToken: fakeTaskToken() }), lambdaContext());

    const reminders = emailsTo(shopEmails.cakeMaker).filter((email) => email.subject.startsWith('Reminder'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).not.toContain(order.fulfilCode);
    expect((await storedOrder(world.shop, order.orderId)).fulfilCodeHashes).toHaveLength(2);
  });

  it('GIVEN a failed order WHEN Ask Cake Maker runs THEN it throws OrderStateConflict', async () => {
    const { orderId } = await world.given.confirmedOrder();
    await world.handlers.setOrderStatus(taskEvent(orderId, { status: 'FAILED' as const }), lambdaContext());

    await expect(world.handlers.askCakeMaker(taskEvent(orderId, { taskToken: fakeTaskToken() }), lambdaContext())).rejects.toMatchObject({
      name: 'OrderStateConflict',
    });
  });

  it('GIVEN no such order WHEN Ask Cake Maker runs THEN it throws OrderNotFound', async () => {
    await expect(world.handlers.askCakeMaker(taskEvent(unknownOrderId, { taskToken: fakeTaskToken() }), lambdaContext())).rejects.toMatchObject({
      name: 'OrderNotFound',
    });
  });
});

describe('Notify Delivery Company (by email)', () => {
  it('GIVEN a fulfilled order and no webhook WHEN the task runs THEN DELIVERY_EMAIL gets the cake and address, once, and no secret is read', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.fulfilOrder(postJson('/order/fulfilled', { orderId: order.orderId, code: order.fulfilCode }), lambdaContext());

    await world.handlers.notifyDeliveryCompany(taskEvent(order.orderId), lambdaContext());
    await world.handlers.notifyDeliveryCompany(taskEvent(order.orderId), lambdaContext());

    const emails = emailsTo(shopEmails.delivery);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.text).toContain('12 St James Square');
    expect(world.shop.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});

describe('Await Delivery Confirmation', () => {
  async function fulfilledOrder() {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.fulfilOrder(postJson('/order/fulfilled', { orderId: order.orderId, code: order.fulfilCode }), lambdaContext());
    return order;
  }

  it('GIVEN a fulfilled order WHEN the task runs THEN it is OUT_FOR_DELIVERY with the token stored and the customer gets the confirm-delivery link', async () => {
    const { orderId } = await fulfilledOrder();
    const taskToken = fakeTaskToken();

    await world.handlers.awaitDeliveryConfirmation(taskEvent(orderId, { taskToken }), lambdaContext());

    const stored = await storedOrder(world.shop, orderId);
    expect(stored).toMatchObject({ status: 'OUT_FOR_DELIVERY', deliveryTaskToken: taskToken });
    const [email] = emailsTo('ada@example.com').filter((sent) => sent.subject.includes('on its way'));
    expect(email?.text).toMatch(new RegExp(`${publicBaseUrl}/order/${orderId}/delivered\\?code=`));
  });

  it('GIVEN the task already ran WHEN it is retried with a new token THEN the token is replaced, the timeline has one OUT_FOR_DELIVERY and no second email goes out', async () => {
    const { orderId } = await fulfilledOrder();
    await world.handlers.awaitDeliveryConfirmation(taskEvent(orderId, { taskToken: fakeTaskToken() }), lambdaContext());
    const retryToken = fakeTaskToken();

    await world.handlers.awaitDeliveryConfirmation(taskEvent(orderId, { taskToken: retryToken }), lambdaContext());

    const stored = await storedOrder(world.shop, orderId);
    expect(stored.deliveryTaskToken).toBe(retryToken);
    expect(stored.timeline.filter((entry) => entry.status === 'OUT_FOR_DELIVERY')).toHaveLength(1);
    expect(emailsTo('ada@example.com').filter((sent) => sent.subject.includes('on its way'))).toHaveLength(1);
  });

  it('GIVEN an order the cake maker has not finished WHEN the task runs THEN it throws OrderStateConflict', async () => {
    const { orderId } = await world.given.confirmedOrder();

    await expect(world.handlers.awaitDeliveryConfirmation(taskEvent(orderId, { taskToken: fakeTaskToken() }), lambdaContext())).rejects.toMatchObject({
      name: 'OrderStateConflict',
    });
  });
});

describe('Forward Feedback', () => {
  it('GIVEN a delivered order with a rating and comment WHEN the task runs THEN customer service gets them by email, once', async () => {
    const order = await world.given.orderOutForDelivery();
    await world.handlers.confirmDelivery(postJson('/order/delivered', { orderId: order.orderId, code: order.deliveredCode, rating: 4, comment: 'Moist & zesty' }), lambdaContext());

    await world.handlers.forwardFeedback(taskEvent(order.orderId), lambdaContext());
    await world.handlers.forwardFeedback(taskEvent(order.orderId), lambdaContext());

    const emails = emailsTo(shopEmails.customerService);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.text).toContain('Rating: 4 out of 5');
    expect(emails[0]?.text).toContain('Moist & zesty');
    expect(emails[0]?.html).toContain('Moist &amp; zesty');
  });
});

describe('Set Order Status', () => {
  it('GIVEN a delivered order WHEN COMPLETED is set twice THEN the timeline gains exactly one COMPLETED entry', async () => {
    const order = await world.given.orderOutForDelivery();
    await world.handlers.confirmDelivery(postJson('/order/delivered', { orderId: order.orderId, code: order.deliveredCode }), lambdaContext());

    await world.handlers.setOrderStatus(taskEvent(order.orderId, { status: 'COMPLETED' as const }), lambdaContext());
    await world.handlers.setOrderStatus(taskEvent(order.orderId, { status: 'COMPLETED' as const }), lambdaContext());

    const stored = await storedOrder(world.shop, order.orderId);
    expect(stored.status).toBe('COMPLETED');
    expect(stored.timeline.map((entry) => entry.status)).toEqual(['PLACED', 'FULFILLED', 'OUT_FOR_DELIVERY', 'DELIVERED', 'COMPLETED']);
  });

  it('GIVEN an order the customer cancelled WHEN Mark Order Cancelled By Customer sets CANCELLED THEN no second CANCELLED entry appears', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.cancelOrder(postJson('/order/cancel', { orderId: order.orderId, code: order.cancelCode }), lambdaContext());

    await world.handlers.setOrderStatus(taskEvent(order.orderId, { status: 'CANCELLED' as const, reason: 'The customer cancelled the order.' }), lambdaContext());

    expect((await storedOrder(world.shop, order.orderId)).timeline.filter((entry) => entry.status === 'CANCELLED')).toHaveLength(1);
  });

  it("GIVEN a failure caused by one of the workflow's errors WHEN Mark Order Failed sets FAILED THEN the timeline note gives its message", async () => {
    const { orderId } = await world.given.placedOrder();
    const failure = {
      Error: 'DependencyUnavailable',
      Cause: JSON.stringify({ errorType: 'DependencyUnavailable', errorMessage: 'Email (SES) is unavailable (ThrottlingException)', trace: ['at x'] }),
    };

    await world.handlers.setOrderStatus(taskEvent(orderId, { status: 'FAILED' as const, failure }), lambdaContext());

    expect((await storedOrder(world.shop, orderId)).timeline.at(-1)).toMatchObject({ status: 'FAILED', note: 'Email (SES) is unavailable (ThrottlingException)' });
  });

  it('GIVEN an unexpected failure cause WHEN Mark Order Failed sets FAILED THEN the public timeline gets a generic note, not the raw cause', async () => {
    const { orderId } = await world.given.placedOrder();
    const failure = {
      Error: 'TypeError',
      Cause: JSON.stringify({ errorType: 'TypeError', errorMessage: 'Cannot read properties of undefined (reading "x") at /var/task/index.js' }),
    };

    await world.handlers.setOrderStatus(taskEvent(orderId, { status: 'FAILED' as const, failure }), lambdaContext());

    const note = (await storedOrder(world.shop, orderId)).timeline.at(-1)?.note;
    expect(note).toBe('The order could not be completed because of an unexpected error.');
  });

  it('GIVEN a caught error with a name but no cause WHEN Mark Order Failed sets FAILED THEN the order is FAILED with the generic note', async () => {
    const { orderId } = await world.given.placedOrder();

    await world.handlers.setOrderStatus(taskEvent(orderId, { status: 'FAILED' as const, failure: { Error: 'DependencyUnavailable' } }), lambdaContext());

    expect((await storedOrder(world.shop, orderId)).timeline.at(-1)).toEqual({
      status: 'FAILED',
      at: expect.any(String),
      note: 'The order could not be completed because of an unexpected error.',
    });
  });

  it('GIVEN no such order WHEN a status is set THEN it throws OrderNotFound', async () => {
    await expect(world.handlers.setOrderStatus(taskEvent(unknownOrderId, { status: 'FAILED' as const }), lambdaContext())).rejects.toMatchObject({
      name: 'OrderNotFound',
    });
  });
});

describe('Send Notice', () => {
  it.each([
    ['cancelledByCustomer', shopEmails.cakeMaker, 'Cancelled'],
    ['cancellationConfirmed', 'ada@example.com', 'You cancelled your order'],
    ['cancelledUnfulfilled', 'ada@example.com', 'has been cancelled'],
    ['orderFailed', 'ada@example.com', 'problem with your order'],
  ] as const)('GIVEN an order WHEN the %s notice is sent twice THEN %s gets one email about it', async (notice, recipient, subjectText) => {
    const { orderId } = await world.given.confirmedOrder();
    world.shop.ses.reset();

    await world.handlers.sendNotice(taskEvent(orderId, { notice }), lambdaContext());
    await world.handlers.sendNotice(taskEvent(orderId, { notice }), lambdaContext());

    const emails = sentEmails(world.shop);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.to).toEqual([recipient]);
    expect(emails[0]?.subject).toContain(subjectText);
  });
});
