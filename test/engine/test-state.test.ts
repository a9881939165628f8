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
  // The cases below follow "Testing state machines with TestState API" in the Step Functions Developer Guide,
  // https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html (the guide below), and the TestState
  // API Reference, https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html (the reference).

  test('a Wait state answers at once with its next state and its input as output (the reference lists Wait; neither page says it waits)', async () => {
    // GIVEN a Wait of an hour / WHEN it is tested
    const result = await runState({ Type: 'Wait', Seconds: 3600, Next: 'Ice Cake' }, { order: 'o-1' });

    // THEN it has not waited out the hour: the answer names where the state goes next
    expect(result).toMatchObject({ status: 'SUCCEEDED', nextState: 'Ice Cake', output: '{"order":"o-1"}' });
  });

  test('TRACE on a Lambda task shows what DEBUG does, with no HTTP request or response (the reference: TRACE adds those for HTTP Tasks only)', async () => {
    // GIVEN the Bake task / WHEN it is tested at DEBUG and at TRACE
    const debug = await runState(bake, { order: { flavour: 'lemon' } }, { inspectionLevel: 'DEBUG' });
    const trace = await runState(bake, { order: { flavour: 'lemon' } }, { inspectionLevel: 'TRACE' });

    // THEN both carry the same data-flow steps, and TRACE no request or response
    expect(Object.keys(trace.inspectionData!).sort()).toEqual(Object.keys(debug.inspectionData!).sort());
    expect(trace.inspectionData).not.toHaveProperty('request');
    expect(trace.inspectionData).not.toHaveProperty('response');
  });

  test('a .waitForTaskToken task is refused without a mock and runs on one (the guide, "Testing Activity, .sync, and .waitForTaskToken states")', async () => {
    // GIVEN a task that waits for the cake maker's callback
    const askCakeMaker = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'oven', Payload: { 'token.$': '$$.Task.Token' } }, Next: 'Deliver' };

    // WHEN it is tested without a mock, and with one
    const unmocked = await failure(runState(askCakeMaker, {}));
    const mocked = await runState(askCakeMaker, {}, { mock: { result: JSON.stringify({ accepted: true }) } });

    // THEN the first is a validation exception, the second answers the mocked callback
    expect(unmocked.name).toBe('ValidationException');
    expect(ovenCalls).toEqual([]);
    expect(mocked).toMatchObject({ status: 'SUCCEEDED', nextState: 'Deliver', output: '{"accepted":true}' });
  });

  describe('Map and Parallel states, which run only on a mock (the guide, "Testing Map and Parallel states")', () => {
    const decorateTiers = {
      Type: 'Map',
      InputPath: '$.order',
      ItemsPath: '$.tiers',
      ItemSelector: { 'tier.$': '$$.Map.Item.Value', 'position.$': '$$.Map.Item.Index', 'flavour.$': '$.flavour' },
      MaxConcurrency: 2,
      ToleratedFailureCount: 1,
      ItemProcessor: { StartAt: 'Pipe Icing', States: { 'Pipe Icing': { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'oven' }, End: true } } },
      ResultPath: '$.decorated',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Apologise' }],
      Next: 'Box Cake',
    };
    const order = { order: { flavour: 'lemon', tiers: ['base', 'top'] } };
    const prepareLayers = {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Bake Sponge', States: { 'Bake Sponge': { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'oven' }, End: true } } },
        { StartAt: 'Whip Cream', States: { 'Whip Cream': { Type: 'Pass', End: true } } },
      ],
      Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Apologise' }],
      Next: 'Assemble',
    };

    test('DEBUG on a mocked Map shows its items after ItemsPath and ItemSelector, its MaxConcurrency and tolerance (the guide, "Understanding Map state inspection data")', async () => {
      // GIVEN the Decorate Tiers Map / WHEN it is tested at DEBUG with its iterations' results mocked
      const result = await runState(decorateTiers, order, { inspectionLevel: 'DEBUG', mock: { result: JSON.stringify(['iced base', 'iced top']) } });

      // THEN the inspection data shows each step of the Map's own data flow, and the mock is its result
      const inspection = result.inspectionData!;
      expect(JSON.parse(inspection.afterInputPath!)).toEqual(order.order);
      expect(JSON.parse(inspection.afterItemsPath!)).toEqual(['base', 'top']);
      expect(JSON.parse(inspection.afterItemSelector!)).toEqual([
        { tier: 'base', position: 0, flavour: 'lemon' },
        { tier: 'top', position: 1, flavour: 'lemon' },
      ]);
      expect(inspection).toMatchObject({ maxConcurrency: 2, toleratedFailureCount: 1 });
      expect(inspection).not.toHaveProperty('afterParameters');
      expect(result).toMatchObject({ status: 'SUCCEEDED', nextState: 'Box Cake' });
      expect(JSON.parse(result.output!).decorated).toEqual(['iced base', 'iced top']);
    });

    test('mapIterationFailureCount past the tolerance fails the Map with States.ExceedToleratedFailureThreshold, which its Catch takes (the guide, "Map state failure thresholds")', async () => {
      // GIVEN the Map, which tolerates one failed tier / WHEN it is tested with one, two and three failed iterations
      const mock = { result: JSON.stringify(['iced base', null]) };
      const withinTolerance = await runState(decorateTiers, order, { mock, stateConfiguration: { mapIterationFailureCount: 1 } });
      const pastTolerance = await runState(decorateTiers, order, { mock, stateConfiguration: { mapIterationFailureCount: 2 } });
      const moreThanItems = await failure(runState(decorateTiers, order, { mock, stateConfiguration: { mapIterationFailureCount: 3 } }));

      // THEN one is tolerated, two are caught as the threshold error, and three failures of two items are refused
      expect(withinTolerance).toMatchObject({ status: 'SUCCEEDED', nextState: 'Box Cake' });
      expect(pastTolerance).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Apologise', error: 'States.ExceedToleratedFailureThreshold' });
      expect(moreThanItems.name).toBe('ValidationException');
    });

    test('a Map mock must be an array and a Parallel mock one result per branch (the guide, "Testing a Map state" and "Testing Parallel states")', async () => {
      // GIVEN / WHEN the Map and the Parallel are tested with mocks of the wrong shape, and the Parallel with a right one
      const mapNotArray = await failure(runState(decorateTiers, order, { mock: { result: JSON.stringify({ iced: true }) } }));
      const parallelShort = await failure(runState(prepareLayers, {}, { mock: { result: JSON.stringify(['sponge']) } }));
      const parallel = await runState(prepareLayers, {}, { mock: { result: JSON.stringify(['sponge', 'cream']) } });

      // THEN the wrong shapes are refused, and the right one is the Parallel's output
      expect(mapNotArray).toMatchObject({ name: 'ValidationException', message: 'Mocked result must be an array.' });
      expect(parallelShort).toMatchObject({ name: 'ValidationException', message: 'Mocked result must contain the same number of items as number of Parallel branches.' });
      expect(parallel).toMatchObject({ status: 'SUCCEEDED', nextState: 'Assemble', output: '["sponge","cream"]' });
    });

    test('a mocked Map or Parallel error names the state inside that raised it, and the Catch of the Map or Parallel handles it (the guide, "Specifying error source with errorCausedByState")', async () => {
      // GIVEN a task failure mocked for the Parallel
      const mock = { errorOutput: { error: 'States.TaskFailed', cause: 'The oven broke' } };

      // WHEN it is tested naming no state, a state that is not inside it, and the Bake Sponge task
      const unnamed = await failure(runState(prepareLayers, {}, { mock }));
      const outside = await failure(runState(prepareLayers, {}, { mock, stateConfiguration: { errorCausedByState: 'Box Cake' } }));
      const named = await runState(prepareLayers, {}, { mock, stateConfiguration: { errorCausedByState: 'Bake Sponge' } });

      // THEN only the last is run, and the Parallel's Catch takes the error
      expect(unnamed.name).toBe('ValidationException');
      expect(outside.name).toBe('ValidationException');
      expect(named).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Apologise', error: 'States.TaskFailed' });
    });

    test('a Map is refused without a mock, as a Parallel is (the guide, "Mocking service integrations": Map and Parallel need a mock)', async () => {
      // GIVEN / WHEN the Map is tested with no mock
      const refused = await failure(runState(decorateTiers, order));

      // THEN TestState refuses it
      expect(refused.name).toBe('ValidationException');
    });
  });

  test('a mock is refused with both a result and an error, and with revealSecrets (the guide, "Mocking service integrations" and "TRACE inspectionLevel")', async () => {
    // GIVEN / WHEN the Bake task is tested with a mock that has both, and with a mock and revealSecrets
    const both = await failure(runState(bake, { order: {} }, { mock: { result: '{}', errorOutput: { error: 'OvenOnFire' } } }));
    const secrets = await failure(runState(bake, { order: {} }, { mock: { result: '{}' }, revealSecrets: true }));

    // THEN both are validation exceptions with AWS's messages
    expect(both).toMatchObject({ name: 'ValidationException', message: 'A test mock should have only one of the following fields: [result, errorOutput].' });
    expect(secrets).toMatchObject({ name: 'ValidationException', message: 'TestState does not support RevealSecrets when a mock is specified.' });
  });

  test('the context field gives the Context object the state reads (the guide, "Using context field in the TestState API")', async () => {
    // GIVEN a task that passes on its execution's name and the time its state was entered
    const stamp = { ...bake, InputPath: '$', Parameters: { FunctionName: 'oven', Payload: { 'execution.$': '$$.Execution.Name', 'entered.$': '$$.State.EnteredTime' } } };
    const context = JSON.stringify({ Execution: { Name: 'order-o-1' }, State: { EnteredTime: '2026-01-01T10:00:05.000Z' } });

    // WHEN it is tested at DEBUG with a context and a mock
    const result = await runState(stamp, {}, { inspectionLevel: 'DEBUG', context, mock: { result: '{}' } });

    // THEN the Parameters read the values the context gave
    expect(JSON.parse(result.inspectionData!.afterParameters!).Payload).toEqual({ execution: 'order-o-1', entered: '2026-01-01T10:00:05.000Z' });
  });

  test('a state inside a Map, named by stateName, sees $$.Map.Item at index 0 with its input as the value (the guide, "Automatic Context population")', async () => {
    // GIVEN a machine whose Map pipes icing on each tier
    const machine = {
      StartAt: 'Decorate Tiers',
      States: {
        'Decorate Tiers': {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Pipe Icing', States: { 'Pipe Icing': { Type: 'Pass', Parameters: { 'position.$': '$$.Map.Item.Index', 'tier.$': '$$.Map.Item.Value' }, End: true } } },
          End: true,
        },
      },
    };

    // WHEN the Pipe Icing state inside it is tested
    const result = await runState(machine, { name: 'base' }, { stateName: 'Pipe Icing' });

    // THEN it ran as the first iteration, on its input
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"position":0,"tier":{"name":"base"}}' });
  });
});
