import { createHash } from 'node:crypto';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { postForm, postJson } from '../fixtures/api-events';
import { lambdaContext } from '../fixtures/lambda-context';
import { fakeTaskToken, taskEvent, useTestShop } from '../fixtures/order-journey';
import { storedOrder } from '../fixtures/stored-orders';
import { sentEmails, shopEmails } from '../fixtures/test-shop';

const world = useTestShop();

const wrongCode = 'A'.repeat(43);
const unknownOrderId = '00000000-0000-4000-8000-000000000000';

function fulfil(orderId: string, code: string) {
  return world.handlers.fulfilOrder(postJson('/order/fulfilled', { orderId, code }), lambdaContext());
}
function cancel(orderId: string, code: string) {
  return world.handlers.cancelOrder(postJson('/order/cancel', { orderId, code }), lambdaContext());
}
function confirmDelivery(body: Record<string, unknown>) {
  return world.handlers.confirmDelivery(postJson('/order/delivered', body), lambdaContext());
}
function parse(body: string | undefined): Record<string, unknown> {
  return JSON.parse(body ?? '{}') as Record<string, unknown>;
}

describe('POST /order/fulfilled', () => {
  it('GIVEN an order waiting for the cake maker WHEN the fulfil code is posted THEN the order is FULFILLED and the workflow gets SendTaskSuccess with fulfilledAt', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await fulfil(order.orderId, order.fulfilCode);

    expect(response.statusCode).toBe(200);
    expect(parse(response.body)).toMatchObject({ orderId: order.orderId, status: 'FULFILLED', changed: true });
    const stored = await storedOrder(world.shop, order.orderId);
    expect(stored.status).toBe('FULFILLED');
    const [success] = world.shop.sfn.commandCalls(SendTaskSuccessCommand);
    expect(success?.args[0].input.taskToken).toBe(order.fulfilToken);
    expect(JSON.parse(success?.args[0].input.output ?? '{}')).toEqual({ fulfilledAt: stored.fulfilledAt });
  });

  it('GIVEN a fulfilled order WHEN the same code is posted again (double click) THEN it answers 200 with the current state and changes nothing', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await fulfil(order.orderId, order.fulfilCode);
    const before = await storedOrder(world.shop, order.orderId);

    const response = await fulfil(order.orderId, order.fulfilCode);

    expect(response.statusCode).toBe(200);
    expect(parse(response.body)).toMatchObject({ status: 'FULFILLED', changed: false });
    expect(await storedOrder(world.shop, order.orderId)).toEqual(before);
    expect(world.shop.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('GIVEN an order waiting for the cake maker WHEN the button is double-clicked at the same moment THEN both answer 200 and the workflow hears once', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const responses = await Promise.all([fulfil(order.orderId, order.fulfilCode), fulfil(order.orderId, order.fulfilCode)]);

    expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
    expect(world.shop.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect((await storedOrder(world.shop, order.orderId)).timeline.filter((entry) => entry.status === 'FULFILLED')).toHaveLength(1);
  });

  it('GIVEN an order WHEN a wrong code is posted THEN it answers 403 naming the code and changes nothing', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await fulfil(order.orderId, wrongCode);

    expect(response.statusCode).toBe(403);
    expect(parse(response.body).errors).toEqual([expect.objectContaining({ field: 'code' })]);
    expect((await storedOrder(world.shop, order.orderId)).status).toBe('PLACED');
  });

  it("GIVEN an order WHEN the customer's cancel code is posted to fulfil THEN it answers 403: codes belong to one step", async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await fulfil(order.orderId, order.cancelCode);

    expect(response.statusCode).toBe(403);
  });

  it('GIVEN no such order WHEN a code is posted THEN it answers 404 naming the orderId', async () => {
    const response = await fulfil(unknownOrderId, wrongCode);

    expect(response.statusCode).toBe(404);
    expect(parse(response.body).errors).toEqual([expect.objectContaining({ field: 'orderId' })]);
  });

  it('GIVEN a cancelled order WHEN the fulfil code is posted THEN it answers 409 and stays CANCELLED', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await cancel(order.orderId, order.cancelCode);

    const response = await fulfil(order.orderId, order.fulfilCode);

    expect(response.statusCode).toBe(409);
    expect((await storedOrder(world.shop, order.orderId)).status).toBe('CANCELLED');
  });

  it('GIVEN SendTaskSuccess fails WHEN the fulfil code is posted THEN it answers 503 and the order is back to PLACED with its timeline unchanged', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    const before = await storedOrder(world.shop, order.orderId);
    world.shop.sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('busy'), { name: 'ServiceUnavailable', $fault: 'server' }));

    const response = await fulfil(order.orderId, order.fulfilCode);

    expect(response.statusCode).toBe(503);
    expect(await storedOrder(world.shop, order.orderId)).toEqual(before);
  });

  it('GIVEN a fulfil that was rolled back WHEN the cake maker tries again THEN it succeeds', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    world.shop.sfn.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('busy'), { name: 'ThrottlingException' })).resolves({});
    await fulfil(order.orderId, order.fulfilCode);

    const response = await fulfil(order.orderId, order.fulfilCode);

    expect(response.statusCode).toBe(200);
    expect((await storedOrder(world.shop, order.orderId)).status).toBe('FULFILLED');
  });

  it('GIVEN a reminder with a new code WHEN the first email\'s code is posted THEN it still works and answers the reminder\'s token', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    const reminderToken = fakeTaskToken();
    await world.handlers.remindCakeMaker(taskEvent(order.orderId, { taskToken: reminderToken }), lambdaContext());

    const response = await fulfil(order.orderId, order.fulfilCode);

    expect(response.statusCode).toBe(200);
    expect(world.shop.sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.taskToken).toBe(reminderToken);
  });

  it('GIVEN a form post from the fulfil page WHEN it succeeds THEN the answer is an HTML result page', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await world.handlers.fulfilOrder(postForm('/order/fulfilled', { orderId: order.orderId, code: order.fulfilCode }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(response.body).toContain('marked ready');
  });

  it('GIVEN a body without a code WHEN it is posted THEN it answers 400 naming code', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await world.handlers.fulfilOrder(postJson('/order/fulfilled', { orderId: order.orderId }), lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(parse(response.body).errors).toEqual([expect.objectContaining({ field: 'code' })]);
  });

  it('GIVEN a text/plain body WHEN it is posted THEN it answers 415', async () => {
    const event = postJson('/order/fulfilled', { orderId: unknownOrderId, code: wrongCode }, { 'content-type': 'text/plain' });

    expect((await world.handlers.fulfilOrder(event, lambdaContext())).statusCode).toBe(415);
  });

  it('GIVEN a body over 16 KiB WHEN it is posted THEN it answers 413', async () => {
    const event = postJson('/order/fulfilled', { orderId: unknownOrderId, code: wrongCode, padding: 'x'.repeat(17_000) });

    expect((await world.handlers.fulfilOrder(event, lambdaContext())).statusCode).toBe(413);
  });
});

describe('POST /order/cancel', () => {
  it('GIVEN an order waiting for the cake maker WHEN the cancel code is posted THEN it is CANCELLED and the waiting task fails with OrderCancelled', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await cancel(order.orderId, order.cancelCode);

    expect(response.statusCode).toBe(200);
    expect((await storedOrder(world.shop, order.orderId)).status).toBe('CANCELLED');
    const [failure] = world.shop.sfn.commandCalls(SendTaskFailureCommand);
    expect(failure?.args[0].input).toMatchObject({ taskToken: order.fulfilToken, error: 'OrderCancelled' });
  });

  it('GIVEN a cancelled order WHEN the cancel code is posted again THEN it answers 200 unchanged with no second SendTaskFailure', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await cancel(order.orderId, order.cancelCode);

    const response = await cancel(order.orderId, order.cancelCode);

    expect(response.statusCode).toBe(200);
    expect(parse(response.body)).toMatchObject({ status: 'CANCELLED', changed: false });
    expect(world.shop.sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
  });

  it('GIVEN a fulfilled order WHEN the cancel code is posted THEN it answers 409 and stays FULFILLED', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await fulfil(order.orderId, order.fulfilCode);

    const response = await cancel(order.orderId, order.cancelCode);

    expect(response.statusCode).toBe(409);
    expect((await storedOrder(world.shop, order.orderId)).status).toBe('FULFILLED');
  });

  it('GIVEN an order WHEN a wrong cancel code is posted THEN it answers 403', async () => {
    const order = await world.given.confirmedOrder();

    expect((await cancel(order.orderId, wrongCode)).statusCode).toBe(403);
  });

  it('GIVEN no such order WHEN a cancel code is posted THEN it answers 404', async () => {
    expect((await cancel(unknownOrderId, wrongCode)).statusCode).toBe(404);
  });

  it('GIVEN the workflow has not stored the fulfil token yet WHEN the customer cancels THEN the status write alone is enough and Ask Cake Maker throws OrderCancelled without emailing', async () => {
    const order = await world.given.confirmedOrder();
    const cancelled = await cancel(order.orderId, order.cancelCode);
    world.shop.ses.reset();

    const asking = world.handlers.askCakeMaker(taskEvent(order.orderId, { taskToken: fakeTaskToken() }), lambdaContext());

    expect(cancelled.statusCode).toBe(200);
    expect(world.shop.sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
    await expect(asking).rejects.toMatchObject({ name: 'OrderCancelled' });
    expect(sentEmails(world.shop)).toHaveLength(0);
  });

  it('GIVEN SendTaskFailure is throttled WHEN the cancel code is posted THEN it answers 503 and the order is back to PLACED', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    const before = await storedOrder(world.shop, order.orderId);
    world.shop.sfn.on(SendTaskFailureCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    const response = await cancel(order.orderId, order.cancelCode);

    expect(response.statusCode).toBe(503);
    expect(await storedOrder(world.shop, order.orderId)).toEqual(before);
  });

  it('GIVEN the stored token belongs to a task that already timed out WHEN the customer cancels THEN the cancellation stands', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    world.shop.sfn.on(SendTaskFailureCommand).rejects(Object.assign(new Error('timed out'), { name: 'TaskTimedOut' }));

    const response = await cancel(order.orderId, order.cancelCode);

    expect(response.statusCode).toBe(200);
    expect((await storedOrder(world.shop, order.orderId)).status).toBe('CANCELLED');
  });
});

describe('fulfil and cancel racing', () => {
  it('GIVEN an order waiting for the cake maker WHEN fulfil and cancel arrive together THEN exactly one wins and the workflow hears only from the winner', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const [fulfilled, cancelled] = await Promise.all([fulfil(order.orderId, order.fulfilCode), cancel(order.orderId, order.cancelCode)]);

    const statuses = [fulfilled.statusCode, cancelled.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const stored = await storedOrder(world.shop, order.orderId);
    expect(stored.status).toBe(fulfilled.statusCode === 200 ? 'FULFILLED' : 'CANCELLED');
    const callbacks = world.shop.sfn.commandCalls(SendTaskSuccessCommand).length + world.shop.sfn.commandCalls(SendTaskFailureCommand).length;
    expect(callbacks).toBe(1);
    expect(stored.timeline.map((entry) => entry.status)).toEqual(['PLACED', stored.status]);
  });
});

describe('POST /order/delivered', () => {
  it('GIVEN an order out for delivery WHEN the customer confirms with a rating and comment THEN it is DELIVERED, stores them and the workflow gets them', async () => {
    const order = await world.given.orderOutForDelivery();
    world.shop.sfn.reset();

    const response = await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode, rating: 5, comment: 'Lovely sponge' });

    expect(response.statusCode).toBe(200);
    const stored = await storedOrder(world.shop, order.orderId);
    expect(stored).toMatchObject({ status: 'DELIVERED', rating: 5, comment: 'Lovely sponge' });
    const [success] = world.shop.sfn.commandCalls(SendTaskSuccessCommand);
    expect(success?.args[0].input.taskToken).toBe(order.deliveryToken);
    expect(JSON.parse(success?.args[0].input.output ?? '{}')).toEqual({ deliveredAt: stored.deliveredAt, rating: 5, comment: 'Lovely sponge' });
  });

  it('GIVEN the delivery page form WHEN it is posted with a rating as text THEN the rating is stored as a number', async () => {
    const order = await world.given.orderOutForDelivery();

    const response = await world.handlers.confirmDelivery(
      postForm('/order/delivered', { orderId: order.orderId, code: order.deliveredCode, rating: '4', comment: '' }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(200);
    expect((await storedOrder(world.shop, order.orderId)).rating).toBe(4);
  });

  it.each([
    ['rating', { rating: 6 }],
    ['rating', { rating: 'great' }],
    ['comment', { comment: 'c'.repeat(1001) }],
  ])('GIVEN a bad %s (%j) WHEN delivery is confirmed THEN it answers 400 naming it and stays OUT_FOR_DELIVERY', async (field, extra) => {
    const order = await world.given.orderOutForDelivery();

    const response = await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode, ...extra });

    expect(response.statusCode).toBe(400);
    expect(parse(response.body).errors).toEqual([expect.objectContaining({ field })]);
    expect((await storedOrder(world.shop, order.orderId)).status).toBe('OUT_FOR_DELIVERY');
  });

  it('GIVEN a delivered order WHEN confirmation is posted again THEN it answers 200 unchanged', async () => {
    const order = await world.given.orderOutForDelivery();
    await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode, rating: 3 });

    const response = await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode, rating: 1 });

    expect(response.statusCode).toBe(200);
    expect(parse(response.body)).toMatchObject({ changed: false });
    expect((await storedOrder(world.shop, order.orderId)).rating).toBe(3);
  });

  it('GIVEN an order out for delivery WHEN a wrong code is posted THEN it answers 403', async () => {
    const order = await world.given.orderOutForDelivery();

    expect((await confirmDelivery({ orderId: order.orderId, code: wrongCode })).statusCode).toBe(403);
  });

  it('GIVEN no such order WHEN delivery is confirmed THEN it answers 404', async () => {
    expect((await confirmDelivery({ orderId: unknownOrderId, code: wrongCode })).statusCode).toBe(404);
  });

  it('GIVEN an order closed as delivered-unconfirmed WHEN the customer confirms THEN it answers 409', async () => {
    const order = await world.given.orderOutForDelivery();
    await world.handlers.setOrderStatus(taskEvent(order.orderId, { status: 'DELIVERED_UNCONFIRMED' as const }), lambdaContext());

    expect((await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode })).statusCode).toBe(409);
  });

  it('GIVEN SendTaskSuccess fails WHEN delivery is confirmed THEN it answers 503 and neither the status nor the rating is kept', async () => {
    const order = await world.given.orderOutForDelivery();
    const before = await storedOrder(world.shop, order.orderId);
    world.shop.sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('down'), { name: 'InternalFailure', $fault: 'server' }));

    const response = await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode, rating: 2, comment: 'late' });

    expect(response.statusCode).toBe(503);
    expect(await storedOrder(world.shop, order.orderId)).toEqual(before);
  });
});

describe('link codes and task tokens', () => {
  it('GIVEN codes were emailed WHEN the order is read from the table THEN it holds only their SHA-256 hashes', async () => {
    const order = await world.given.orderOutForDelivery();

    const stored = await storedOrder(world.shop, order.orderId);

    const raw = JSON.stringify(stored);
    for (const code of [order.cancelCode, order.fulfilCode, order.deliveredCode]) expect(raw).not.toContain(code);
    const sha256 = (code: string) => createHash('sha256').update(code).digest('hex');
    expect(stored.cancelCodeHashes).toEqual([sha256(order.cancelCode)]);
    expect(stored.fulfilCodeHashes).toEqual([sha256(order.fulfilCode)]);
    expect(stored.deliveredCodeHashes).toEqual([sha256(order.deliveredCode)]);
  });

  it('GIVEN a whole order journey WHEN every response, email and log line is searched THEN no task token appears', async () => {
    const order = await world.given.orderOutForDelivery();
    const confirmed = await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode, rating: 5 });
    const again = await fulfil(order.orderId, order.fulfilCode);

    const everything = [confirmed.body, again.body, ...sentEmails(world.shop).flatMap((email) => [email.text, email.html]), ...world.logs.lines].join('\n');
    expect(world.logs.lines.join('')).toContain(order.orderId);
    expect(everything).not.toContain(order.fulfilToken);
    expect(everything).not.toContain(order.deliveryToken);
    expect(everything).not.toContain('task-token');
  });

  it('GIVEN a customer email address WHEN links are handled THEN no log line contains it or a link code', async () => {
    const order = await world.given.orderOutForDelivery({ email: 'very.private@example.org' });
    await confirmDelivery({ orderId: order.orderId, code: order.deliveredCode });

    const output = world.logs.lines.join('');
    expect(output).not.toContain('very.private@example.org');
    expect(output).not.toContain(order.deliveredCode);
    expect(output).not.toContain(order.cancelCode);
    expect(sentEmails(world.shop).some((email) => email.to.includes(shopEmails.cakeMaker))).toBe(true);
  });
});
