import type { SentEmail } from '../support/mailbox';
import { aLoadWorldPerScenario, everyAcceptedOrderCompletes, everyAcceptedOrderSucceeds, loadScenario, loadTarget } from '../support/load-world';
import { auditEmails, driveOrders } from '../support/shop-load';

jest.setTimeout(600_000);

/**
 * The first promise of the shop, with many customers at once: an accepted order is never lost, nor an email lost
 * or doubled. Faults of the services the handlers call are in service-faults-under-load.test.ts, so the two files
 * run side by side.
 */
const openWorld = aLoadWorldPerScenario();

describe('the shop under load', () => {
  loadScenario('100 orders from 20 customers at once all complete, each with every email exactly once', async () => {
    // GIVEN a fresh shop
    const world = await openWorld();

    // WHEN 100 customers, 20 at a time, order, the cake maker fulfils each and each customer confirms delivery
    const run = await driveOrders(loadTarget(world), 100, 20);

    // THEN every order completes with its emails sent once
    await everyAcceptedOrderCompletes(world, run);
  });

  loadScenario('a burst above the SES sending rate: every order completes and SES accepts the emails no faster than the rate', async () => {
    // GIVEN an account that may send 4 emails a second
    const world = await openWorld({ LOCAL_SES_MAX_SEND_RATE: '4' });

    // WHEN 20 customers order at once, each order sending 5 emails
    const run = await driveOrders(loadTarget(world), 20, 20);

    // THEN every order completes with its emails sent once
    await everyAcceptedOrderCompletes(world, run);

    // AND SES accepted them no faster than 4 a second. The store stamps an email when it has parsed it, which can
    // be the second after the quota counted it, so the check is over the whole burst rather than second by second.
    const { emails } = (await (await fetch(`${world.stack.urls.email}/store`)).json()) as { emails: SentEmail[] };
    const stamps = emails.map((email) => email.at);
    const seconds = Math.max(...stamps) - Math.min(...stamps) + 1;
    expect(emails.length).toBeLessThanOrEqual(4 * (seconds + 1));
  });

  loadScenario('the whole stack killed mid-load while customers retry with the same Idempotency-Key: every accepted order completes', async () => {
    // GIVEN a shop taking orders from 20 customers at once
    const world = await openWorld();
    let killed: Promise<void> | undefined;
    let killedAt = 0;

    // WHEN the machine loses power after the 5th order is accepted, while the other first orders are in flight,
    // and the shop is started again
    const run = await driveOrders(
      loadTarget(world, (progress) => {
        if (progress.orderIds.length !== 5 || killed) return;
        killedAt = Math.ceil(Date.now() / 1000);
        killed = world.stack.kill().then(() => world.stack.restart());
      }),
      40,
      20,
    );
    await killed;

    // THEN some customers found the shop gone and retried, and every order completes
    expect(run.unreachable).toBeGreaterThan(0);
    await everyAcceptedOrderSucceeds(world, run);

    // AND no email is missing, and one is sent twice only where the kill cut its step off after SES accepted it and
    // before the step's record was saved: SES takes no idempotency key, so that retry cannot know (see the README)
    const emails = await auditEmails(world.stack.urls.email, run.orderIds);
    expect(emails.missing).toEqual([]);
    expect(emails.unexpected).toEqual([]);
    for (const [entry, copiesAt] of Object.entries(emails.doubledAt)) {
      expect([entry, copiesAt.length]).toEqual([entry, 2]);
      expect([entry, Math.min(...copiesAt) <= killedAt]).toEqual([entry, true]);
    }
  });
});
