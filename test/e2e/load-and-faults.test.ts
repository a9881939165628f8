import { setTimeout as sleep } from 'node:timers/promises';
import { SFNClient } from '@aws-sdk/client-sfn';
import { localOnly } from '../steps/shop';
import { LocalStack } from '../support/local-stack';
import type { SentEmail } from '../support/mailbox';
import { auditEmails, Deadline, driveOrders, executionOutcomes, MailWatcher, type ExecutionOutcomes, type LoadRun, type LoadTarget } from '../support/shop-load';

jest.setTimeout(600_000);

/**
 * The first promise of the shop: an accepted order is never lost, nor an email lost or doubled, with many customers
 * at once and while things go wrong. Each scenario runs a fresh `npm start`, on the real clock so retries and
 * back-off take the time they take on AWS, or on the test clock where it waits out a long outage; it drives
 * customers through the public HTTP contract.
 */
interface World {
  stack: LocalStack;
  sfn: SFNClient;
  mail: MailWatcher;
  deadline: Deadline;
}

async function openWorld(environment: Record<string, string> = {}, options: { testClock?: boolean } = {}): Promise<World> {
  const stack = await LocalStack.start({ realClock: !options.testClock, environment });
  const deadline = new Deadline(8 * 60_000);
  return {
    stack,
    deadline,
    mail: new MailWatcher(stack.urls.email, deadline),
    sfn: new SFNClient({ endpoint: stack.urls.stepFunctions, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}

async function closeWorld(world: World | undefined): Promise<void> {
  if (!world) return;
  await world.mail.stop();
  world.sfn.destroy();
  await world.stack.stop();
}

function target(world: World, onAccepted?: LoadTarget['onAccepted']): LoadTarget {
  return { shopUrl: world.stack.urls.shop, mail: world.mail, deadline: world.deadline, onAccepted };
}

/** THEN: every accepted order's execution succeeded, and each order got each of its emails exactly once. */
async function everyAcceptedOrderCompletes(world: World, run: LoadRun): Promise<ExecutionOutcomes> {
  const outcomes = await everyAcceptedOrderSucceeds(world, run);
  expect(await auditEmails(world.stack.urls.email, run.orderIds)).toEqual({ missing: [], doubled: [], doubledAt: {}, unexpected: [] });
  return outcomes;
}

async function everyAcceptedOrderSucceeds(world: World, run: LoadRun): Promise<ExecutionOutcomes> {
  expect(run.orderIds).toHaveLength(run.orders);
  expect(new Set(run.orderIds).size).toBe(run.orders);
  const outcomes = await executionOutcomes(world.sfn, world.stack.stateMachineArn, run.orderIds, world.deadline);
  expect(outcomes.unsuccessful).toEqual([]);
  expect(outcomes.statuses).toEqual({ SUCCEEDED: run.orders });
  return outcomes;
}

const scenario = localOnly('fresh stacks of its own, with the SES quota, the email service or the machine under its control');

let world: World | undefined;
afterEach(async () => {
  await closeWorld(world);
  world = undefined;
});

describe('the shop under load', () => {
  scenario('100 orders from 20 customers at once all complete, each with every email exactly once', async () => {
    // GIVEN a fresh shop
    world = await openWorld();

    // WHEN 100 customers, 20 at a time, order, the cake maker fulfils each and each customer confirms delivery
    const run = await driveOrders(target(world), 100, 20);

    // THEN every order completes with its emails sent once
    await everyAcceptedOrderCompletes(world, run);
  });

  scenario('a burst above the SES sending rate: every order completes and SES accepts the emails no faster than the rate', async () => {
    // GIVEN an account that may send 4 emails a second
    world = await openWorld({ LOCAL_SES_MAX_SEND_RATE: '4' });

    // WHEN 20 customers order at once, each order sending 5 emails
    const run = await driveOrders(target(world), 20, 20);

    // THEN every order completes with its emails sent once
    await everyAcceptedOrderCompletes(world, run);

    // AND SES accepted them no faster than 4 a second. The store stamps an email when it has parsed it, which can
    // be the second after the quota counted it, so the check is over the whole burst rather than second by second.
    const { emails } = (await (await fetch(`${world.stack.urls.email}/store`)).json()) as { emails: SentEmail[] };
    const stamps = emails.map((email) => email.at);
    const seconds = Math.max(...stamps) - Math.min(...stamps) + 1;
    expect(emails.length).toBeLessThanOrEqual(4 * (seconds + 1));
  });

  scenario('the whole stack killed mid-load while customers retry with the same Idempotency-Key: every accepted order completes', async () => {
    // GIVEN a shop taking orders from 20 customers at once
    world = await openWorld();
    const current = world;
    let killed: Promise<void> | undefined;
    let killedAt = 0;

    // WHEN the machine loses power after the 5th order is accepted, while the other first orders are in flight,
    // and the shop is started again
    const run = await driveOrders(
      target(current, (progress) => {
        if (progress.orderIds.length !== 5 || killed) return;
        killedAt = Math.ceil(Date.now() / 1000);
        killed = current.stack.kill().then(() => current.stack.restart());
      }),
      40,
      20,
    );
    await killed;

    // THEN some customers found the shop gone and retried, and every order completes
    expect(run.unreachable).toBeGreaterThan(0);
    await everyAcceptedOrderSucceeds(current, run);

    // AND no email is missing, and one is sent twice only where the kill cut its step off after SES accepted it and
    // before the step's record was saved: SES takes no idempotency key, so that retry cannot know (see the README)
    const emails = await auditEmails(current.stack.urls.email, run.orderIds);
    expect(emails.missing).toEqual([]);
    expect(emails.unexpected).toEqual([]);
    for (const [entry, copiesAt] of Object.entries(emails.doubledAt)) {
      expect([entry, copiesAt.length]).toEqual([entry, 2]);
      expect([entry, Math.min(...copiesAt) <= killedAt]).toEqual([entry, true]);
    }
  });

  scenario('email down for 30 minutes while 20 customers order: once it is back every order completes, each email sent once', async () => {
    // GIVEN a shop on the test clock whose email service is down
    world = await openWorld({}, { testClock: true });
    const current = world;
    await current.stack.emailDown();

    // WHEN 20 customers order at once, and 30 minutes pass with email still down
    const run = driveOrders(target(current), 20, 20);
    const minutes = async (count: number) => {
      for (let minute = 0; minute < count; minute += 1) await current.stack.advanceClock(60);
    };
    await minutes(30);

    // AND email comes back, and time goes on until every customer has been through
    await current.stack.emailUp();
    let finished = false;
    const done = run.finally(() => (finished = true));
    while (!finished) {
      await minutes(1);
      await sleep(100);
    }

    // THEN every order completes with its emails sent once, each having retried through the outage
    const outcomes = await everyAcceptedOrderCompletes(current, await done);
    expect(outcomes.retries).toBeGreaterThanOrEqual(20);
  });

  scenario('DynamoDB answering slowly, at first past the handlers\' request timeout: every order completes, each email once', async () => {
    // GIVEN a shop whose DynamoDB holds every request 4 s, past the 3 s the handlers wait for an answer
    world = await openWorld();
    const current = world;
    await current.stack.delayDynamoDb(4000);

    // WHEN 20 customers order at once, and after 10 s DynamoDB answers within half a second
    const run = driveOrders(target(current), 20, 20);
    await sleep(10_000);
    await current.stack.delayDynamoDb(500);
    const done = await run;
    await current.stack.delayDynamoDb(0);

    // THEN customers were told to come back while it was slow, and every order completes with its emails sent once
    expect(done.busy).toBeGreaterThan(0);
    await everyAcceptedOrderCompletes(current, done);
  });

  scenario('sandboxes dying mid-invocation under load: every order completes, each email once', async () => {
    // GIVEN a shop taking orders from 15 customers at once
    world = await openWorld();
    const current = world;
    const run = driveOrders(target(current), 30, 15);
    let finished = false;
    const done = run.finally(() => (finished = true));

    // WHEN sandboxes of the function that completes orders die mid-invocation, three times. Only that function:
    // SES takes no idempotency key, so a sandbox killed between SES accepting an email and the step's record being
    // saved would send that email again on retry (see the README)
    let kills = 0;
    while (!finished && kills < 3) {
      if (await current.stack.killBusySandbox('setOrderStatus')) kills += 1;
      await sleep(20);
    }

    // THEN the killed invocations were retried, and every order completes with its emails sent once
    expect(kills).toBeGreaterThan(0);
    await everyAcceptedOrderCompletes(current, await done);
  });
});
