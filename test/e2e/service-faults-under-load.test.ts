import { setTimeout as sleep } from 'node:timers/promises';
import { aLoadWorldPerScenario, everyAcceptedOrderCompletes, loadScenario, loadTarget } from '../support/load-world';
import { driveOrders } from '../support/shop-load';

jest.setTimeout(600_000);

/**
 * The first promise of the shop while a service the handlers call fails under load: email down for half an hour,
 * DynamoDB slow, sandboxes dying mid-invocation. Every accepted order completes, each email sent once.
 */
const openWorld = aLoadWorldPerScenario();

describe('the shop under load, while a service it calls fails', () => {
  loadScenario('email down for 30 minutes while 20 customers order: once it is back every order completes, each email sent once', async () => {
    // GIVEN a shop on the test clock whose email service is down
    const world = await openWorld({}, { testClock: true });
    await world.stack.emailDown();

    // WHEN 20 customers order at once, and 30 minutes pass with email still down
    const run = driveOrders(loadTarget(world), 20, 20);
    const minutes = async (count: number) => {
      for (let minute = 0; minute < count; minute += 1) await world.stack.advanceClock(60);
    };
    await minutes(30);

    // AND email comes back, and time goes on until every customer has been through
    await world.stack.emailUp();
    let finished = false;
    const done = run.finally(() => (finished = true));
    while (!finished) {
      await minutes(1);
      await sleep(100);
    }

    // THEN every order completes with its emails sent once, each having retried through the outage
    const outcomes = await everyAcceptedOrderCompletes(world, await done);
    expect(outcomes.retries).toBeGreaterThanOrEqual(20);
  });

  loadScenario('DynamoDB answering slowly, at first past the handlers\' request timeout: every order completes, each email once', async () => {
    // GIVEN a shop whose DynamoDB holds every request 4 s, past the 3 s the handlers wait for an answer
    const world = await openWorld();
    await world.stack.delayDynamoDb(4000);

    // WHEN 20 customers order at once, and after 10 s DynamoDB answers within half a second
    const run = driveOrders(loadTarget(world), 20, 20);
    await sleep(10_000);
    await world.stack.delayDynamoDb(500);
    const done = await run;
    await world.stack.delayDynamoDb(0);

    // THEN customers were told to come back while it was slow, and every order completes with its emails sent once
    expect(done.busy).toBeGreaterThan(0);
    await everyAcceptedOrderCompletes(world, done);
  });

  loadScenario('sandboxes dying mid-invocation under load: every order completes, each email once', async () => {
    // GIVEN a shop taking orders from 15 customers at once
    const world = await openWorld();
    const run = driveOrders(loadTarget(world), 30, 15);
    let finished = false;
    const done = run.finally(() => (finished = true));

    // WHEN sandboxes of the function that completes orders die mid-invocation, three times. Only that function:
    // SES takes no idempotency key, so a sandbox killed between SES accepting an email and the step's record being
    // saved would send that email again on retry (see the README)
    let kills = 0;
    while (!finished && kills < 3) {
      if (await world.stack.killBusySandbox('setOrderStatus')) kills += 1;
      await sleep(20);
    }

    // THEN the killed invocations were retried, and every order completes with its emails sent once
    expect(kills).toBeGreaterThan(0);
    await everyAcceptedOrderCompletes(world, await done);
  });
});
