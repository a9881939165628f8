import { linkTo, mentions, type SentEmail } from '../support/mailbox';
import { anOrderAwaitingTheCakeMaker, anOrderOnItsWay } from '../steps/given';
import { closeShop, localOnly, localPowers, mailboxOf, openShop, type Shop } from '../steps/shop';
import { anEmailArrives, theExecutionEnds, theOrderReaches, theTaskFails, theWorkflowWaitsIn } from '../steps/then';
import { anOrderRequest, customerPlacesOrder, json, personFollowsLinkAndSubmits } from '../steps/when';

jest.setTimeout(180_000);

const pastAnyBackOff = 600;

let shop: Shop;

beforeAll(async () => {
  shop = await openShop();
});

afterAll(() => closeShop(shop));

const scenario = localOnly('killing and restarting the stack');

/** Emails about one order that share recipient and subject: each of these is an email sent more than once. */
function sentTwice(emails: SentEmail[], orderId: string): string[] {
  const seen = new Map<string, number>();
  for (const email of emails.filter((sent) => mentions(sent, orderId))) {
    const key = `${email.destination.to.join(',')}: ${email.subject}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, count]) => count > 1).map(([key]) => key);
}

describe('the whole stack killed and started again', () => {
  scenario('orders waiting for the cake maker, for delivery, and mid-invocation of an email retry all complete after a SIGKILL, each email sent once', async () => {
    // GIVEN an order waiting for the cake maker, one waiting for delivery confirmation
    const waitingForCakeMaker = await anOrderAwaitingTheCakeMaker(shop);
    const waitingForDelivery = await anOrderOnItsWay(shop);
    const emailsBefore = await mailboxOf(shop).all();
    // AND one placed while email is down, whose retry is mid-invocation: its email request has gone out unanswered
    await localPowers(shop).emailDown();
    const retryingRequest = anOrderRequest();
    const { orderId: retryingId } = json<{ orderId: string }>(await customerPlacesOrder(shop, retryingRequest));
    await theTaskFails(shop, retryingId, 'DependencyUnavailable');
    const hangingEmail = await localPowers(shop).emailHangs();
    // AdvanceClock answers once the engine is idle, which it is not while the retry waits on the email service.
    const advancing = localPowers(shop)
      .advanceClock(pastAnyBackOff)
      .then(() => 'idle', () => 'cut off');
    await hangingEmail.requestArrived;

    // WHEN the whole stack is killed without warning and started again on the same data
    await localPowers(shop).kill();
    await hangingEmail.release();
    await localPowers(shop).restart();

    // THEN the retry was still in flight when the stack died
    expect(await advancing).toBe('cut off');

    // AND nothing sent before is lost
    expect((await mailboxOf(shop).all()).slice(0, emailsBefore.length)).toEqual(emailsBefore);

    // AND the order waiting for the cake maker completes through the links emailed before the crash
    await personFollowsLinkAndSubmits(waitingForCakeMaker.fulfilLink);
    const onItsWay = await anEmailArrives(shop, { to: waitingForCakeMaker.request.email, subject: 'is on its way', mentioning: waitingForCakeMaker.orderId });
    await theWorkflowWaitsIn(shop, waitingForCakeMaker.orderId, 'Await Delivery Confirmation');
    await personFollowsLinkAndSubmits(linkTo(onItsWay, 'delivered'), { rating: '5' });

    // AND the order waiting for delivery completes
    await personFollowsLinkAndSubmits(waitingForDelivery.deliveredLink, { rating: '3', comment: 'A little late' });

    // AND the order cut off mid-invocation is confirmed at a later retry, once the killed invocation has timed out,
    // and completes
    await localPowers(shop).killedInvocationsExpire();
    await localPowers(shop).advanceClock(pastAnyBackOff);
    await anEmailArrives(shop, { to: retryingRequest.email, subject: 'We have your order', mentioning: retryingId });
    const bakeRequest = await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: 'New order to bake', mentioning: retryingId });
    await theWorkflowWaitsIn(shop, retryingId, 'Ask Cake Maker');
    await personFollowsLinkAndSubmits(linkTo(bakeRequest, 'fulfill'));
    const retryingOnItsWay = await anEmailArrives(shop, { to: retryingRequest.email, subject: 'is on its way', mentioning: retryingId });
    await theWorkflowWaitsIn(shop, retryingId, 'Await Delivery Confirmation');
    await personFollowsLinkAndSubmits(linkTo(retryingOnItsWay, 'delivered'));

    const orderIds = [waitingForCakeMaker.orderId, waitingForDelivery.orderId, retryingId];
    for (const orderId of orderIds) {
      await theExecutionEnds(shop, orderId);
      expect((await theOrderReaches(shop, orderId, 'COMPLETED')).status).toBe('COMPLETED');
    }
    // AND no email about any of them went out twice
    const emails = await mailboxOf(shop).all();
    expect(orderIds.flatMap((orderId) => sentTwice(emails, orderId))).toEqual([]);
  });
});
