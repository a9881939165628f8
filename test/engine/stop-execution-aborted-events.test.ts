import { callbackTask, engineHarness, tokenInbox, type Harness } from './support/engine-harness';

describe('StopExecution: the history records the states it aborted, as on AWS', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  const eventsAfterStop = async (execution: string, eventsBeforeStop: number) =>
    (await harness.history(execution)).slice(eventsBeforeStop).map((event) => ({ type: event.type, iteration: event.mapIterationAbortedEventDetails }));

  test('stopping an execution inside an inline Map records TaskStateAborted and MapIterationAborted for each running iteration, then MapStateAborted, then ExecutionAborted', async () => {
    // GIVEN a Map whose two iterations each wait on a task token
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({
      StartAt: 'Ask Each Baker',
      States: { 'Ask Each Baker': { Type: 'Map', ItemsPath: '$.bakers', Iterator: { StartAt: 'Ask', States: { Ask: callbackTask('ask', { End: true }) } }, End: true } },
    });
    const execution = await harness.run(machine, { bakers: ['ann', 'bob'] });
    const before = (await harness.history(execution)).length;

    // WHEN it is stopped
    await harness.engine.stopExecution({ executionArn: execution, error: 'Ops' });

    // THEN each running state is recorded as aborted, innermost first, and ExecutionAborted comes last
    expect(await eventsAfterStop(execution, before)).toEqual([
      { type: 'TaskStateAborted', iteration: undefined },
      { type: 'MapIterationAborted', iteration: { name: 'Ask Each Baker', index: 0 } },
      { type: 'TaskStateAborted', iteration: undefined },
      { type: 'MapIterationAborted', iteration: { name: 'Ask Each Baker', index: 1 } },
      { type: 'MapStateAborted', iteration: undefined },
      { type: 'ExecutionAborted', iteration: undefined },
    ]);
  });

  test('stopping an execution inside a Parallel state records WaitStateAborted and TaskStateAborted for its branches, then ParallelStateAborted, then ExecutionAborted', async () => {
    // GIVEN a Parallel state with one branch in a Wait and one waiting on a task token
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({
      StartAt: 'Rise And Ask',
      States: {
        'Rise And Ask': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Rise', States: { Rise: { Type: 'Wait', Seconds: 3600, End: true } } },
            { StartAt: 'Ask', States: { Ask: callbackTask('ask', { End: true }) } },
          ],
          End: true,
        },
      },
    });
    const execution = await harness.run(machine);
    const before = (await harness.history(execution)).length;

    // WHEN it is stopped
    await harness.engine.stopExecution({ executionArn: execution });

    // THEN the history ends with the aborted branch states, the aborted Parallel state and ExecutionAborted
    expect((await eventsAfterStop(execution, before)).map((event) => event.type)).toEqual(['WaitStateAborted', 'TaskStateAborted', 'ParallelStateAborted', 'ExecutionAborted']);
  });

  test('each aborted event follows the last event of the state it aborts', async () => {
    // GIVEN an execution waiting on a task token
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({ StartAt: 'Ask', States: { Ask: callbackTask('ask', { End: true }) } });
    const execution = await harness.run(machine);
    const lastTaskEvent = (await harness.history(execution)).at(-1)!;

    // WHEN it is stopped
    await harness.engine.stopExecution({ executionArn: execution });

    // THEN TaskStateAborted links to the task's last event, and ExecutionAborted to TaskStateAborted
    const [aborted, executionAborted] = (await harness.history(execution)).slice(-2);
    expect(aborted).toMatchObject({ type: 'TaskStateAborted', previousEventId: lastTaskEvent.id });
    expect(executionAborted).toMatchObject({ type: 'ExecutionAborted', previousEventId: aborted.id });
  });
});
