import { ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { failure, sfnWorld, type SfnWorld } from './support/sfn-server';

describe('ValidateStateMachineDefinition, through @aws-sdk/client-sfn', () => {
  let world: SfnWorld;
  const validate = (definition: unknown, extra: { severity?: 'ERROR' | 'WARNING'; maxResults?: number } = {}) =>
    world.sfn.send(new ValidateStateMachineDefinitionCommand({ definition: typeof definition === 'string' ? definition : JSON.stringify(definition), ...extra }));

  beforeEach(async () => {
    world = await sfnWorld();
  });

  afterEach(() => world.close());

  test('a valid definition is OK with no diagnostics', async () => {
    // GIVEN / WHEN a definition CreateStateMachine would take is validated
    const result = await validate({ StartAt: 'Bake', States: { Bake: { Type: 'Pass', End: true } } });

    // THEN it passes
    expect(result).toMatchObject({ result: 'OK', diagnostics: [], truncated: false });
  });

  test('a Next that names no state FAILs with MISSING_TRANSITION_TARGET, as an ERROR', async () => {
    // GIVEN / WHEN a definition whose Next leads nowhere is validated
    const result = await validate({ StartAt: 'Bake', States: { Bake: { Type: 'Pass', Next: 'Ice' } } });

    // THEN the result is FAIL, with AWS's code
    expect(result.result).toBe('FAIL');
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'ERROR', code: 'MISSING_TRANSITION_TARGET' }));
  });

  test('a schema problem names the field in its location; JSON that does not parse is INVALID_JSON_DESCRIPTION', async () => {
    // GIVEN / WHEN a state of an unknown type, and text that is not JSON, are validated
    const schema = await validate({ StartAt: 'Bake', States: { Bake: { Type: 'Bakery', End: true } } });
    const json = await validate('{"StartAt": ');

    // THEN each fails with the code AWS documents
    expect(schema.diagnostics).toContainEqual(expect.objectContaining({ code: 'SCHEMA_VALIDATION_FAILED', location: '/States/Bake/Type' }));
    expect(json).toMatchObject({ result: 'FAIL', diagnostics: [expect.objectContaining({ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION' })] });
  });

  test('severity WARNING adds NO_DOLLAR and PASS_RESULT_IS_STATIC warnings without failing; ERROR leaves them out', async () => {
    // GIVEN a valid definition with a path in a field without .$ and a path in a Pass Result
    const definition = {
      StartAt: 'Ask',
      States: {
        Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'ask', Payload: '$.order' }, Next: 'Note' },
        Note: { Type: 'Pass', Result: { 'orderId.$': '$.orderId' }, End: true },
      },
    };

    // WHEN it is validated at each severity
    const warned = await validate(definition, { severity: 'WARNING' });
    const errorsOnly = await validate(definition);

    // THEN the warnings show only when asked for, and the result stays OK
    expect(warned.result).toBe('OK');
    expect(warned.diagnostics!.map((diagnostic) => [diagnostic.severity, diagnostic.code, diagnostic.location])).toEqual([
      ['WARNING', 'NO_DOLLAR', '/States/Ask/Parameters/Payload'],
      ['WARNING', 'PASS_RESULT_IS_STATIC', '/States/Note/Result'],
    ]);
    expect(errorsOnly.diagnostics).toEqual([]);
  });

  test('maxResults cuts the diagnostics and sets truncated; above 100 it is a ValidationException', async () => {
    // GIVEN a definition with several unreachable states
    const states = Object.fromEntries(['A', 'B', 'C', 'D'].map((name) => [name, { Type: 'Pass', End: true }]));

    // WHEN it is validated with room for one diagnostic, and with too large a page
    const cut = await validate({ StartAt: 'A', States: states }, { maxResults: 1 });
    const tooMany = await failure(validate({ StartAt: 'A', States: states }, { maxResults: 101 }));

    // THEN one diagnostic comes back, marked truncated, and the page size is refused
    expect(cut).toMatchObject({ result: 'FAIL', truncated: true });
    expect(cut.diagnostics).toHaveLength(1);
    expect(tooMany.name).toBe('ValidationException');
  });
});
