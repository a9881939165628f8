import { callbackTask, engineHarness, invokeTask, NamedError, START, tokenInbox, type Harness } from './support/engine-harness';

const at = (seconds: number) => new Date(START + seconds * 1000).toISOString();

/** What an ItemSelector or Parameters copies out of the context object. */
const contextFields = {
  'index.$': '$$.Map.Item.Index',
  'value.$': '$$.Map.Item.Value',
  'state.$': '$$.State.Name',
  'entered.$': '$$.State.EnteredTime',
  'execution.$': '$$.Execution.Name',
  'machine.$': '$$.StateMachine.Name',
};

/** The context object inside Parallel branches and Map iterations, nested: each state sees its own. */
describe('local Step Functions engine: the context object in nested Map and Parallel states', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  test('a Map inside a Map: each ItemSelector sees its own Map’s item, state name and entered time', async () => {
    // GIVEN trays of cakes: an outer Map over trays, and after a 5 s wait an inner Map over each tray's cakes
    harness = await engineHarness({});
    const machine = await harness.machine(
      {
        StartAt: 'Each Tray',
        States: {
          'Each Tray': {
            Type: 'Map',
            ItemSelector: { 'cakes.$': '$$.Map.Item.Value', 'tray.$': '$$.Map.Item.Index', 'outer.$': '$$.State.Name', 'outerEntered.$': '$$.State.EnteredTime' },
            ItemProcessor: {
              StartAt: 'Let Trays Cool',
              States: {
                'Let Trays Cool': { Type: 'Wait', Seconds: 5, Next: 'Each Cake' },
                'Each Cake': {
                  Type: 'Map',
                  ItemsPath: '$.cakes',
                  ItemSelector: { ...contextFields, 'tray.$': '$.tray', 'outer.$': '$.outer', 'outerEntered.$': '$.outerEntered' },
                  ItemProcessor: { StartAt: 'Box', States: { Box: { Type: 'Pass', Parameters: { 'item.$': '$', 'boxState.$': '$$.State.Name' }, End: true } } },
                  End: true,
                },
              },
            },
            End: true,
          },
        },
      },
      'bakery',
    );

    // WHEN two trays run and cool
    const execution = await harness.run(machine, [['lemon', 'carrot'], ['plum']], 'order-7');
    await harness.advance(5);

    // THEN every inner item saw the inner Map's item, name and entered time, and the Box state its own name
    const inner = (tray: number, index: number, value: string) => ({
      boxState: 'Box',
      item: { index, value, state: 'Each Cake', entered: at(5), execution: 'order-7', machine: 'bakery', tray, outer: 'Each Tray', outerEntered: at(0) },
    });
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual([
      [inner(0, 0, 'lemon'), inner(0, 1, 'carrot')],
      [inner(1, 0, 'plum')],
    ]);
  });

  test('a Map inside a Parallel branch: its ItemSelector sees its item, and each branch state its own name', async () => {
    // GIVEN a Parallel state whose first branch notes its state and whose second maps over the cakes after 3 s
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Bake And Box',
      States: {
        'Bake And Box': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Bake', States: { Bake: { Type: 'Pass', Parameters: { 'state.$': '$$.State.Name', 'entered.$': '$$.State.EnteredTime' }, End: true } } },
            {
              StartAt: 'Wait For Boxes',
              States: {
                'Wait For Boxes': { Type: 'Wait', Seconds: 3, Next: 'Box Each' },
                'Box Each': { Type: 'Map', ItemsPath: '$.cakes', ItemSelector: contextFields, ItemProcessor: { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } }, End: true },
              },
            },
          ],
          End: true,
        },
      },
    }, 'bakery');

    // WHEN it runs and the boxes arrive
    const execution = await harness.run(machine, { cakes: ['lemon', 'plum'] }, 'order-8');
    await harness.advance(3);

    // THEN the Pass branch saw its own state, and each Map item its own index and value under the Map's name
    const item = (index: number, value: string) => ({ index, value, state: 'Box Each', entered: at(3), execution: 'order-8', machine: 'bakery' });
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual([{ state: 'Bake', entered: at(0) }, [item(0, 'lemon'), item(1, 'plum')]]);
  });

  test('each callback task in a nested Map iteration gets its own task token', async () => {
    // GIVEN a Map of trays, each mapping its cakes to a decorator waiting for a callback
    const inbox = tokenInbox();
    harness = await engineHarness({ decorate: inbox.handler });
    const machine = await harness.machine({
      StartAt: 'Each Tray',
      States: {
        'Each Tray': {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Each Cake',
            States: {
              'Each Cake': { Type: 'Map', ItemProcessor: { StartAt: 'Decorate', States: { Decorate: callbackTask('decorate', { ResultPath: null, End: true }) } }, End: true },
            },
          },
          End: true,
        },
      },
    });

    // WHEN three cakes on two trays are decorated, each answered on its own token
    const execution = await harness.run(machine, [['lemon', 'carrot'], ['plum']]);
    const tokens = [...inbox.tokens];
    for (const taskToken of tokens) await harness.engine.sendTaskSuccess({ taskToken, output: '{}' });
    await harness.engine.whenIdle();

    // THEN there were three distinct tokens and the execution finished with every cake in place
    expect(new Set(tokens).size).toBe(3);
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual([['lemon', 'carrot'], ['plum']]);
  });

  test('after a redrive, a Map inside a Parallel sees $$.Execution.RedriveCount and later states $$.Execution.RedriveTime', async () => {
    // GIVEN a Parallel branch mapping cakes to a packer that cannot pack lemon cakes until fixed, then a note of the redrive
    const payloads: unknown[] = [];
    let fixed = false;
    harness = await engineHarness({
      pack: (payload) => {
        payloads.push(payload);
        if ((payload as { cake: string }).cake === 'lemon' && !fixed) throw new NamedError('BoxTooSmall', 'No box fits the lemon cake');
        return 'packed';
      },
    });
    const packEach = {
      Type: 'Map',
      ItemsPath: '$.cakes',
      ItemSelector: { 'cake.$': '$$.Map.Item.Value', 'redriveCount.$': '$$.Execution.RedriveCount' },
      ItemProcessor: { StartAt: 'Pack', States: { Pack: invokeTask('pack', { OutputPath: '$.Payload', End: true }) } },
      End: true,
    };
    const machine = await harness.machine({
      StartAt: 'Bake And Pack',
      States: {
        'Bake And Pack': { Type: 'Parallel', Branches: [{ StartAt: 'Pack Each', States: { 'Pack Each': packEach } }], Next: 'Note Redrive' },
        'Note Redrive': { Type: 'Pass', Parameters: { 'count.$': '$$.Execution.RedriveCount', 'time.$': '$$.Execution.RedriveTime' }, End: true },
      },
    });
    const execution = await harness.run(machine, { cakes: ['lemon'] });

    // WHEN a minute later the packer is fixed and the execution redriven
    await harness.advance(60);
    fixed = true;
    await harness.engine.redriveExecution({ executionArn: execution });
    await harness.engine.whenIdle();

    // THEN the redriven iteration saw redrive count 1, and the note the redrive's time
    expect(payloads).toEqual([{ cake: 'lemon', redriveCount: 0 }, { cake: 'lemon', redriveCount: 1 }]);
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual({ count: 1, time: at(60) });
  });

  test('$$.Map is there only in the ItemSelector: a state inside the iteration that reads it fails with States.Runtime', async () => {
    // GIVEN a Map whose Box state reads $$.Map.Item.Index, which AWS offers only to the ItemSelector
    harness = await engineHarness({});
    const machine = await harness.machine({
      StartAt: 'Box Each',
      States: {
        'Box Each': { Type: 'Map', ItemProcessor: { StartAt: 'Box', States: { Box: { Type: 'Pass', Parameters: { 'index.$': '$$.Map.Item.Index' }, End: true } } }, End: true },
      },
    });

    // WHEN it runs
    const execution = await harness.run(machine, ['lemon']);

    // THEN the execution failed with States.Runtime naming the path
    const description = await harness.describe(execution);
    expect(description).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(description.cause).toContain('$$.Map.Item.Index');
  });
});
