import { callbackTask, engineHarness, tokenInbox, type Harness } from './support/engine-harness';

/** A Map that bakes each cake; a burnt one fails its iteration with CakeBurnt. A Catch on it leads to Bin The Batch. */
const bakeEach = (fields: Record<string, unknown>) => ({
  StartAt: 'Bake Each',
  States: {
    'Bake Each': {
      Type: 'Map',
      ItemsPath: '$.cakes',
      ItemProcessor: {
        StartAt: 'Is It Burnt',
        States: {
          'Is It Burnt': { Type: 'Choice', Choices: [{ Variable: '$.burnt', BooleanEquals: true, Next: 'Burnt' }], Default: 'Baked' },
          Burnt: { Type: 'Fail', Error: 'CakeBurnt', Cause: 'The oven was too hot.' },
          Baked: { Type: 'Pass', InputPath: '$.name', End: true },
        },
      },
      ...fields,
    },
    ...('Catch' in fields ? { 'Bin The Batch': { Type: 'Pass', End: true } } : {}),
  },
});

const cakes = (burnt: number, total: number) => Array.from({ length: total }, (_, index) => ({ name: `cake-${index}`, burnt: index < burnt }));

describe('local Step Functions engine: Map MaxConcurrencyPath and tolerated failures', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('MaxConcurrencyPath limits the iterations running at once to the number in the input', async () => {
    // GIVEN a Map over four cakes whose concurrency is the number of ovens in the input
    const inbox = tokenInbox();
    harness = await engineHarness({ decorate: inbox.handler });
    const machine = await harness.machine({
      StartAt: 'Decorate Each',
      States: {
        'Decorate Each': {
          Type: 'Map',
          ItemsPath: '$.cakes',
          MaxConcurrencyPath: '$.ovens',
          ItemProcessor: { StartAt: 'Decorate', States: { Decorate: callbackTask('decorate', { ResultPath: null, End: true }) } },
          End: true,
        },
      },
    });

    // WHEN it runs with two ovens
    const execution = await harness.run(machine, { ovens: 2, cakes: ['a', 'b', 'c', 'd'] });
    const waitingAtFirst = inbox.tokens.length;
    for (let done = 0; done < 4; done++) {
      await harness.engine.sendTaskSuccess({ taskToken: inbox.tokens[done], output: '{}' });
      await harness.engine.whenIdle();
    }

    // THEN only two iterations started at first, and all four finished
    expect(waitingAtFirst).toBe(2);
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('A MaxConcurrencyPath value that is not an integer fails the execution with States.Runtime, past any Catch', async () => {
    // GIVEN a Map whose concurrency comes from the input, with a catch-all
    harness = await engineHarness({});
    const machine = await harness.machine(bakeEach({ MaxConcurrencyPath: '$.ovens', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Bin The Batch' }], End: true }));

    // WHEN the input holds text instead of a number
    const execution = await harness.run(machine, { ovens: 'NoNumber', cakes: cakes(0, 2) });

    // THEN the execution failed with AWS's error and cause
    expect(await harness.describe(execution)).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: $.ovens',
    });
  });

  test('A Map whose failed iterations stay within ToleratedFailureCount succeeds, with null for each failed item', async () => {
    // GIVEN a Map that tolerates one burnt cake
    harness = await engineHarness({});
    const machine = await harness.machine(bakeEach({ ToleratedFailureCount: 1, End: true }));

    // WHEN one cake of four burns
    const execution = await harness.run(machine, { cakes: cakes(1, 4) });

    // THEN the Map succeeded, and the history shows the failed iteration
    const description = await harness.describe(execution);
    expect(description.status).toBe('SUCCEEDED');
    expect(JSON.parse(description.output!)).toEqual([null, 'cake-1', 'cake-2', 'cake-3']);
    expect((await harness.history(execution)).filter((event) => event.type === 'MapIterationFailed')).toHaveLength(1);
  });

  test('A Map with more failed iterations than ToleratedFailureCount fails with States.ExceedToleratedFailureThreshold', async () => {
    // GIVEN a Map that tolerates one burnt cake
    harness = await engineHarness({});
    const machine = await harness.machine(bakeEach({ ToleratedFailureCount: 1, End: true }));

    // WHEN two cakes of four burn
    const execution = await harness.run(machine, { cakes: cakes(2, 4) });

    // THEN the execution failed with the threshold error, not the iterations' own
    const description = await harness.describe(execution);
    expect(description).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(description.cause).toContain('2 of 4');
    expect((await harness.history(execution)).map((event) => event.type)).toContain('MapStateFailed');
  });

  test('ToleratedFailurePercentagePath reads the threshold from the input, and a Catch can take the threshold error', async () => {
    // GIVEN a Map that tolerates the percentage in the input and catches the threshold error
    harness = await engineHarness({});
    const machine = await harness.machine(
      bakeEach({ ToleratedFailurePercentagePath: '$.percentage', Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'Bin The Batch' }], End: true }),
    );

    // WHEN one of four burns under a 25 % tolerance, and two of four under the same tolerance
    const within = await harness.run(machine, { percentage: 25, cakes: cakes(1, 4) });
    const beyond = await harness.run(machine, { percentage: 25, cakes: cakes(2, 4) });

    // THEN the first Map succeeded and the second was caught
    expect((await harness.describe(within)).status).toBe('SUCCEEDED');
    expect(await harness.statesEntered(within)).not.toContain('Bin The Batch');
    expect((await harness.describe(beyond)).status).toBe('SUCCEEDED');
    expect(await harness.statesEntered(beyond)).toContain('Bin The Batch');
  });

  test('A ToleratedFailurePercentagePath value over 100 fails the execution with States.Runtime', async () => {
    // GIVEN a Map whose tolerance comes from the input
    harness = await engineHarness({});
    const machine = await harness.machine(bakeEach({ ToleratedFailurePercentagePath: '$.percentage', End: true }));

    // WHEN the input asks for 150 %
    const execution = await harness.run(machine, { percentage: 150, cakes: cakes(0, 2) });

    // THEN the execution failed as AWS does
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'ToleratedFailurePercentage must be between 0 and 100.' });
  });

  test('A Map without tolerance still fails with the first iteration’s own error', async () => {
    // GIVEN a Map with no tolerance fields
    harness = await engineHarness({});
    const machine = await harness.machine(bakeEach({ End: true }));

    // WHEN one cake burns
    const execution = await harness.run(machine, { cakes: cakes(1, 3) });

    // THEN the execution failed with CakeBurnt
    expect(await harness.describe(execution)).toMatchObject({ status: 'FAILED', error: 'CakeBurnt', cause: 'The oven was too hot.' });
  });
});
