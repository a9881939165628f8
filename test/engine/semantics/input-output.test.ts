import {
  applyResultPath,
  catchOutput,
  mapItemInput,
  mapItems,
  prepareInput,
  prepareOutput,
  selectPath,
  type MapState,
  type PassState,
  type State,
  type TaskState,
} from '../../../infra/local/engine/asl';
import { aContext, statesErrorOf } from './support';

const task = (fields: Partial<TaskState> = {}): TaskState => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true, ...fields });

describe('InputPath', () => {
  test('InputPath selects part of the raw input as the effective input', () => {
    // GIVEN a task that reads only the order
    const state = task({ InputPath: '$.order' });
    // WHEN its input is prepared
    const effective = prepareInput(state, { order: { id: '42' }, noise: true }, aContext());
    // THEN only the order remains
    expect(effective).toEqual({ id: '42' });
  });

  test('InputPath null gives the state an empty object', () => {
    expect(prepareInput(task({ InputPath: null }), { order: 1 }, aContext())).toEqual({});
  });

  test('An omitted InputPath passes the whole input', () => {
    expect(prepareInput(task(), { order: 1 }, aContext())).toEqual({ order: 1 });
  });

  test('An InputPath that matches nothing raises States.Runtime', () => {
    expect(statesErrorOf(() => prepareInput(task({ InputPath: '$.missing' }), { order: 1 }, aContext())).error).toBe('States.Runtime');
  });
});

describe('Parameters', () => {
  test('Fields ending in .$ take the value their path selects, under the name without .$', () => {
    // GIVEN parameters mixing static and path fields
    const state = task({ Parameters: { 'orderId.$': '$.orderId', status: 'COMPLETED' } });
    // WHEN the input is prepared
    const effective = prepareInput(state, { orderId: '42' }, aContext());
    // THEN the path field is resolved and the static one copied
    expect(effective).toEqual({ orderId: '42', status: 'COMPLETED' });
  });

  test('Parameters apply after InputPath', () => {
    const state = task({ InputPath: '$.order', Parameters: { 'id.$': '$.id' } });
    expect(prepareInput(state, { order: { id: '42' } }, aContext())).toEqual({ id: '42' });
  });

  test('Nested objects and objects inside arrays are resolved too', () => {
    const state = task({ Parameters: { Payload: { 'orderId.$': '$.orderId' }, list: [{ 'n.$': '$.n' }] } });
    expect(prepareInput(state, { orderId: '42', n: 1 }, aContext())).toEqual({ Payload: { orderId: '42' }, list: [{ n: 1 }] });
  });

  test('A .$ path that matches nothing raises States.Runtime naming the field', () => {
    const error = statesErrorOf(() => prepareInput(task({ Parameters: { 'reason.$': '$.error.Cause' } }), { orderId: '42' }, aContext()));
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toContain("'reason.$'");
  });

  test('A .$ value that is neither a path nor an intrinsic raises States.Runtime', () => {
    expect(statesErrorOf(() => prepareInput(task({ Parameters: { 'x.$': 'plain' } }), {}, aContext())).error).toBe('States.Runtime');
  });

  test('A .$ field can call an intrinsic function', () => {
    const state = task({ Parameters: { 'greeting.$': "States.Format('Order {}', $.orderId)" } });
    expect(prepareInput(state, { orderId: '42' }, aContext())).toEqual({ greeting: 'Order 42' });
  });

  test('An indefinite path returns the list of its matches', () => {
    const state = task({ Parameters: { 'names.$': '$.cakes[*].name' } });
    expect(prepareInput(state, { cakes: [{ name: 'lemon' }, { name: 'carrot' }] }, aContext())).toEqual({ names: ['lemon', 'carrot'] });
  });

  test('A filter that matches nothing returns an empty list rather than failing', () => {
    const state = task({ Parameters: { 'big.$': '$.cakes[?(@.tiers > 3)]' } });
    expect(prepareInput(state, { cakes: [{ tiers: 1 }] }, aContext())).toEqual({ big: [] });
  });

  test('A field name with spaces is reached with bracket notation, with or without a dot before it', () => {
    const input = { abc: { 'def ghi': 7 } };
    expect(selectPath("$.abc['def ghi']", input)).toBe(7);
    expect(selectPath("$.abc.['def ghi']", input)).toBe(7);
  });
});

describe('Context object', () => {
  test.each([
    ['$$.Execution.Id', 'arn:aws:states:eu-west-1:123456789012:execution:orders:order-42'],
    ['$$.Execution.Name', 'order-42'],
    ['$$.Execution.StartTime', '2024-05-01T10:00:00.000Z'],
    ['$$.Execution.Input.orderId', '42'],
    ['$$.Execution.RoleArn', 'arn:aws:iam::123456789012:role/orders'],
    ['$$.Execution.RedriveCount', 0],
    ['$$.StateMachine.Id', 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders'],
    ['$$.StateMachine.Name', 'orders'],
    ['$$.State.Name', 'Ask Cake Maker'],
    ['$$.State.EnteredTime', '2024-05-01T10:00:01.000Z'],
    ['$$.State.RetryCount', 2],
  ])('%s reads the context object', (path, expected) => {
    expect(prepareInput(task({ Parameters: { 'value.$': path } }), {}, aContext())).toEqual({ value: expected });
  });

  test('$$.Task.Token gives a callback task its token', () => {
    const context = aContext({ Task: { Token: 'token-1' } });
    expect(prepareInput(task({ Parameters: { 'taskToken.$': '$$.Task.Token' } }), {}, context)).toEqual({ taskToken: 'token-1' });
  });

  test('A missing context path does not put the context (and its task token) into the error cause', () => {
    const context = aContext({ Task: { Token: 'secret-token' } });
    const error = statesErrorOf(() => prepareInput(task({ Parameters: { 'x.$': '$$.Map.Item.Value' } }), {}, context));
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).not.toContain('secret-token');
  });
});

describe('ResultSelector, ResultPath and OutputPath', () => {
  test('ResultSelector builds the result from the task result', () => {
    const state = task({ ResultSelector: { 'status.$': '$.Payload.status' }, ResultPath: '$.outcome' });
    const output = prepareOutput(state, { orderId: '42' }, { Payload: { status: 'OK' }, StatusCode: 200 }, aContext());
    expect(output).toEqual({ orderId: '42', outcome: { status: 'OK' } });
  });

  test('An omitted ResultPath replaces the input with the result', () => {
    expect(prepareOutput(task(), { orderId: '42' }, { done: true }, aContext())).toEqual({ done: true });
  });

  test('ResultPath null discards the result and passes the input through', () => {
    expect(prepareOutput(task({ ResultPath: null }), { orderId: '42' }, { done: true }, aContext())).toEqual({ orderId: '42' });
  });

  test('ResultPath places the result into the raw input, not the effective input', () => {
    const state = task({ InputPath: '$.order', ResultPath: '$.result' });
    expect(prepareOutput(state, { order: { id: 1 }, other: 2 }, 'done', aContext())).toEqual({ order: { id: 1 }, other: 2, result: 'done' });
  });

  test('ResultPath creates the missing objects of a nested path', () => {
    expect(applyResultPath({ orderId: '42' }, 'yes', '$.fulfilment.confirmation.accepted')).toEqual({
      orderId: '42',
      fulfilment: { confirmation: { accepted: 'yes' } },
    });
  });

  test('ResultPath overwrites an existing field', () => {
    expect(applyResultPath({ error: 'old', keep: 1 }, 'new', '$.error')).toEqual({ error: 'new', keep: 1 });
  });

  test('ResultPath does not change the input it was given', () => {
    const input = { orderId: '42' };
    applyResultPath(input, 1, '$.x');
    expect(input).toEqual({ orderId: '42' });
  });

  test('ResultPath into an input that is not an object raises States.Runtime', () => {
    expect(statesErrorOf(() => applyResultPath('plain text', 1, '$.x')).error).toBe('States.Runtime');
  });

  test('ResultPath through a field that holds a scalar raises States.Runtime', () => {
    expect(statesErrorOf(() => applyResultPath({ a: 5 }, 1, '$.a.b')).error).toBe('States.Runtime');
  });

  test('ResultPath can replace an existing array element', () => {
    expect(applyResultPath({ list: [1, 2] }, 9, '$.list[1]')).toEqual({ list: [1, 9] });
  });

  test('OutputPath selects the part of the combined output passed on', () => {
    const state = task({ ResultPath: '$.result', OutputPath: '$.result' });
    expect(prepareOutput(state, { orderId: '42' }, { ok: true }, aContext())).toEqual({ ok: true });
  });

  test('OutputPath null passes on an empty object', () => {
    expect(prepareOutput(task({ OutputPath: null }), { orderId: '42' }, 1, aContext())).toEqual({});
  });

  test('An OutputPath that matches nothing raises States.Runtime', () => {
    expect(statesErrorOf(() => prepareOutput(task({ OutputPath: '$.nothing' }), {}, {}, aContext())).error).toBe('States.Runtime');
  });
});

describe('Pass state', () => {
  test('Result is the Pass state result, placed by ResultPath', () => {
    const state: PassState = { Type: 'Pass', Result: { cake: 'lemon' }, ResultPath: '$.choice', End: true };
    expect(prepareOutput(state, { orderId: '42' }, { ignored: true }, aContext())).toEqual({ orderId: '42', choice: { cake: 'lemon' } });
  });

  test('Without Result a Pass state passes its effective input on', () => {
    // GIVEN a Pass state shaping its input with Parameters
    const state: PassState = { Type: 'Pass', Parameters: { 'id.$': '$.orderId' }, End: true };
    const raw = { orderId: '42', noise: 1 };
    // WHEN its effective input is its result
    const output = prepareOutput(state, raw, prepareInput(state, raw, aContext()), aContext());
    // THEN the output is the shaped input
    expect(output).toEqual({ id: '42' });
  });
});

describe('States without results', () => {
  test.each<State>([
    { Type: 'Succeed', InputPath: '$.order', OutputPath: '$.id' },
    { Type: 'Wait', Seconds: 1, InputPath: '$.order', OutputPath: '$.id', End: true },
    { Type: 'Choice', Choices: [], Default: 'X', InputPath: '$.order', OutputPath: '$.id' },
  ])('$Type output is OutputPath applied to the InputPath selection', (state) => {
    expect(prepareOutput(state, { order: { id: '42' } }, null, aContext())).toBe('42');
  });
});

describe('Map state', () => {
  const map = (fields: Partial<MapState> = {}): MapState => ({
    Type: 'Map',
    ItemProcessor: { StartAt: 'Bake', States: { Bake: { Type: 'Pass', End: true } } },
    End: true,
    ...fields,
  });

  test('ItemsPath selects the array to iterate over', () => {
    expect(mapItems(map({ ItemsPath: '$.cakes' }), { cakes: ['lemon', 'carrot'] }, aContext())).toEqual(['lemon', 'carrot']);
  });

  test('Without ItemsPath the whole input is the array', () => {
    expect(mapItems(map(), [1, 2], aContext())).toEqual([1, 2]);
  });

  test('An ItemsPath that selects something other than an array raises States.Runtime', () => {
    expect(statesErrorOf(() => mapItems(map({ ItemsPath: '$.cakes' }), { cakes: 'lemon' }, aContext())).error).toBe('States.Runtime');
  });

  test('Without ItemSelector each iteration receives its item', () => {
    const context = { ...aContext(), Map: { Item: { Index: 1, Value: 'carrot' } } };
    expect(mapItemInput(map(), { cakes: ['lemon', 'carrot'] }, context)).toBe('carrot');
  });

  test('ItemSelector reads $$.Map.Item.Index, $$.Map.Item.Value and the Map state input', () => {
    // GIVEN a selector combining the item with the order it belongs to
    const state = map({ ItemSelector: { 'index.$': '$$.Map.Item.Index', 'cake.$': '$$.Map.Item.Value', 'orderId.$': '$.orderId' } });
    const context = { ...aContext(), Map: { Item: { Index: 1, Value: 'carrot' } } };
    // WHEN the second iteration's input is prepared
    const itemInput = mapItemInput(state, { orderId: '42', cakes: ['lemon', 'carrot'] }, context);
    // THEN it holds the item, its index and the order
    expect(itemInput).toEqual({ index: 1, cake: 'carrot', orderId: '42' });
  });

  test('An iteration input without $$.Map.Item in the context raises States.Runtime', () => {
    expect(statesErrorOf(() => mapItemInput(map(), [1], aContext())).error).toBe('States.Runtime');
  });

  test('The older Parameters field works as ItemSelector', () => {
    const state = map({ Parameters: { 'cake.$': '$$.Map.Item.Value' } });
    const context = { ...aContext(), Map: { Item: { Index: 0, Value: 'lemon' } } };
    expect(mapItemInput(state, {}, context)).toEqual({ cake: 'lemon' });
  });

  test('ResultSelector and ResultPath shape the array of iteration results', () => {
    const state = map({ ResultSelector: { 'first.$': '$[0]' }, ResultPath: '$.baked' });
    expect(prepareOutput(state, { orderId: '42' }, ['a', 'b'], aContext())).toEqual({ orderId: '42', baked: { first: 'a' } });
  });
});

describe('Catch output', () => {
  test('A catcher ResultPath adds the error output to the raw input', () => {
    const output = catchOutput({ ErrorEquals: ['States.ALL'], Next: 'Mark Order Failed', ResultPath: '$.error' }, { orderId: '42' }, 'OrderNotFound', 'no such order');
    expect(output).toEqual({ orderId: '42', error: { Error: 'OrderNotFound', Cause: 'no such order' } });
  });

  test('A catcher without ResultPath replaces the input with the error output', () => {
    expect(catchOutput({ ErrorEquals: ['States.Timeout'], Next: 'Remind' }, { orderId: '42' }, 'States.Timeout')).toEqual({ Error: 'States.Timeout' });
  });

  test('A catcher with ResultPath null keeps the input unchanged', () => {
    expect(catchOutput({ ErrorEquals: ['States.Timeout'], Next: 'Remind', ResultPath: null }, { orderId: '42' }, 'States.Timeout', 'late')).toEqual({ orderId: '42' });
  });
});
