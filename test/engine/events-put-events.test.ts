import type { PutEventsCaller, PutEventsEntry, PutEventsResponse } from '../../infra/local/engine';
import { engineHarness, NamedError, ROLE_ARN, type Harness } from './support/engine-harness';

/** One Task state that publishes one event with the optimized EventBridge integration. */
const publishing = (extra: object = {}) => ({
  StartAt: 'Publish',
  States: {
    Publish: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: {
        Entries: [{ EventBusName: 'orders', Source: 'cake-shop.orders', DetailType: 'OrderPlaced', Detail: { 'orderId.$': '$.orderId', sequence: 1 } }],
      },
      End: true,
      ...extra,
    },
  },
});

interface Bus {
  requests: { Entries: PutEventsEntry[] }[];
  callers: PutEventsCaller[];
  /** What the next call gets instead of success, then cleared. */
  next?: Error | PutEventsResponse;
}

async function harnessWithBus(): Promise<{ harness: Harness; bus: Bus }> {
  const bus: Bus = { requests: [], callers: [] };
  const harness = await engineHarness(
    {},
    {
      eventBridge: async (request, caller) => {
        const next = bus.next;
        bus.next = undefined;
        if (next instanceof Error) throw next;
        bus.requests.push(request);
        bus.callers.push(caller);
        return next ?? { FailedEntryCount: 0, Entries: request.Entries.map((_entry, index) => ({ EventId: `event-${index}` })) };
      },
    },
  );
  return { harness, bus };
}

describe('the events:putEvents optimized integration', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('puts the entries as the execution role, with the Detail as JSON text and the execution and state machine added to Resources, and records what AWS records', async () => {
    // GIVEN a state machine that publishes one event
    const setup = await harnessWithBus();
    harness = setup.harness;
    const machine = await harness.machine(publishing(), 'publisher');

    // WHEN it runs
    const execution = await harness.run(machine, { orderId: 'o-1' }, 'order-o-1');

    // THEN the bus got the entry as PutEvents takes it, from the state machine's role
    expect(setup.bus.requests).toEqual([
      {
        Entries: [
          {
            EventBusName: 'orders',
            Source: 'cake-shop.orders',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ orderId: 'o-1', sequence: 1 }),
            Resources: [execution, machine],
          },
        ],
      },
    ]);
    expect(setup.bus.callers).toEqual([{ roleArn: ROLE_ARN, executionArn: execution }]);
    // AND the history names the events resource, and the task's output is the PutEvents response
    const history = await harness.history(execution);
    const task = history.filter((event) => event.type?.startsWith('Task') && !event.type.startsWith('TaskState'));
    expect(task.map((event) => event.type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    expect(task[0].taskScheduledEventDetails).toMatchObject({ resourceType: 'events', resource: 'putEvents', region: 'us-east-1' });
    expect(task[1].taskStartedEventDetails).toEqual({ resourceType: 'events', resource: 'putEvents' });
    expect(JSON.parse(task[2].taskSucceededEventDetails?.output ?? 'null')).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: 'event-0' }] });
    expect(await harness.describe(execution)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('fails the task with EventBridge.FailedEntry when PutEvents reports a failed entry, which a Catch can take', async () => {
    // GIVEN a bus that refuses the entry
    const setup = await harnessWithBus();
    harness = setup.harness;
    setup.bus.next = { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus orders does not exist.' }] };
    const machine = await harness.machine({
      ...publishing({ Catch: [{ ErrorEquals: ['EventBridge.FailedEntry'], ResultPath: '$.error', Next: 'Not Published' }], End: undefined }),
      States: {
        ...publishing({ Catch: [{ ErrorEquals: ['EventBridge.FailedEntry'], ResultPath: '$.error', Next: 'Not Published' }] }).States,
        'Not Published': { Type: 'Pass', End: true },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine, { orderId: 'o-2' });

    // THEN the task failed with FailedEntry, its cause the response, and the Catch went on
    const failed = (await harness.history(execution)).find((event) => event.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ resourceType: 'events', resource: 'putEvents', error: 'EventBridge.FailedEntry' });
    expect(failed?.taskFailedEventDetails?.cause).toContain('ResourceNotFoundException');
    expect(await harness.statesEntered(execution)).toEqual(['Publish', 'Not Published']);
  });

  it('names a refused call EventBridge.<error>, so a Retry on EventBridge.ThrottlingException publishes on the next attempt', async () => {
    // GIVEN a bus that throttles the first call, and a state that retries throttling
    const setup = await harnessWithBus();
    harness = setup.harness;
    setup.bus.next = new NamedError('ThrottlingException', 'Rate exceeded');
    const machine = await harness.machine(publishing({ Retry: [{ ErrorEquals: ['EventBridge.ThrottlingException'], IntervalSeconds: 1, MaxAttempts: 2 }] }));

    // WHEN it runs and the retry falls due
    const execution = await harness.run(machine, { orderId: 'o-3' });
    await harness.advance(1);

    // THEN the first attempt failed with EventBridge.ThrottlingException and the second published
    const failed = (await harness.history(execution)).find((event) => event.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ error: 'EventBridge.ThrottlingException' });
    expect(setup.bus.requests).toHaveLength(1);
    expect(await harness.describe(execution)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('fails a task whose Parameters have no Entries with States.Runtime', async () => {
    // GIVEN a publishing state with no entries
    const setup = await harnessWithBus();
    harness = setup.harness;
    const machine = await harness.machine(publishing({ Parameters: { Entries: [] } }));

    // WHEN it runs, THEN the execution fails naming the missing entries
    const execution = await harness.run(machine, {});
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});
