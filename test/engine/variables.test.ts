/**
 * Conformance cases for workflow variables, from the guide's "Passing data between states with variables" page:
 * https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineHarness, type Harness } from './support/engine-harness';

const VARIABLES = 'https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html';

describe('local Step Functions engine: workflow variables', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  async function run(definition: object, input: unknown = {}) {
    harness = await engineHarness({});
    return harness.describe(await harness.run(await harness.machine(definition), input));
  }

  test(`Assign stores values a later state reads as $name (${VARIABLES})`, async () => {
    // GIVEN the guide's Assign of productName, count and available, read two states later
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Store',
      States: {
        Store: { Type: 'Pass', Assign: { productName: 'product1', count: 42, available: true }, Next: 'Between' },
        Between: { Type: 'Pass', Output: {}, Next: 'Use' },
        Use: { Type: 'Pass', Output: { name: '{% $productName %}', count: '{% $count %}', available: '{% $available %}' }, End: true },
      },
    };

    // WHEN it runs
    const description = await run(definition);

    // THEN the last state read all three
    expect(JSON.parse(description.output!)).toEqual({ name: 'product1', count: 42, available: true });
  });

  test(`Assign and Output of one state both see the values from before it; every Assign expression sees the old values (${VARIABLES})`, async () => {
    // GIVEN x = 1, then a state that swaps x and y and outputs x
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { x: 1, y: 2 }, Next: 'Swap' },
        Swap: { Type: 'Pass', Assign: { x: '{% $y %}', y: '{% $x %}' }, Output: { x: '{% $x %}' }, Next: 'Read' },
        Read: { Type: 'Pass', Output: { before: '{% $states.input.x %}', x: '{% $x %}', y: '{% $y %}' }, End: true },
      },
    };

    // WHEN it runs
    const description = await run(definition);

    // THEN Swap's Output saw the old x, and its Assign swapped without seeing its own new values
    expect(JSON.parse(description.output!)).toEqual({ before: 1, x: 2, y: 1 });
  });

  test(`Assign in JSONPath states: "x.$" paths over the result, $$ and intrinsics; $x in paths (${VARIABLES})`, async () => {
    // GIVEN a JSONPath Pass whose Assign reads the input, the context object and an intrinsic
    const definition = {
      StartAt: 'Store',
      States: {
        Store: { Type: 'Pass', Assign: { 'orderId.$': '$.order.id', 'state.$': '$$.State.Name', 'label.$': "States.Format('order {}', $.order.id)", fixed: 5 }, Next: 'Use' },
        Use: { Type: 'Pass', Parameters: { 'id.$': '$orderId', 'state.$': '$state', 'label.$': '$label', 'fixed.$': '$fixed' }, End: true },
      },
    };

    // WHEN it runs
    const description = await run(definition, { order: { id: 'o-1' } });

    // THEN Parameters read the variables
    expect(JSON.parse(description.output!)).toEqual({ id: 'o-1', state: 'Store', label: 'order o-1', fixed: 5 });
  });

  test(`A Choice Variable may be a variable (${VARIABLES})`, async () => {
    // GIVEN a variable checked by a JSONPath Choice
    const definition = {
      StartAt: 'Store',
      States: {
        Store: { Type: 'Pass', Assign: { count: 3 }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$count', NumericGreaterThan: 2, Next: 'Many' }], Default: 'Few' },
        Many: { Type: 'Succeed' },
        Few: { Type: 'Fail', Error: 'Few' },
      },
    };

    // WHEN it runs
    // THEN the rule on $count matched
    expect((await run(definition)).status).toBe('SUCCEEDED');
  });

  test(`Inner states read outer variables; the outer scope never sees inner assignments (${VARIABLES})`, async () => {
    // GIVEN an outer variable, a Map whose iterations read it and assign their own, and a state after the Map
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Store',
      States: {
        Store: { Type: 'Pass', Assign: { shop: 'Cakes & Co' }, Next: 'Each' },
        Each: {
          Type: 'Map',
          Items: '{% [1, 2] %}',
          ItemProcessor: {
            StartAt: 'Inner',
            States: {
              Inner: { Type: 'Pass', Assign: { inner: '{% $states.input %}' }, Next: 'Read' },
              Read: { Type: 'Pass', Output: '{% $shop & " " & $string($inner) %}', End: true },
            },
          },
          Assign: { results: '{% $states.result %}' },
          Next: 'After',
        },
        After: { Type: 'Pass', Output: { results: '{% $results %}', innerSeen: '{% $exists($inner) %}' }, End: true },
      },
    };

    // WHEN it runs
    const description = await run(definition);

    // THEN the iterations read $shop, the Map's Assign read its result, and $inner stayed inside
    expect(JSON.parse(description.output!)).toEqual({ results: ['Cakes & Co 1', 'Cakes & Co 2'], innerSeen: false });
  });

  test(`Parallel branches read outer variables and keep their own (${VARIABLES})`, async () => {
    // GIVEN two branches that assign the same name and read an outer variable
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Store',
      States: {
        Store: { Type: 'Pass', Assign: { base: 10 }, Next: 'Both' },
        Both: {
          Type: 'Parallel',
          Branches: [1, 2].map((n) => ({
            StartAt: `Set ${n}`,
            States: { [`Set ${n}`]: { Type: 'Pass', Assign: { mine: n }, Next: `Get ${n}` }, [`Get ${n}`]: { Type: 'Pass', Output: '{% $base + $mine %}', End: true } },
          })),
          End: true,
        },
      },
    };

    // WHEN it runs
    // THEN each branch saw its own $mine
    expect(JSON.parse((await run(definition)).output!)).toEqual([11, 12]);
  });

  test(`A variable over 256 KiB fails the state with States.DataLimitExceeded (${VARIABLES})`, async () => {
    // GIVEN a Pass that assigns a 300 KB string
    const definition = { QueryLanguage: 'JSONata', StartAt: 'Big', States: { Big: { Type: 'Pass', Assign: { big: "{% $pad('', 300000, 'x') %}" }, End: true } } };

    // WHEN it runs
    const description = await run(definition);

    // THEN the execution failed on the limit
    expect(description.status).toBe('FAILED');
    expect(description.error).toBe('States.DataLimitExceeded');
  });

  test(`Variables survive a restart of the engine, as the execution does (${VARIABLES})`, async () => {
    // GIVEN a durable engine and an execution that assigned a variable, then waits
    const dataDir = mkdtempSync(join(tmpdir(), 'variables-'));
    try {
      const definition = {
        QueryLanguage: 'JSONata',
        StartAt: 'Store',
        States: {
          Store: { Type: 'Pass', Assign: { cake: '{% $states.input.cake %}' }, Next: 'Pause' },
          Pause: { Type: 'Wait', Seconds: 60, Next: 'Use' },
          Use: { Type: 'Pass', Output: { cake: '{% $cake %}' }, End: true },
        },
      };
      harness = await engineHarness({}, { dataDir });
      const execution = await harness.run(await harness.machine(definition, 'remember'), { cake: 'plum' });
      const clock = harness.clock;
      await harness.close();

      // WHEN the engine restarts and the wait ends
      harness = await engineHarness({}, { dataDir, clock });
      // A state cut off while its JSONata was evaluated is evaluated again on resume: let that finish first.
      await harness.engine.whenIdle();
      await harness.advance(61);

      // THEN the state after the wait read the variable assigned before the restart
      const description = await harness.describe(execution);
      expect(description.status).toBe('SUCCEEDED');
      expect(JSON.parse(description.output!)).toEqual({ cake: 'plum' });
    } finally {
      await harness.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
