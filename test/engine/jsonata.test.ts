/**
 * Conformance cases for JSONata, each from an example of the Step Functions developer guide, run through the engine.
 * TRANSFORMING = https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 * VARIABLES = https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
import { engineHarness, functionArn, type Harness } from './support/engine-harness';

const TRANSFORMING = 'https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html';
const VARIABLES = 'https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html';

const jsonata = (states: object, startAt = Object.keys(states)[0]) => ({ QueryLanguage: 'JSONata', StartAt: startAt, States: states });

describe('local Step Functions engine: JSONata', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  async function outputOf(definition: object, input: unknown = {}): Promise<unknown> {
    harness = await engineHarness({ echo: (payload) => payload });
    const execution = await harness.run(await harness.machine(definition), input);
    const description = await harness.describe(execution);
    if (description.status !== 'SUCCEEDED') throw new Error(`${description.status}: ${description.error} ${description.cause}`);
    return JSON.parse(description.output!);
  }

  async function failureOf(definition: object, input: unknown = {}) {
    harness = await engineHarness({});
    const description = await harness.describe(await harness.run(await harness.machine(definition), input));
    return { status: description.status, error: description.error, cause: description.cause };
  }

  test(`Arguments: static values, expressions and a string that is not one (${TRANSFORMING})`, async () => {
    // GIVEN the guide's converted Task, whose Arguments mix a static value, $states.input, a variable and a plain "$customerName"
    const definition = jsonata({
      Remember: { Type: 'Pass', Assign: { customerName: 'María' }, Next: 'Call' },
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Arguments: { FunctionName: functionArn('echo'), Payload: { static: 'Hello', title: '{% $states.input.title %}', name: '{% $customerName %}', 'not-evaluated': '$customerName' } },
        Output: '{% $states.result.Payload %}',
        End: true,
      },
    });

    // WHEN it runs on { "title": "Doctor" }
    const output = await outputOf(definition, { title: 'Doctor' });

    // THEN the result is the one the guide shows
    expect(output).toEqual({ static: 'Hello', title: 'Doctor', name: 'María', 'not-evaluated': '$customerName' });
  });

  test(`Output defaults to the state input for Pass and to $states.result for Task (${TRANSFORMING})`, async () => {
    // GIVEN a Pass with no Output, then a Task with no Output
    const definition = jsonata({
      Keep: { Type: 'Pass', Next: 'Call' },
      Call: { Type: 'Task', Resource: functionArn('echo'), Arguments: { cake: '{% $states.input.cake %}' }, End: true },
    });

    // WHEN it runs
    const output = await outputOf(definition, { cake: 'lemon' });

    // THEN the output is the function's result
    expect(output).toEqual({ cake: 'lemon' });
  });

  test(`$states.context holds the context object (${TRANSFORMING})`, async () => {
    // GIVEN a Pass that outputs parts of $states.context
    const definition = jsonata({ Look: { Type: 'Pass', Output: { state: '{% $states.context.State.Name %}', input: '{% $states.context.Execution.Input %}' }, End: true } });

    // WHEN it runs
    const output = await outputOf(definition, { orderId: 7 });

    // THEN it sees its own name and the execution input
    expect(output).toEqual({ state: 'Look', input: { orderId: 7 } });
  });

  test(`Choice Condition picks the first rule that is true; Default otherwise (${TRANSFORMING})`, async () => {
    // GIVEN a Choice on $states.input.age
    const definition = jsonata({
      Check: {
        Type: 'Choice',
        Choices: [{ Condition: '{% $states.input.age >= 18 %}', Next: 'Adult', Output: { adult: true } }],
        Default: 'Minor',
      },
      Adult: { Type: 'Succeed' },
      Minor: { Type: 'Pass', Output: { adult: false }, End: true },
    });

    // WHEN it runs for 20 and for 12
    const [adult, minor] = [await outputOf(definition, { age: 20 }), await outputOf(definition, { age: 12 })];

    // THEN the rule's Output comes out for 20, the Default path for 12
    expect(adult).toEqual({ adult: true });
    expect(minor).toEqual({ adult: false });
  });

  test(`Map Items, ItemSelector with $states.context.Map.Item and MaxConcurrency as expressions (${TRANSFORMING})`, async () => {
    // GIVEN a Map over an expression with an ItemSelector
    const definition = jsonata({
      Each: {
        Type: 'Map',
        Items: '{% $states.input.cakes %}',
        MaxConcurrency: '{% 1 %}',
        ItemSelector: { cake: '{% $states.context.Map.Item.Value %}', index: '{% $states.context.Map.Item.Index %}', shop: '{% $states.input.shop %}' },
        ItemProcessor: { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } },
        End: true,
      },
    });

    // WHEN it runs
    const output = await outputOf(definition, { shop: 'Cakes & Co', cakes: ['lemon', 'plum'] });

    // THEN each iteration got its selected input
    expect(output).toEqual([
      { cake: 'lemon', index: 0, shop: 'Cakes & Co' },
      { cake: 'plum', index: 1, shop: 'Cakes & Co' },
    ]);
  });

  test(`Wait Seconds and Fail Error/Cause take expressions (${TRANSFORMING})`, async () => {
    // GIVEN a Wait of an expression then a Fail naming its error from the input
    const definition = jsonata({
      Pause: { Type: 'Wait', Seconds: '{% $states.input.delay %}', Next: 'Stop' },
      Stop: { Type: 'Fail', Error: "{% 'Cake.' & $states.input.why %}", Cause: "{% 'Out of ' & $states.input.what %}" },
    });

    // WHEN it runs with no delay
    const failure = await failureOf(definition, { delay: 0, why: 'Sold', what: 'lemons' });

    // THEN the Fail state's expressions named the failure
    expect(failure).toEqual({ status: 'FAILED', error: 'Cake.Sold', cause: 'Out of lemons' });
  });

  test(`Catch: Output and Assign see $states.errorOutput (${TRANSFORMING})`, async () => {
    // GIVEN a Task that fails, caught with an Output and an Assign from $states.errorOutput
    const definition = jsonata({
      Call: {
        Type: 'Task',
        Resource: functionArn('missing'),
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', Assign: { failedWith: '{% $states.errorOutput.Error %}' }, Output: { caught: '{% $states.errorOutput.Error %}' } }],
        End: true,
      },
      Report: { Type: 'Pass', Output: { output: '{% $states.input %}', variable: '{% $failedWith %}' }, End: true },
    });

    // WHEN it runs
    const output = (await outputOf(definition)) as { output: { caught: string }; variable: string };

    // THEN the catcher's Output is the next input and its Assign set the variable
    expect(output.output.caught).toEqual(output.variable);
    expect(typeof output.variable).toBe('string');
  });

  test.each([
    ['$states.input.missing', 'returned nothing'],
    ["$number('cake') + 1", 'An error occurred'],
  ])(`An expression that yields nothing or fails raises States.QueryEvaluationError (%s) (${TRANSFORMING})`, async (expression, cause) => {
    // GIVEN a Pass whose Output is a failing expression
    const definition = jsonata({ Broken: { Type: 'Pass', Output: { value: `{% ${expression} %}` }, End: true } });

    // WHEN it runs
    const failure = await failureOf(definition);

    // THEN the execution fails with States.QueryEvaluationError
    expect(failure.error).toBe('States.QueryEvaluationError');
    expect(failure.cause).toContain(cause);
  });

  test(`States.QueryEvaluationError can be caught by States.ALL (${TRANSFORMING})`, async () => {
    // GIVEN a Task whose Arguments fail to evaluate, with a Catch
    const definition = jsonata({
      Call: { Type: 'Task', Resource: functionArn('echo'), Arguments: '{% $states.input.nothing %}', Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Next: 'Caught' }], End: true },
      Caught: { Type: 'Pass', Output: '{% $states.input.Error %}', End: true },
    });

    // WHEN it runs
    // THEN the catcher got it
    expect(await outputOf(definition)).toBe('States.QueryEvaluationError');
  });

  describe(`Functions Step Functions adds (${TRANSFORMING}, "JSONata functions provided by Step Functions")`, () => {
    test.each<[string, unknown]>([
      ['$partition([1,2,3,4], 2)', [[1, 2], [3, 4]]],
      ['$partition([1,2,3,4,5], 2)', [[1, 2], [3, 4], [5]]],
      ['$range(0, 10, 2)', [0, 2, 4, 6, 8, 10]],
      ['$range(0, 5, 5)', [0, 5]],
      ['$range(0, 10, 20)', [0]],
      ["$hash('input data', 'SHA-1')", 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
      ["$parse('{\"product\": {\"name\": \"Headphones\"}}').product.name", 'Headphones'],
      ['$random(256) = $random(256)', true],
      ['$random() >= 0 and $random() < 1', true],
      ["$contains($uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)", true],
    ])('%s', async (expression, expected) => {
      // GIVEN a Pass whose Output is the function call
      // WHEN it runs
      // THEN the value is the documented one
      expect(await outputOf(jsonata({ Call: { Type: 'Pass', Output: `{% ${expression} %}`, End: true } }))).toEqual(expected);
    });

    test('$eval is not available; $parse is', async () => {
      // GIVEN a Pass that calls $eval
      // WHEN it runs
      const failure = await failureOf(jsonata({ Call: { Type: 'Pass', Output: "{% $eval('1') %}", End: true } }));
      // THEN it fails with States.QueryEvaluationError
      expect(failure.error).toBe('States.QueryEvaluationError');
    });
  });

  test(`A JSONPath state machine can hold a JSONata state (${VARIABLES})`, async () => {
    // GIVEN a JSONPath machine whose one state is JSONata
    const definition = {
      StartAt: 'Old',
      States: { Old: { Type: 'Pass', Parameters: { 'n.$': '$.n' }, Next: 'New' }, New: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input.n * 2 %}', End: true } },
    };

    // WHEN it runs
    // THEN each state used its own language
    expect(await outputOf(definition, { n: 21 })).toBe(42);
  });
});
