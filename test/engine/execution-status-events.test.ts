import type { ExecutionStatusChange } from '../../infra/local/engine';
import { callbackTask, engineHarness, functionArn, NamedError, START, tokenInbox, type Harness } from './support/engine-harness';

// What Step Functions sends to the default bus as "Step Functions Execution Status Change" (Step Functions developer
// guide, "EventBridge (CloudWatch Events) for Step Functions execution status changes").
describe('execution status changes, as Step Functions sends them to EventBridge', () => {
  let harness: Harness;
  let changes: ExecutionStatusChange[];
  afterEach(() => harness?.close());

  const heard = async () => {
    await harness.engine.whenIdle();
    // The port hears a change once its batch is on disk, a turn after the step that made it.
    await new Promise((resolve) => setImmediate(resolve));
    return changes.map(({ status, redriveCount, error, redriveStatus }) => ({ status, redriveCount, error, redriveStatus }));
  };

  test('a failed execution is heard RUNNING then FAILED with its error and REDRIVABLE; its redrive RUNNING again with redriveCount 1, then SUCCEEDED', async () => {
    // GIVEN a machine whose one task fails the first time and succeeds the second
    let calls = 0;
    changes = [];
    harness = await engineHarness(
      {
        [functionArn('bake')]: async () => {
          calls += 1;
          if (calls === 1) throw new NamedError('OvenBroken', 'the oven is cold');
          return { baked: true };
        },
      },
      { executionStatus: (change) => changes.push(change) },
    );
    const machine = await harness.machine({ StartAt: 'Bake', States: { Bake: { Type: 'Task', Resource: functionArn('bake'), End: true } } });

    // WHEN it runs, fails, and is redriven
    const execution = await harness.run(machine, { cake: 'pavlova' }, 'order-1');
    expect(await heard()).toEqual([
      { status: 'RUNNING', redriveCount: 0, error: undefined, redriveStatus: 'NOT_REDRIVABLE' },
      { status: 'FAILED', redriveCount: 0, error: 'OvenBroken', redriveStatus: 'REDRIVABLE' },
    ]);
    await harness.engine.redriveExecution({ executionArn: execution });

    // THEN the redrive is heard as RUNNING and SUCCEEDED, and each change names the execution as the event's detail does
    expect((await heard()).slice(2)).toEqual([
      { status: 'RUNNING', redriveCount: 1, error: undefined, redriveStatus: 'NOT_REDRIVABLE' },
      { status: 'SUCCEEDED', redriveCount: 1, error: undefined, redriveStatus: 'NOT_REDRIVABLE' },
    ]);
    expect(changes[1]).toMatchObject({
      executionArn: execution,
      stateMachineArn: machine,
      name: 'order-1',
      startDate: START,
      stopDate: START,
      input: '{"cake":"pavlova"}',
      output: null,
      inputDetails: { included: true },
      outputDetails: null,
      cause: expect.stringContaining('"errorMessage":"the oven is cold"'),
    });
    expect(changes[3]).toMatchObject({ output: '{"baked":true}', outputDetails: { included: true }, redriveDate: START });
  });

  test('a stopped execution is heard ABORTED, and one past its TimeoutSeconds TIMED_OUT', async () => {
    // GIVEN two executions waiting on a task token, one of a machine with a 60 s timeout
    const inbox = tokenInbox();
    changes = [];
    harness = await engineHarness({ [functionArn('ask')]: inbox.handler }, { executionStatus: (change) => changes.push(change) });
    const waiting = { StartAt: 'Ask', States: { Ask: callbackTask('ask', { End: true }) } };
    const stopped = await harness.run(await harness.machine(waiting));
    await harness.run(await harness.machine({ ...waiting, TimeoutSeconds: 60 }));

    // WHEN the first is stopped and the second's time runs out
    await harness.engine.stopExecution({ executionArn: stopped, error: 'Ops' });
    await harness.advance(61);

    // THEN each is heard with its end
    expect((await heard()).map((change) => [change.status, change.error])).toEqual([
      ['RUNNING', undefined],
      ['RUNNING', undefined],
      ['ABORTED', 'Ops'],
      ['TIMED_OUT', 'States.Timeout'],
    ]);
  });
});
