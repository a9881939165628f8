import { TestStateCommand, type TestStateCommandInput } from '@aws-sdk/client-sfn';
import { NamedError, ROLE_ARN } from './support/engine-harness';
import { failure, sfnWorld, type SfnWorld } from './support/sfn-server';

describe('TestState, through @aws-sdk/client-sfn', () => {
  let world: SfnWorld;
  let ovenCalls: unknown[];
  const runState = (state: object, input: object, extra: Partial<TestStateCommandInput> = {}) =>
    world.sfn.send(new TestStateCommand({ definition: JSON.stringify(state), roleArn: ROLE_ARN, input: JSON.stringify(input), ...extra }));

  const bake = {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    InputPath: '$.order',
    Parameters: { FunctionName: 'oven', 'Payload.$': '$' },
    ResultSelector: { 'cake.$': '$.Payload' },
    ResultPath: '$.baked',
    Next: 'Deliver',
  };

  beforeEach(async () => {
    ovenCalls = [];
    world = await sfnWorld({
      lambdas: {
        oven: (payload) => {
          ovenCalls.push(payload);
          if ((payload as { burnt?: boolean }).burnt) throw new NamedError('OvenOnFire', 'Too hot');
          return { flavour: (payload as { flavour: string }).flavour, baked: true };
        },
      },
    });
  });

  afterEach(() => world.close());

  test('INFO runs a Lambda task through the registry and returns only output, status and next state', async () => {
    // GIVEN the Bake task / WHEN it is tested at the default level
    const result = await runState(bake, { order: { flavour: 'lemon' } });

    // THEN the oven was called with the effective input, and the answer carries no inspection data
    expect(ovenCalls).toEqual([{ flavour: 'lemon' }]);
    expect(result).toMatchObject({ status: 'SUCCEEDED', nextState: 'Deliver' });
    expect(JSON.parse(result.output!)).toEqual({ order: { flavour: 'lemon' }, baked: { cake: { flavour: 'lemon', baked: true } } });
    expect(result.inspectionData).toBeUndefined();
  });

  test('DEBUG shows the data after each step: InputPath, Parameters, the raw result, ResultSelector and ResultPath', async () => {
    // GIVEN the Bake task / WHEN it is tested at DEBUG
    const { inspectionData } = await runState(bake, { order: { flavour: 'lemon' } }, { inspectionLevel: 'DEBUG' });

    // THEN every step of the data flow is there, as JSON text
    const parsed = Object.fromEntries(Object.entries(inspectionData!).map(([key, value]) => [key, JSON.parse(value as string)]));
    expect(parsed.input).toEqual({ order: { flavour: 'lemon' } });
    expect(parsed.afterInputPath).toEqual({ flavour: 'lemon' });
    expect(parsed.afterParameters).toEqual({ FunctionName: 'oven', Payload: { flavour: 'lemon' } });
    expect(parsed.result).toMatchObject({ StatusCode: 200, Payload: { flavour: 'lemon', baked: true } });
    expect(parsed.afterResultSelector).toEqual({ cake: { flavour: 'lemon', baked: true } });
    expect(parsed.afterResultPath).toEqual({ order: { flavour: 'lemon' }, baked: { cake: { flavour: 'lemon', baked: true } } });
  });

  test('a task error that a retrier matches is RETRIABLE with the retry index and back-off; past its attempts the catcher takes it', async () => {
    // GIVEN a task that retries OvenOnFire twice after 2 s, then catches it
    const guarded = {
      ...bake,
      Retry: [{ ErrorEquals: ['OvenOnFire'], IntervalSeconds: 2, MaxAttempts: 2, JitterStrategy: 'NONE' }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.problem', Next: 'Apologise' }],
    };

    // WHEN it is tested on a burnt order, first as a fresh attempt and then as one that used both retries
    const fresh = await runState(guarded, { order: { burnt: true } }, { inspectionLevel: 'DEBUG' });
    const spent = await runState(guarded, { order: { burnt: true } }, { inspectionLevel: 'DEBUG', stateConfiguration: { retrierRetryCount: 2 } });

    // THEN the first may be retried in 2 s; the second was caught and goes to Apologise with the error in its output
    expect(fresh).toMatchObject({ status: 'RETRIABLE', error: 'OvenOnFire', inspectionData: { errorDetails: { retryIndex: 0, retryBackoffIntervalSeconds: 2 } } });
    expect(spent).toMatchObject({ status: 'CAUGHT_ERROR', error: 'OvenOnFire', nextState: 'Apologise', inspectionData: { errorDetails: { catchIndex: 0 } } });
    expect(JSON.parse(spent.output!).problem.Error).toBe('OvenOnFire');
  });

  test('an uncaught task error FAILS with the error and cause Lambda reported', async () => {
    // GIVEN / WHEN the plain Bake task is tested on a burnt order
    const result = await runState(bake, { order: { burnt: true } });

    // THEN it failed with the function's error, and no next state
    expect(result).toMatchObject({ status: 'FAILED', error: 'OvenOnFire' });
    expect(JSON.parse(result.cause!)).toMatchObject({ errorType: 'OvenOnFire', errorMessage: 'Too hot' });
    expect(result.nextState).toBeUndefined();
  });

  test('Choice, Pass, Fail and a JSONata Pass with Assign answer their next state, output and variables', async () => {
    // GIVEN four single states / WHEN each is tested
    const choice = await runState({ Type: 'Choice', Choices: [{ Variable: '$.size', NumericGreaterThan: 10, Next: 'Big Oven' }], Default: 'Small Oven' }, { size: 12 });
    const pass = await runState({ Type: 'Pass', Result: { ok: true }, ResultPath: '$.check', End: true }, { size: 1 });
    const fail = await runState({ Type: 'Fail', Error: 'NoFlour', Cause: 'The pantry is empty' }, {});
    const jsonata = await runState(
      { Type: 'Pass', QueryLanguage: 'JSONata', Assign: { tier: '{% $states.input.size * $layers %}' }, Output: '{% $states.input.size %}', Next: 'Ice' },
      { size: 3 },
      { inspectionLevel: 'DEBUG', variables: JSON.stringify({ layers: 2 }) },
    );

    // THEN each reports as the States Language says
    expect(choice).toMatchObject({ status: 'SUCCEEDED', nextState: 'Big Oven', output: '{"size":12}' });
    expect(pass).toMatchObject({ status: 'SUCCEEDED', output: '{"size":1,"check":{"ok":true}}' });
    expect(pass.nextState).toBeUndefined();
    expect(fail).toMatchObject({ status: 'FAILED', error: 'NoFlour', cause: 'The pantry is empty' });
    expect(jsonata).toMatchObject({ status: 'SUCCEEDED', nextState: 'Ice', output: '3' });
    expect(JSON.parse(jsonata.inspectionData!.variables!)).toEqual({ layers: 2, tier: 6 });
  });

  test('a mock replaces the invocation: its result flows through ResultSelector, its error through Catch', async () => {
    // GIVEN the Bake task / WHEN it is tested with a mocked result, and with a mocked error
    const mocked = await runState(bake, { order: {} }, { mock: { result: JSON.stringify({ Payload: 'mock cake' }) } });
    const mockedError = await runState({ ...bake, Catch: [{ ErrorEquals: ['OvenOnFire'], Next: 'Apologise' }] }, { order: {} }, { mock: { errorOutput: { error: 'OvenOnFire', cause: 'mocked' } } });

    // THEN the oven was never called
    expect(ovenCalls).toEqual([]);
    expect(JSON.parse(mocked.output!).baked).toEqual({ cake: 'mock cake' });
    expect(mockedError).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Apologise', output: '{"Error":"OvenOnFire","Cause":"mocked"}' });
  });

  test('TestState refuses an invalid state, input that is not JSON, an unknown level and a bad role ARN', async () => {
    // GIVEN / WHEN TestState is called with each mistake
    const definition = await failure(runState({ Type: 'Pass', Next: 1 }, {}));
    const input = await failure(world.sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', End: true }), roleArn: ROLE_ARN, input: '{oops' })));
    const level = await failure(runState({ Type: 'Pass', End: true }, {}, { inspectionLevel: 'LOUD' as never }));
    const role = await failure(runState({ Type: 'Pass', End: true }, {}, { roleArn: 'not-a-role' }));
    const parallel = await failure(runState({ Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }], End: true }, {}));

    // THEN each answers AWS's error name
    expect(definition.name).toBe('InvalidDefinition');
    expect(input.name).toBe('InvalidExecutionInput');
    expect(level.name).toBe('ValidationException');
    expect(role.name).toBe('InvalidArn');
    expect(parallel.name).toBe('ValidationException');
  });
});
