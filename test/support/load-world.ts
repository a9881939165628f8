import { SFNClient } from '@aws-sdk/client-sfn';
import { localOnly } from '../steps/shop';
import { LocalStack } from './local-stack';
import { auditEmails, Deadline, executionOutcomes, MailWatcher, type ExecutionOutcomes, type LoadRun, type LoadTarget } from './shop-load';

/**
 * A fresh `npm start` with customers' mail watched, for the scenarios that hold the first promise of the shop: an
 * accepted order is never lost, nor an email lost or doubled, with many customers at once and while things go
 * wrong. It runs on the real clock, so retries and back-off take the time they take on AWS, or on the test clock
 * where a scenario waits out a long outage.
 */
export interface LoadWorld {
  stack: LocalStack;
  sfn: SFNClient;
  mail: MailWatcher;
  deadline: Deadline;
}

export async function openLoadWorld(environment: Record<string, string> = {}, options: { testClock?: boolean } = {}): Promise<LoadWorld> {
  const stack = await LocalStack.start({ realClock: !options.testClock, environment });
  const deadline = new Deadline(8 * 60_000);
  return {
    stack,
    deadline,
    mail: new MailWatcher(stack.urls.email, deadline),
    sfn: new SFNClient({ endpoint: stack.urls.stepFunctions, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
}

export async function closeLoadWorld(world: LoadWorld | undefined): Promise<void> {
  if (!world) return;
  await world.mail.stop();
  world.sfn.destroy();
  await world.stack.stop();
}

/** A load scenario: it needs fresh stacks of its own, so it runs only against the local target. */
export const loadScenario = localOnly('fresh stacks of its own, with the SES quota, the email service or the machine under its control');

/** Opens each scenario's world, and closes it after the scenario whether it passed or not. */
export function aLoadWorldPerScenario(): (environment?: Record<string, string>, options?: { testClock?: boolean }) => Promise<LoadWorld> {
  let world: LoadWorld | undefined;
  afterEach(async () => {
    await closeLoadWorld(world);
    world = undefined;
  });
  return async (environment, options) => (world = await openLoadWorld(environment, options));
}

export function loadTarget(world: LoadWorld, onAccepted?: LoadTarget['onAccepted']): LoadTarget {
  return { shopUrl: world.stack.urls.shop, mail: world.mail, deadline: world.deadline, onAccepted };
}

/** THEN: every accepted order's execution succeeded, and each order got each of its emails exactly once. */
export async function everyAcceptedOrderCompletes(world: LoadWorld, run: LoadRun): Promise<ExecutionOutcomes> {
  const outcomes = await everyAcceptedOrderSucceeds(world, run);
  expect(await auditEmails(world.stack.urls.email, run.orderIds)).toEqual({ missing: [], doubled: [], doubledAt: {}, unexpected: [] });
  return outcomes;
}

export async function everyAcceptedOrderSucceeds(world: LoadWorld, run: LoadRun): Promise<ExecutionOutcomes> {
  expect(run.orderIds).toHaveLength(run.orders);
  expect(new Set(run.orderIds).size).toBe(run.orders);
  const outcomes = await executionOutcomes(world.sfn, world.stack.stateMachineArn, run.orderIds, world.deadline);
  expect(outcomes.unsuccessful).toEqual([]);
  expect(outcomes.statuses).toEqual({ SUCCEEDED: run.orders });
  return outcomes;
}
