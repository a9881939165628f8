import { engineHarness, type Harness } from './support/engine-harness';

const boxEach = (processor: object, fields: object = {}) => ({
  Type: 'Map',
  ItemProcessor: processor,
  ...fields,
});

/** An iteration that gives up with a Fail state naming no error and no cause. */
const givesUp = { StartAt: 'Give Up', States: { 'Give Up': { Type: 'Fail' } } };

describe('local Step Functions engine: a Fail state with no Error or Cause', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('a Map whose Catch leads to a bare Fail state ends FAILED with no error and no cause, as on AWS', async () => {
    // GIVEN a Map whose failures are caught and sent to a Fail state naming nothing
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Box Cakes',
      States: {
        'Box Cakes': boxEach(
          { StartAt: 'Squash', States: { Squash: { Type: 'Fail', Error: 'CakeSquashed', Cause: 'The lid was too low.' } } },
          { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Give Up' }], End: true },
        ),
        'Give Up': { Type: 'Fail' },
      },
    });

    // WHEN a cake is squashed
    const execution = await harness.run(machine, ['lemon']);

    // THEN the execution failed with neither error nor cause, and ExecutionFailed has empty details
    const description = await harness.describe(execution);
    expect(description.status).toBe('FAILED');
    expect(description.error).toBeUndefined();
    expect(description.cause).toBeUndefined();
    const history = await harness.history(execution);
    expect(history.map((event) => event.type).slice(-2)).toEqual(['FailStateEntered', 'ExecutionFailed']);
    expect(history.at(-1)!.executionFailedEventDetails).toEqual({});
  });

  test('a bare Fail state inside a Map iteration fails the execution with no error and no cause, not States.TaskFailed', async () => {
    // GIVEN a Map whose iterations give up without naming an error, and a Catch for another error
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Box Cakes',
      States: {
        'Box Cakes': boxEach(givesUp, { Catch: [{ ErrorEquals: ['CakeSquashed'], Next: 'Rebox' }], End: true }),
        Rebox: { Type: 'Pass', End: true },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine, ['lemon']);

    // THEN the failure reaches the execution as it was: nameless
    const description = await harness.describe(execution);
    expect(description.status).toBe('FAILED');
    expect(description.error).toBeUndefined();
    expect((await harness.history(execution)).at(-1)!.executionFailedEventDetails).toEqual({});
  });

  test('a bare Fail state inside a Parallel branch fails the execution with no error and no cause', async () => {
    // GIVEN a Parallel state whose second branch gives up without naming an error
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Bake And Ice',
      States: { 'Bake And Ice': { Type: 'Parallel', Branches: [{ StartAt: 'Bake', States: { Bake: { Type: 'Pass', End: true } } }, givesUp], End: true } },
    });

    // WHEN it runs
    const execution = await harness.run(machine);

    // THEN the execution failed, nameless
    const description = await harness.describe(execution);
    expect(description.status).toBe('FAILED');
    expect(description.error).toBeUndefined();
    expect(description.cause).toBeUndefined();
  });

  test('a States.ALL catcher takes a nameless iteration failure, with an error output that names nothing', async () => {
    // GIVEN a Map whose iterations give up without naming an error, caught by States.ALL into $.failure
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Box Cakes',
      States: {
        'Box Cakes': boxEach(givesUp, { ItemsPath: '$.cakes', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Rebox' }], End: true }),
        Rebox: { Type: 'Pass', End: true },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine, { cakes: ['lemon'] });

    // THEN the catcher ran, and the error output has neither Error nor Cause
    const description = await harness.describe(execution);
    expect(description.status).toBe('SUCCEEDED');
    expect(JSON.parse(description.output!)).toEqual({ cakes: ['lemon'], failure: {} });
  });
});
