import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { postJson } from '../fixtures/api-events';
import { lambdaContext } from '../fixtures/lambda-context';
import { fakeTaskToken, taskEvent, useTestShop } from '../fixtures/order-journey';
import { storedOrder } from '../fixtures/stored-orders';
import { sentEmails, shopEmails } from '../fixtures/test-shop';

const world = useTestShop();

const emailDown = () => Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error', code: 'ECONNREFUSED' });
const emailsTo = (address: string) => sentEmails(world.shop).filter((email) => email.to.includes(address));

describe('recording a message the workflow gave up on', () => {
  it('GIVEN the order confirmation could not be sent WHEN the workflow records it twice THEN the order notes it once, at the first time', async () => {
    const { orderId } = await world.given.placedOrder();

    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'orderConfirmation' as const }), lambdaContext());
    const first = (await storedOrder(world.shop, orderId)).orderConfirmationUnsentAt;
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'orderConfirmation' as const }), lambdaContext());

    expect(first).toEqual(expect.any(String));
    expect((await storedOrder(world.shop, orderId)).orderConfirmationUnsentAt).toBe(first);
  });

  it('GIVEN the reminder could not be sent WHEN Keep Waiting For Cake Maker runs THEN its task token is the one the fulfil link now answers', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    const keepWaiting = fakeTaskToken();

    await world.handlers.recordUnsentMessage(taskEvent(order.orderId, { message: 'reminder' as const, taskToken: keepWaiting }), lambdaContext());

    const stored = await storedOrder(world.shop, order.orderId);
    expect(stored.fulfilTaskToken).toBe(keepWaiting);
    expect(stored.reminderUnsentAt).toEqual(expect.any(String));
  });

  it('GIVEN the customer cancelled WHEN Keep Waiting For Cake Maker runs THEN it fails with OrderCancelled, which the workflow turns into the cancellation', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.cancelOrder(postJson('/order/cancel', { orderId: order.orderId, code: order.cancelCode }), lambdaContext());

    const keepWaiting = world.handlers.recordUnsentMessage(taskEvent(order.orderId, { message: 'reminder' as const, taskToken: fakeTaskToken() }), lambdaContext());

    await expect(keepWaiting).rejects.toMatchObject({ name: 'OrderCancelled' });
  });
});

describe('ops re-sending what was not sent', () => {
  it('GIVEN the order confirmation was not sent WHEN ops re-send it THEN the customer gets it and the order no longer lists it', async () => {
    const { orderId } = await world.given.placedOrder();
    world.shop.ses.on(SendEmailCommand).rejectsOnce(emailDown()).resolves({ MessageId: 'sent' });
    await expect(world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext())).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'orderConfirmation' as const }), lambdaContext());

    const result = await world.handlers.resendUnsentMessage({ orderId, message: 'orderConfirmation' as const }, lambdaContext());

    expect(result.outcome).toBe('sent');
    // The SES fake lists every SendEmail call: the one refused while email was down, then the re-send.
    expect(emailsTo('ada@example.com').map((email) => email.subject)).toEqual([expect.stringContaining('We have your order'), expect.stringContaining('We have your order')]);
    expect((await storedOrder(world.shop, orderId)).orderConfirmationUnsentAt).toBeUndefined();
  });

  it('GIVEN a re-send went out WHEN ops press re-send again THEN nothing more is sent', async () => {
    const { orderId } = await world.given.placedOrder();
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'orderConfirmation' as const }), lambdaContext());
    await world.handlers.resendUnsentMessage({ orderId, message: 'orderConfirmation' as const }, lambdaContext());

    const again = await world.handlers.resendUnsentMessage({ orderId, message: 'orderConfirmation' as const }, lambdaContext());

    expect(again.outcome).toBe('notUnsent');
    expect(emailsTo('ada@example.com')).toHaveLength(1);
  });

  it('GIVEN the workflow sent the email but lost the answer WHEN ops re-send it THEN the shared idempotency record keeps it to one email', async () => {
    const { orderId } = await world.given.placedOrder();
    await world.handlers.sendOrderConfirmation(taskEvent(orderId), lambdaContext());
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'orderConfirmation' as const }), lambdaContext());

    await world.handlers.resendUnsentMessage({ orderId, message: 'orderConfirmation' as const }, lambdaContext());

    expect(emailsTo('ada@example.com')).toHaveLength(1);
  });

  it('GIVEN the customer\'s cancellation confirmation was not sent WHEN ops re-send it THEN the customer gets it once, even when ops press twice', async () => {
    const { orderId } = await world.given.placedOrder();
    world.shop.ses.on(SendEmailCommand).rejectsOnce(emailDown()).resolves({ MessageId: 'sent' });
    const notice = taskEvent(orderId, { notice: 'cancellationConfirmed' as const });
    await expect(world.handlers.sendNotice(notice, lambdaContext())).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'cancellationConfirmation' as const }), lambdaContext());

    const first = await world.handlers.resendUnsentMessage({ orderId, message: 'cancellationConfirmation' as const }, lambdaContext());
    const again = await world.handlers.resendUnsentMessage({ orderId, message: 'cancellationConfirmation' as const }, lambdaContext());

    expect([first.outcome, again.outcome]).toEqual(['sent', 'notUnsent']);
    // The SES fake lists every SendEmail call: the one refused while email was down, then the re-send.
    expect(emailsTo('ada@example.com').map((email) => email.subject)).toEqual([expect.stringContaining('You cancelled your order'), expect.stringContaining('You cancelled your order')]);
    expect((await storedOrder(world.shop, orderId)).cancellationConfirmationUnsentAt).toBeUndefined();
  });

  it('GIVEN the workflow sent the cancellation confirmation but lost the answer WHEN ops re-send it THEN the shared idempotency record keeps it to one email', async () => {
    const { orderId } = await world.given.placedOrder();
    world.shop.ses.reset();
    await world.handlers.sendNotice(taskEvent(orderId, { notice: 'cancellationConfirmed' as const }), lambdaContext());
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'cancellationConfirmation' as const }), lambdaContext());

    await world.handlers.resendUnsentMessage({ orderId, message: 'cancellationConfirmation' as const }, lambdaContext());

    expect(emailsTo('ada@example.com')).toHaveLength(1);
  });

  it('GIVEN email is still down WHEN ops re-send THEN it fails with DependencyUnavailable and the order still lists the message', async () => {
    const { orderId } = await world.given.placedOrder();
    await world.handlers.recordUnsentMessage(taskEvent(orderId, { message: 'orderConfirmation' as const }), lambdaContext());
    world.shop.ses.on(SendEmailCommand).rejects(emailDown());

    await expect(world.handlers.resendUnsentMessage({ orderId, message: 'orderConfirmation' as const }, lambdaContext())).rejects.toMatchObject({
      name: 'DependencyUnavailable',
    });
    expect((await storedOrder(world.shop, orderId)).orderConfirmationUnsentAt).toEqual(expect.any(String));
  });

  it('GIVEN the reminder was not sent and the cake maker is still waited for WHEN ops re-send it THEN the cake maker gets the reminder with a fulfil link', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.recordUnsentMessage(taskEvent(order.orderId, { message: 'reminder' as const, taskToken: fakeTaskToken() }), lambdaContext());

    const result = await world.handlers.resendUnsentMessage({ orderId: order.orderId, message: 'reminder' as const }, lambdaContext());

    expect(result.outcome).toBe('sent');
    const reminder = emailsTo(shopEmails.cakeMaker).at(-1);
    expect(reminder?.subject).toContain('Reminder');
    expect(reminder?.text).toMatch(new RegExp(`/order/${order.orderId}/fulfill\\?code=`));
  });
});
