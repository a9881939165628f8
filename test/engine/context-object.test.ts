import { callbackTask, engineHarness, invokeTask, ROLE_ARN, START, tokenInbox, type Harness } from './support/engine-harness';

/** The engine hands every state the context object, so `$$` paths work wherever a state reads a path. */
describe('local Step Functions engine: the context object ($$) in every state', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('Parameters read $$.Execution, $$.StateMachine and $$.State as AWS fills them', async () => {
    // GIVEN a Pass state that copies the whole context object
    harness = await engineHarness({});
    const machine = await harness.machine(
      { StartAt: 'Note Order', States: { 'Note Order': { Type: 'Pass', Parameters: { 'context.$': '$$' }, End: true } } },
      'orders',
    );

    // WHEN an execution named after an order runs
    const execution = await harness.run(machine, { orderId: '42' }, 'order-42');

    // THEN each field names this execution, machine and state
    const { context } = JSON.parse((await harness.describe(execution)).output!);
    expect(context).toEqual({
      Execution: {
        Id: execution,
        Name: 'order-42',
        StartTime: new Date(START).toISOString(),
        Input: { orderId: '42' },
        RoleArn: ROLE_ARN,
        RedriveCount: 0,
      },
      StateMachine: { Id: machine, Name: 'orders' },
      State: { Name: 'Note Order', EnteredTime: new Date(START).toISOString(), RetryCount: 0 },
    });
  });

  test('a Choice rule can decide on $$.Execution.Name', async () => {
    // GIVEN a choice on the execution's name
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Is It An Order',
      States: {
        'Is It An Order': { Type: 'Choice', Choices: [{ Variable: '$$.Execution.Name', StringMatches: 'order-*', Next: 'Order' }], Default: 'Other' },
        Order: { Type: 'Succeed' },
        Other: { Type: 'Succeed' },
      },
    });

    // WHEN an execution named order-7 runs
    const execution = await harness.run(machine, {}, 'order-7');

    // THEN the rule matched
    expect(await harness.statesEntered(execution)).toEqual(['Is It An Order', 'Order']);
  });

  test('a Fail state takes its ErrorPath and CausePath from the context object', async () => {
    // GIVEN a Fail state whose error and cause come from $$
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Give Up',
      States: { 'Give Up': { Type: 'Fail', ErrorPath: '$$.Execution.Input.reason', CausePath: "States.Format('{} gave up', $$.Execution.Name)" } },
    });

    // WHEN it runs
    const execution = await harness.run(machine, { reason: 'OutOfFlour' }, 'order-8');

    // THEN the execution failed with them
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'OutOfFlour', cause: 'order-8 gave up' });
  });

  test('a Wait state takes its SecondsPath from the context object', async () => {
    // GIVEN a wait whose length is in the execution input, read through $$
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Let Dough Rise',
      States: { 'Let Dough Rise': { Type: 'Wait', InputPath: '$.ignored', SecondsPath: '$$.Execution.Input.riseSeconds', End: true } },
    });
    const execution = await harness.run(machine, { riseSeconds: 90, ignored: {} });

    // WHEN 89 s pass, then one more
    await harness.advance(89);
    const before = (await harness.describe(execution)).status;
    await harness.advance(1);

    // THEN it waited exactly the 90 s
    expect(before).toBe('RUNNING');
    expect((await harness.describe(execution)).status).toBe('SUCCEEDED');
  });

  test('a Wait state takes its TimestampPath from the context object', async () => {
    // GIVEN a wait until an instant in the execution input
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Wait For Delivery Day',
      States: { 'Wait For Delivery Day': { Type: 'Wait', TimestampPath: '$$.Execution.Input.deliverAt', End: true } },
    });
    const execution = await harness.run(machine, { deliverAt: new Date(START + 3_600_000).toISOString() });

    // WHEN the hour passes
    await harness.advance(3599);
    const before = (await harness.describe(execution)).status;
    await harness.advance(1);

    // THEN it ended at that instant
    expect(before).toBe('RUNNING');
    expect((await harness.describe(execution)).status).toBe('SUCCEEDED');
  });

  test('a task takes TimeoutSecondsPath and HeartbeatSecondsPath from the context object', async () => {
    // GIVEN a callback task whose heartbeat comes from the execution input
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({
      StartAt: 'Ask Baker',
      States: {
        'Ask Baker': callbackTask('ask', { TimeoutSecondsPath: '$$.Execution.Input.timeout', HeartbeatSecondsPath: '$$.Execution.Input.heartbeat', End: true }),
      },
    });
    const execution = await harness.run(machine, { timeout: 600, heartbeat: 60 });

    // WHEN 60 s pass without a heartbeat
    await harness.advance(60);

    // THEN the task missed its heartbeat, and the history shows both settings
    expect((await harness.describe(execution)).error).toBe('States.HeartbeatTimeout');
    const scheduled = (await harness.history(execution)).find((event) => event.type === 'TaskScheduled')!;
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 600, heartbeatInSeconds: 60 });
  });

  test('a Map state takes its ItemsPath from the context object, and ItemSelector reads $$.Map.Item', async () => {
    // GIVEN a Map over the cakes of the execution input
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Box Each Cake',
      States: {
        'Box Each Cake': {
          Type: 'Map',
          InputPath: '$.label',
          ItemsPath: '$$.Execution.Input.cakes',
          ItemSelector: { 'label.$': '$', 'index.$': '$$.Map.Item.Index', 'cake.$': '$$.Map.Item.Value' },
          ItemProcessor: { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine, { label: 'gift', cakes: ['lemon', 'carrot'] });

    // THEN each iteration got its item and index
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual([
      { label: 'gift', index: 0, cake: 'lemon' },
      { label: 'gift', index: 1, cake: 'carrot' },
    ]);
  });

  test('$$.State.EnteredTime stays the time the state was entered across retries', async () => {
    // GIVEN a task that fails once and is retried after 10 s, sending its entered time each attempt
    const enteredTimes: string[] = [];
    harness = await engineHarness({
      bake: (payload) => {
        enteredTimes.push((payload as { entered: string }).entered);
        if (enteredTimes.length === 1) throw Object.assign(new Error('cold oven'), { name: 'OvenCold' });
        return 'baked';
      },
    });
    const machine = await harness.machine({
      StartAt: 'Bake',
      States: {
        Bake: {
          ...invokeTask('bake'),
          Parameters: { FunctionName: 'bake', Payload: { 'entered.$': '$$.State.EnteredTime' } },
          Retry: [{ ErrorEquals: ['OvenCold'], IntervalSeconds: 10 }],
          End: true,
        },
      },
    });
    await harness.run(machine);

    // WHEN the retry runs
    await harness.advance(10);

    // THEN both attempts saw the same entered time
    expect(enteredTimes).toEqual([new Date(START).toISOString(), new Date(START).toISOString()]);
  });
});
