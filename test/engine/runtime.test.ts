import { callbackTask, engineHarness, functionArn, invokeTask, NamedError, tokenInbox, type Harness } from './support/engine-harness';

const DAY = 24 * 3600;

describe('local Step Functions engine: tasks', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('lambda:invoke hands the state the result AWS returns: ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode', async () => {
    // GIVEN a task that invokes a local function through lambda:invoke
    harness = await engineHarness({ price: (payload) => ({ total: (payload as { count: number }).count * 3 }) });
    const machine = await harness.machine({ StartAt: 'Price Cake', States: { 'Price Cake': invokeTask('price', { End: true }) } });

    // WHEN it runs
    const execution = await harness.run(machine, { count: 2 });

    // THEN the state's result has the shape of AWS's lambda:invoke
    const result = JSON.parse((await harness.describe(execution)).output!);
    expect(Object.keys(result).sort()).toEqual(['ExecutedVersion', 'Payload', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StatusCode']);
    expect(result).toMatchObject({ ExecutedVersion: '$LATEST', Payload: { total: 6 }, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } });
  });

  test('a thrown error becomes the Step Functions error named after it, with Lambda’s JSON cause', async () => {
    // GIVEN a function that throws a named error
    harness = await engineHarness({
      bake: () => {
        throw new NamedError('OvenBroken', 'The oven is cold');
      },
    });
    const machine = await harness.machine({ StartAt: 'Bake', States: { Bake: invokeTask('bake', { End: true }) } });

    // WHEN it runs
    const execution = await harness.run(machine);

    // THEN the execution fails with the error's name and the cause Lambda reports
    const described = await harness.describe(execution);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('OvenBroken');
    const cause = JSON.parse(described.cause!);
    expect(cause).toMatchObject({ errorType: 'OvenBroken', errorMessage: 'The oven is cold' });
    expect(Array.isArray(cause.trace)).toBe(true);
  });

  test('a plain Lambda ARN resource returns the function’s payload and records LambdaFunction events', async () => {
    // GIVEN a task whose Resource is the function ARN itself
    harness = await engineHarness({ [functionArn('greet')]: (payload) => `hello ${(payload as { name: string }).name}` });
    const machine = await harness.machine({ StartAt: 'Greet', States: { Greet: { Type: 'Task', Resource: functionArn('greet'), End: true } } });

    // WHEN it runs
    const execution = await harness.run(machine, { name: 'Ada' });

    // THEN the output is the bare payload and the history speaks of LambdaFunction events
    expect(JSON.parse((await harness.describe(execution)).output!)).toBe('hello Ada');
    const types = (await harness.history(execution)).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded']));
    expect(types).not.toContain('TaskScheduled');
  });

  test('an unknown function fails the task with Lambda.ResourceNotFoundException', async () => {
    // GIVEN a task naming a function nobody registered
    harness = await engineHarness({});
    const machine = await harness.machine({ StartAt: 'Call', States: { Call: invokeTask('missing', { End: true }) } });

    // WHEN it runs
    const execution = await harness.run(machine);

    // THEN the error says the function was not found
    expect((await harness.describe(execution)).error).toBe('Lambda.ResourceNotFoundException');
  });
});

describe('local Step Functions engine: flow states', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('Pass, Choice and Succeed move the execution along the path the data chooses', async () => {
    // GIVEN a choice between two paths
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Set Size',
      States: {
        'Set Size': { Type: 'Pass', Result: 12, ResultPath: '$.size', Next: 'Big Or Small' },
        'Big Or Small': { Type: 'Choice', Choices: [{ Variable: '$.size', NumericGreaterThan: 10, Next: 'Big Cake' }], Default: 'Small Cake' },
        'Big Cake': { Type: 'Succeed' },
        'Small Cake': { Type: 'Succeed' },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine, { flavour: 'lemon' });

    // THEN it passes through the states the data selects, and ends with the data it built
    expect(await harness.statesEntered(execution)).toEqual(['Set Size', 'Big Or Small', 'Big Cake']);
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual({ flavour: 'lemon', size: 12 });
  });

  test('a Fail state fails the execution with its error and cause', async () => {
    // GIVEN a Fail state
    harness = await engineHarness({});
    const machine = await harness.machine({ StartAt: 'Give Up', States: { 'Give Up': { Type: 'Fail', Error: 'OutOfFlour', Cause: 'No flour left' } } });

    // WHEN it runs
    const execution = await harness.run(machine);

    // THEN the execution failed with that error, and the history ends with ExecutionFailed
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'OutOfFlour', cause: 'No flour left' });
    const history = await harness.history(execution);
    expect(history.map((event) => event.type)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
    expect(history[2].executionFailedEventDetails).toEqual({ error: 'OutOfFlour', cause: 'No flour left' });
  });

  test('a Wait state holds the execution until the clock reaches its deadline', async () => {
    // GIVEN a one-hour wait
    harness = await engineHarness({});
    const machine = await harness.machine({ StartAt: 'Let Dough Rise', States: { 'Let Dough Rise': { Type: 'Wait', Seconds: 3600, End: true } } });
    const execution = await harness.run(machine);

    // WHEN a second short of the hour passes
    await harness.advance(3599);

    // THEN it still waits, and one more second ends it
    expect((await harness.describe(execution)).status).toBe('RUNNING');
    await harness.advance(1);
    expect((await harness.describe(execution)).status).toBe('SUCCEEDED');
  });

  test('a Wait of 60 days, longer than setTimeout can hold, ends on its day and not before', async () => {
    // GIVEN a wait of 60 days (setTimeout overflows after 24.8)
    harness = await engineHarness({});
    const machine = await harness.machine({ StartAt: 'Age The Fruitcake', States: { 'Age The Fruitcake': { Type: 'Wait', Seconds: 60 * DAY, End: true } } });
    const execution = await harness.run(machine);

    // WHEN 59 days pass, then one more
    await harness.advance(59 * DAY);
    const before = (await harness.describe(execution)).status;
    await harness.advance(DAY);

    // THEN it ran only once the 60 days were up
    expect(before).toBe('RUNNING');
    expect((await harness.describe(execution)).status).toBe('SUCCEEDED');
  });

  test('a Parallel state runs every branch and outputs their results in branch order', async () => {
    // GIVEN two branches
    harness = await engineHarness({ ice: () => 'iced', box: () => 'boxed' });
    const machine = await harness.machine({
      StartAt: 'Finish Cake',
      States: {
        'Finish Cake': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Ice', States: { Ice: invokeTask('ice', { ResultSelector: { 'done.$': '$.Payload' }, End: true }) } },
            { StartAt: 'Box', States: { Box: { Type: 'Task', Resource: functionArn('box'), End: true } } },
          ],
          End: true,
        },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine);

    // THEN the output lists each branch's result in order, and the history shows ParallelStateStarted
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual([{ done: 'iced' }, 'boxed']);
    expect((await harness.history(execution)).map((event) => event.type)).toEqual(expect.arrayContaining(['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited']));
  });

  test('a Map state never runs more iterations at once than MaxConcurrency', async () => {
    // GIVEN a Map over five cakes, two at a time, each waiting for a callback
    const inbox = tokenInbox();
    harness = await engineHarness({ decorate: inbox.handler });
    const machine = await harness.machine({
      StartAt: 'Decorate Each',
      States: {
        'Decorate Each': {
          Type: 'Map',
          ItemsPath: '$.cakes',
          MaxConcurrency: 2,
          ItemProcessor: { StartAt: 'Decorate', States: { Decorate: callbackTask('decorate', { ResultPath: null, End: true }) } },
          End: true,
        },
      },
    });
    const execution = await harness.run(machine, { cakes: ['a', 'b', 'c', 'd', 'e'] });

    // WHEN the callbacks come back one by one
    const outstanding: number[] = [inbox.tokens.length];
    for (let done = 0; done < 5; done++) {
      await harness.engine.sendTaskSuccess({ taskToken: inbox.tokens[done], output: '{}' });
      await harness.engine.whenIdle();
      outstanding.push(inbox.tokens.length - done - 1);
    }

    // THEN no more than two iterations were ever waiting, and the Map ends with each item's output
    expect(Math.max(...outstanding)).toBe(2);
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  test('a Map state records MapStateStarted with its length and each iteration’s start and success', async () => {
    // GIVEN a Map over three items
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Box Each',
      States: { 'Box Each': { Type: 'Map', ItemProcessor: { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } }, End: true } },
    });

    // WHEN it runs
    const execution = await harness.run(machine, ['a', 'b', 'c']);

    // THEN the history carries AWS's Map events with their details
    const history = await harness.history(execution);
    expect(history.find((event) => event.type === 'MapStateStarted')!.mapStateStartedEventDetails).toEqual({ length: 3 });
    const iterations = history.filter((event) => event.type === 'MapIterationSucceeded').map((event) => event.mapIterationSucceededEventDetails);
    expect(iterations).toEqual([0, 1, 2].map((index) => ({ name: 'Box Each', index })));
    expect(history.filter((event) => event.type === 'MapIterationStarted')).toHaveLength(3);
  });

  test('Choice and Wait states record ChoiceStateEntered, WaitStateEntered and their Exited events', async () => {
    // GIVEN a choice that leads to a short wait
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Rush Order',
      States: {
        'Rush Order': { Type: 'Choice', Choices: [{ Variable: '$.rush', BooleanEquals: false, Next: 'Cool Down' }], Default: 'Done' },
        'Cool Down': { Type: 'Wait', Seconds: 5, Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });

    // WHEN it runs to the end
    const execution = await harness.run(machine, { rush: false });
    await harness.advance(5);

    // THEN each state left its AWS event types, in order
    expect((await harness.history(execution)).map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });
});

describe('local Step Functions engine: errors, retries and timeouts', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('Retry waits IntervalSeconds x BackoffRate^n between attempts and exposes $$.State.RetryCount', async () => {
    // GIVEN a function that fails twice, retried every 10 s doubling
    const retryCounts: number[] = [];
    harness = await engineHarness({
      flaky: (payload) => {
        retryCounts.push((payload as { retry: number }).retry);
        if (retryCounts.length <= 2) throw new NamedError('DependencyUnavailable', 'the email service is down');
        return 'sent';
      },
    });
    const machine = await harness.machine({
      StartAt: 'Send Email',
      States: {
        'Send Email': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'flaky', Payload: { 'retry.$': '$$.State.RetryCount' } },
          Retry: [{ ErrorEquals: ['DependencyUnavailable'], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 3 }],
          End: true,
        },
      },
    });
    const execution = await harness.run(machine);

    // WHEN 10 s pass, then 19 s (a second short of the second back-off), then 1 s
    await harness.advance(10);
    const afterFirstBackOff = retryCounts.length;
    await harness.advance(19);
    const beforeSecondBackOff = retryCounts.length;
    await harness.advance(1);

    // THEN each attempt came on time, saw its retry count, and the third succeeded
    expect([afterFirstBackOff, beforeSecondBackOff]).toEqual([2, 2]);
    expect(retryCounts).toEqual([0, 1, 2]);
    expect((await harness.describe(execution)).status).toBe('SUCCEEDED');
  });

  test('Catch puts the error output at its ResultPath and goes to its Next state', async () => {
    // GIVEN a task whose failure is caught
    harness = await engineHarness({
      charge: () => {
        throw new NamedError('OrderCancelled', 'The customer cancelled');
      },
    });
    const machine = await harness.machine({
      StartAt: 'Charge',
      States: {
        Charge: invokeTask('charge', { Catch: [{ ErrorEquals: ['OrderCancelled'], ResultPath: '$.problem', Next: 'Refund' }], End: true }),
        Refund: { Type: 'Pass', End: true },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine, { orderId: 'o-1' });

    // THEN the execution continued at the catcher's state with the error at its ResultPath
    expect(await harness.statesEntered(execution)).toEqual(['Charge', 'Refund']);
    const output = JSON.parse((await harness.describe(execution)).output!);
    expect(output.orderId).toBe('o-1');
    expect(output.problem.Error).toBe('OrderCancelled');
  });

  test('a task with a 3-day timeout fails with States.Timeout when the 3 days are up', async () => {
    // GIVEN a callback task that times out after 3 days
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({ StartAt: 'Ask Baker', States: { 'Ask Baker': callbackTask('ask', { TimeoutSeconds: 3 * DAY, End: true }) } });
    const execution = await harness.run(machine);

    // WHEN 3 days pass without an answer
    await harness.advance(3 * DAY - 1);
    const before = (await harness.describe(execution)).status;
    await harness.advance(1);

    // THEN the task timed out and so did the token
    expect(before).toBe('RUNNING');
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect((await harness.history(execution)).map((event) => event.type)).toContain('TaskTimedOut');
    await expect(harness.engine.sendTaskSuccess({ taskToken: inbox.latest(), output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  test('a callback task without a heartbeat within HeartbeatSeconds fails with States.HeartbeatTimeout', async () => {
    // GIVEN a callback task with a 60 s heartbeat
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({ StartAt: 'Ask Baker', States: { 'Ask Baker': callbackTask('ask', { HeartbeatSeconds: 60, End: true }) } });
    const execution = await harness.run(machine);

    // WHEN a heartbeat arrives at 50 s and then nothing for 60 s
    await harness.advance(50);
    await harness.engine.sendTaskHeartbeat({ taskToken: inbox.latest() });
    await harness.advance(59);
    const afterHeartbeat = (await harness.describe(execution)).status;
    await harness.advance(1);

    // THEN the heartbeat kept it alive for another 60 s, then it timed out
    expect(afterHeartbeat).toBe('RUNNING');
    expect((await harness.describe(execution)).error).toBe('States.HeartbeatTimeout');
  });

  test('a Catch on States.TaskFailed lets States.Timeout through to the catcher that names it', async () => {
    // GIVEN a callback task that times out, with a TaskFailed catcher before a Timeout catcher
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({
      StartAt: 'Ask Baker',
      States: {
        'Ask Baker': callbackTask('ask', {
          TimeoutSeconds: 60,
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], Next: 'Baker Failed' },
            { ErrorEquals: ['States.Timeout'], Next: 'Baker Silent' },
          ],
          End: true,
        }),
        'Baker Failed': { Type: 'Succeed' },
        'Baker Silent': { Type: 'Succeed' },
      },
    });
    const execution = await harness.run(machine);

    // WHEN the timeout passes
    await harness.advance(60);

    // THEN the timeout went to the States.Timeout catcher
    expect(await harness.statesEntered(execution)).toEqual(['Ask Baker', 'Baker Silent']);
  });

  test('a task result over 256 KiB fails with States.DataLimitExceeded, which States.ALL does not catch', async () => {
    // GIVEN a function returning 300 KB, under a catch-all
    harness = await engineHarness({ photograph: () => ({ photo: 'x'.repeat(300_000) }) });
    const machine = await harness.machine({
      StartAt: 'Photograph Cake',
      States: {
        'Photograph Cake': { Type: 'Task', Resource: functionArn('photograph'), Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true },
        Caught: { Type: 'Succeed' },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine);

    // THEN the execution failed with the terminal error
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(await harness.statesEntered(execution)).toEqual(['Photograph Cake']);
  });

  test('a path that matches nothing fails the execution with States.Runtime, which no Retry or Catch takes', async () => {
    // GIVEN a task reading a field the input lacks, retried and caught on everything
    const calls: unknown[] = [];
    harness = await engineHarness({ bake: (payload) => calls.push(payload) });
    const machine = await harness.machine({
      StartAt: 'Bake',
      States: {
        Bake: {
          ...invokeTask('bake'),
          Parameters: { FunctionName: 'bake', 'Payload.$': '$.recipe' },
          Retry: [{ ErrorEquals: ['States.ALL'] }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    });

    // WHEN it runs on input without a recipe
    const execution = await harness.run(machine, { flavour: 'lemon' });

    // THEN the function was never called and the execution failed, naming the path
    expect(calls).toEqual([]);
    const described = await harness.describe(execution);
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(described.cause).toContain('$.recipe');
  });

  test('the execution-level TimeoutSeconds ends a running execution as TIMED_OUT', async () => {
    // GIVEN an execution limited to one day, waiting for a week
    harness = await engineHarness({});
    const machine = await harness.machine({ TimeoutSeconds: DAY, StartAt: 'Wait A Week', States: { 'Wait A Week': { Type: 'Wait', Seconds: 7 * DAY, End: true } } });
    const execution = await harness.run(machine);

    // WHEN a day passes
    await harness.advance(DAY);

    // THEN it timed out with States.Timeout
    expect(await harness.describe(execution)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await harness.history(execution)).at(-1)!.type).toBe('ExecutionTimedOut');
  });
});

describe('local Step Functions engine: callbacks', () => {
  let harness: Harness;
  let inbox: ReturnType<typeof tokenInbox>;
  let machine: string;
  beforeEach(async () => {
    inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    machine = await harness.machine({ StartAt: 'Ask Baker', States: { 'Ask Baker': callbackTask('ask', { ResultPath: '$.answer', End: true }) } });
  });
  afterEach(() => harness.close());

  test('SendTaskSuccess resumes the waiting task with its output', async () => {
    // GIVEN an execution waiting on its token
    const execution = await harness.run(machine, { orderId: 'o-7' });

    // WHEN the baker accepts
    await harness.engine.sendTaskSuccess({ taskToken: inbox.latest(), output: JSON.stringify({ accepted: true }) });
    await harness.engine.whenIdle();

    // THEN the output carries the answer, and the history shows the callback task's AWS events
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual({ orderId: 'o-7', answer: { accepted: true } });
    expect((await harness.history(execution)).map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  test('SendTaskFailure fails the waiting task with the given error and cause', async () => {
    // GIVEN an execution waiting on its token
    const execution = await harness.run(machine);

    // WHEN the baker declines
    await harness.engine.sendTaskFailure({ taskToken: inbox.latest(), error: 'OrderCancelled', cause: 'Too busy' });
    await harness.engine.whenIdle();

    // THEN the execution fails with them
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'OrderCancelled', cause: 'Too busy' });
  });

  test('a task token works once: the second use answers TaskTimedOut, as AWS does for a closed task', async () => {
    // GIVEN a token already used
    await harness.run(machine);
    await harness.engine.sendTaskSuccess({ taskToken: inbox.latest(), output: '{}' });

    // WHEN it is used again
    const again = harness.engine.sendTaskSuccess({ taskToken: inbox.latest(), output: '{}' });

    // THEN AWS's error for a closed task comes back
    await expect(again).rejects.toMatchObject({ name: 'TaskTimedOut', message: expect.stringContaining('Provided task does not exist anymore') });
  });

  test('a token that was never issued answers InvalidToken', async () => {
    // GIVEN no such token / WHEN a forged one and a malformed one are used
    const forged = harness.engine.sendTaskSuccess({ taskToken: 'A'.repeat(64), output: '{}' });
    const malformed = harness.engine.sendTaskHeartbeat({ taskToken: 'not a token' });

    // THEN both answer InvalidToken
    await expect(forged).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(malformed).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  test('task tokens are random, unguessable and kept out of the execution history', async () => {
    // GIVEN two executions waiting on tokens
    const first = await harness.run(machine);
    await harness.run(machine);
    const [a, b] = inbox.tokens;

    // WHEN the history is read
    const history = JSON.stringify(await harness.history(first));

    // THEN the tokens differ, are long, and the history does not contain them
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(64);
    expect(history).not.toContain(a);
  });

  test('a retried callback task gets a fresh token and the old one stops working', async () => {
    // GIVEN a callback task retried on any failure
    const retried = await harness.machine({
      StartAt: 'Ask Baker',
      States: { 'Ask Baker': callbackTask('ask', { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 }], End: true }) },
    });
    await harness.run(retried);
    const firstToken = inbox.latest();

    // WHEN the first attempt fails and the retry starts
    await harness.engine.sendTaskFailure({ taskToken: firstToken, error: 'Busy' });
    await harness.advance(1);

    // THEN the retry carries a new token and the first one is spent
    expect(inbox.tokens).toHaveLength(2);
    expect(inbox.latest()).not.toBe(firstToken);
    await expect(harness.engine.sendTaskSuccess({ taskToken: firstToken, output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });
});

describe('local Step Functions engine: executions', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('starting the same name with the same input while running returns the original response', async () => {
    // GIVEN a running execution
    harness = await engineHarness({});
    const machine = await harness.machine({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 60, End: true } } });
    const first = await harness.engine.startExecution({ stateMachineArn: machine, name: 'order-1', input: '{"a":1}' });

    // WHEN it is started again with the same name and input
    const second = await harness.engine.startExecution({ stateMachineArn: machine, name: 'order-1', input: '{"a":1}' });

    // THEN the original response comes back and there is still one execution
    expect(second).toEqual(first);
    expect((await harness.engine.listExecutions({ stateMachineArn: machine })).executions).toHaveLength(1);
  });

  test('starting the same name with other input, or after it finished, answers ExecutionAlreadyExists', async () => {
    // GIVEN one running and one finished execution
    harness = await engineHarness({});
    const waiting = await harness.machine({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 60, End: true } } });
    const quick = await harness.machine({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    await harness.run(waiting, { a: 1 }, 'order-1');
    await harness.run(quick, { a: 1 }, 'order-2');

    // WHEN each is started again
    const otherInput = harness.engine.startExecution({ stateMachineArn: waiting, name: 'order-1', input: '{"a":2}' });
    const finished = harness.engine.startExecution({ stateMachineArn: quick, name: 'order-2', input: '{"a":1}' });

    // THEN both answer ExecutionAlreadyExists
    await expect(otherInput).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(finished).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  test('StopExecution aborts a running execution and spends its task token', async () => {
    // GIVEN an execution waiting on a token
    const inbox = tokenInbox();
    harness = await engineHarness({ ask: inbox.handler });
    const machine = await harness.machine({ StartAt: 'Ask', States: { Ask: callbackTask('ask', { End: true }) } });
    const execution = await harness.run(machine);

    // WHEN it is stopped
    await harness.engine.stopExecution({ executionArn: execution, error: 'Ops', cause: 'Stopped by hand' });

    // THEN it is ABORTED and its token no longer works
    expect(await harness.describe(execution)).toMatchObject({ status: 'ABORTED', error: 'Ops', cause: 'Stopped by hand' });
    expect((await harness.history(execution)).at(-1)!.type).toBe('ExecutionAborted');
    await expect(harness.engine.sendTaskSuccess({ taskToken: inbox.latest(), output: '{}' })).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  test('StopExecution closes every open task, in Parallel branches too, and a late Lambda result changes nothing', async () => {
    // GIVEN a Parallel state with one branch waiting on a token and one whose Lambda is still running
    const inbox = tokenInbox();
    let finishBoxing: (value: string) => void = () => undefined;
    const boxing = new Promise<string>((resolve) => (finishBoxing = resolve));
    let boxingStarted = false;
    harness = await engineHarness({
      ask: inbox.handler,
      box: () => {
        boxingStarted = true;
        return boxing;
      },
    });
    const machine = await harness.machine({
      StartAt: 'Ask And Box',
      States: {
        'Ask And Box': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Ask', States: { Ask: callbackTask('ask', { HeartbeatSeconds: 60, End: true }) } },
            { StartAt: 'Box', States: { Box: invokeTask('box', { End: true }) } },
          ],
          End: true,
        },
      },
    });
    const { executionArn: execution } = await harness.engine.startExecution({ stateMachineArn: machine, input: '{}' });
    // Not harness.run: the engine is never idle while the Lambda runs.
    while (inbox.tokens.length === 0 || !boxingStarted) await new Promise((resolve) => setImmediate(resolve));

    // WHEN it is stopped, and then the Lambda returns and the heartbeat deadline passes
    await harness.engine.stopExecution({ executionArn: execution });
    const eventsWhenStopped = (await harness.history(execution!)).length;
    finishBoxing('boxed');
    await harness.advance(60);

    // THEN the token is closed for every callback action, and nothing was added to the history after the stop
    const closed = { name: 'TaskTimedOut' };
    await expect(harness.engine.sendTaskSuccess({ taskToken: inbox.latest(), output: '{}' })).rejects.toMatchObject(closed);
    await expect(harness.engine.sendTaskFailure({ taskToken: inbox.latest(), error: 'Late' })).rejects.toMatchObject(closed);
    await expect(harness.engine.sendTaskHeartbeat({ taskToken: inbox.latest() })).rejects.toMatchObject(closed);
    const history = await harness.history(execution!);
    expect(history).toHaveLength(eventsWhenStopped);
    expect(history.at(-1)!.type).toBe('ExecutionAborted');
    expect((await harness.describe(execution!)).status).toBe('ABORTED');
  });

  test('RedriveExecution restarts a failed execution from the state that failed, not from the start', async () => {
    // GIVEN an execution that failed at its second state
    let failing = true;
    const calls: string[] = [];
    harness = await engineHarness({
      prepare: () => void calls.push('prepare'),
      deliver: () => {
        calls.push('deliver');
        if (failing) throw new NamedError('VanBrokenDown', 'No van');
        return 'delivered';
      },
    });
    const machine = await harness.machine({
      StartAt: 'Prepare',
      States: { Prepare: invokeTask('prepare', { ResultPath: null, Next: 'Deliver' }), Deliver: invokeTask('deliver', { End: true }) },
    });
    const execution = await harness.run(machine);

    // WHEN the cause is fixed and the execution redriven
    failing = false;
    await harness.engine.redriveExecution({ executionArn: execution });
    await harness.engine.whenIdle();

    // THEN only the failed state ran again, and the execution records the redrive
    expect(calls).toEqual(['prepare', 'deliver', 'deliver']);
    expect(await harness.describe(execution)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect((await harness.history(execution)).map((event) => event.type)).toContain('ExecutionRedriven');
  });

  test('a succeeded execution is not redrivable', async () => {
    // GIVEN a succeeded execution
    harness = await engineHarness({});
    const machine = await harness.machine({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    const execution = await harness.run(machine);

    // WHEN it is redriven / THEN AWS's error comes back
    await expect(harness.engine.redriveExecution({ executionArn: execution })).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
  });

  test('history events have consecutive ids, previousEventId links, reverse order and paging', async () => {
    // GIVEN an execution of a few states
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'One',
      States: { One: { Type: 'Pass', Next: 'Two' }, Two: { Type: 'Pass', Next: 'Three' }, Three: { Type: 'Pass', End: true } },
    });
    const execution = await harness.run(machine);

    // WHEN the history is read whole, backwards, and in pages of three
    const all = await harness.history(execution);
    const reversed = (await harness.engine.getExecutionHistory({ executionArn: execution, reverseOrder: true })).events!;
    const pages: number[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await harness.engine.getExecutionHistory({ executionArn: execution, maxResults: 3, nextToken });
      pages.push(page.events!.map((event) => event.id!));
      nextToken = page.nextToken;
    } while (nextToken);

    // THEN ids count up from 1, each event points at the one before, and the views agree
    expect(all.map((event) => event.id)).toEqual(all.map((_, index) => index + 1));
    expect(all.map((event) => event.previousEventId)).toEqual(all.map((_, index) => index));
    expect(reversed.map((event) => event.id)).toEqual(all.map((event) => event.id).reverse());
    expect(pages.flat()).toEqual(all.map((event) => event.id));
    expect(pages[0]).toHaveLength(3);
  });

  test('includeExecutionData false leaves inputs and outputs out of the history', async () => {
    // GIVEN an execution with secret-looking input
    harness = await engineHarness({});
    const machine = await harness.machine({ StartAt: 'One', States: { One: { Type: 'Pass', End: true } } });
    const execution = await harness.run(machine, { card: '4111' });

    // WHEN the history is read without execution data
    const { events } = await harness.engine.getExecutionHistory({ executionArn: execution, includeExecutionData: false });

    // THEN no event carries the data
    expect(JSON.stringify(events)).not.toContain('4111');
    expect(events!.map((event) => event.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  test('ListExecutions filters by status and pages with nextToken', async () => {
    // GIVEN three finished and two waiting executions
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Wait Or Not',
      States: {
        'Wait Or Not': { Type: 'Choice', Choices: [{ Variable: '$.wait', BooleanEquals: true, Next: 'Wait' }], Default: 'Done' },
        Wait: { Type: 'Wait', Seconds: 60, End: true },
        Done: { Type: 'Succeed' },
      },
    });
    for (const wait of [false, true, false, true, false]) await harness.run(machine, { wait });

    // WHEN succeeded ones are listed two per page
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await harness.engine.listExecutions({ stateMachineArn: machine, statusFilter: 'SUCCEEDED', maxResults: 2, nextToken });
      names.push(...page.executions!.map((execution) => execution.status!));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);

    // THEN exactly the three succeeded ones come back, over two pages
    expect(names).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(pages).toBe(2);
    expect((await harness.engine.listExecutions({ stateMachineArn: machine, statusFilter: 'RUNNING' })).executions).toHaveLength(2);
  });
});
