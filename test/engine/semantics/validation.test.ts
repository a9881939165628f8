import { InvalidDefinition, validateDefinition, type StateMachineDefinition } from '../../../infra/local/engine/asl';
import { resolveOrderDefinition } from '../../../infra/order-definition';
import { resolveSettings } from '../../../infra/settings';
import { handlers, type HandlerName } from '../../../infra/wiring';

function problemsOf(definition: unknown): readonly string[] {
  try {
    validateDefinition(definition);
  } catch (error) {
    if (error instanceof InvalidDefinition) return error.messages;
    throw error;
  }
  return [];
}

const taskWith = (fields: object): StateMachineDefinition =>
  ({
    StartAt: 'Bake',
    States: {
      Bake: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Done', ...fields },
      Done: { Type: 'Succeed' },
    },
  }) as StateMachineDefinition;

describe('Definition validation', () => {
  test('The order state machine, as both targets resolve its ${…} placeholders, is valid', () => {
    // GIVEN the committed definition with its placeholders filled as CDK and the local stack fill them
    const functionArns = Object.fromEntries(Object.keys(handlers).map((name) => [name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`])) as Record<HandlerName, string>;
    const definition: unknown = JSON.parse(resolveOrderDefinition(functionArns, resolveSettings()));
    // WHEN it is validated THEN it comes back typed, with its first state
    expect(validateDefinition(definition).StartAt).toBe('Load Settings');
  });

  test('Validation does not modify the definition it checks', () => {
    const definition = taskWith({});
    const before = JSON.stringify(definition);
    validateDefinition(definition);
    expect(JSON.stringify(definition)).toBe(before);
  });

  test('A Next that names no state is reported by asl-validator', () => {
    const problems = problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    expect(problems.some((problem) => problem.includes('MISSING_TRANSITION_TARGET') && problem.includes('Nowhere'))).toBe(true);
  });

  test('A Wait state without a duration is reported', () => {
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Wait', End: true } } }).some((problem) => problem.startsWith('WAIT_DURATION'))).toBe(true);
  });

  test.each(['2024-05-01t12:00:00z', '2024-05-01 12:00:00Z', '2024-05-01T12:00:00+0200'])(
    'A Wait state whose Timestamp %s is not an RFC 3339 timestamp with T and Z or an offset is reported',
    (timestamp) => {
      // GIVEN a Wait state with a fixed time AWS does not accept
      const definition = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Timestamp: timestamp, End: true } } };
      // WHEN it is validated
      const problems = problemsOf(definition);
      // THEN the state and the value are named
      expect(problems.some((problem) => problem.startsWith('INVALID_TIMESTAMP') && problem.includes('"Wait"') && problem.includes(timestamp))).toBe(true);
    },
  );

  test('A Wait state whose Timestamp has nanoseconds and an offset is valid', () => {
    // GIVEN a fixed time with nine fraction digits and a negative offset
    const definition = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Timestamp: '2024-12-05T21:29:29.243167252-05:00', End: true } } };
    // WHEN it is validated THEN nothing is reported
    expect(problemsOf(definition)).toEqual([]);
  });

  test('A Map state may read MaxConcurrencyPath, ToleratedFailureCountPath and ToleratedFailurePercentagePath', () => {
    // GIVEN a Map with every …Path limit
    const processor = { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } };
    const fields = { MaxConcurrencyPath: '$.ovens', ToleratedFailureCountPath: '$.count', ToleratedFailurePercentagePath: '$.percentage' };
    // WHEN it is validated THEN nothing is reported
    expect(problemsOf({ StartAt: 'Box Each', States: { 'Box Each': { Type: 'Map', ItemProcessor: processor, ...fields, End: true } } })).toEqual([]);
  });

  test('A Map state whose MaxConcurrency is not a whole number is reported', () => {
    // GIVEN a Map limited to one and a half iterations, which asl-validator lets through
    const processor = { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } };
    const definition = { StartAt: 'Box Each', States: { 'Box Each': { Type: 'Map', ItemProcessor: processor, MaxConcurrency: 1.5, End: true } } };
    // WHEN it is validated THEN the States Language's non-negative integer is asked for
    expect(problemsOf(definition).some((problem) => problem.startsWith('INVALID_MAX_CONCURRENCY') && problem.includes('"Box Each"'))).toBe(true);
  });

  test('A Map state with both MaxConcurrency and MaxConcurrencyPath is reported', () => {
    // GIVEN a Map with a fixed and a dynamic limit
    const processor = { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } };
    const definition = { StartAt: 'Box Each', States: { 'Box Each': { Type: 'Map', ItemProcessor: processor, MaxConcurrency: 2, MaxConcurrencyPath: '$.ovens', End: true } } };
    // WHEN it is validated THEN asl-validator reports the pair
    expect(problemsOf(definition).some((problem) => problem.startsWith('MAP_CONCURRENCY_ERROR'))).toBe(true);
  });

  test('Both TimeoutSeconds and TimeoutSecondsPath on one task is reported', () => {
    expect(problemsOf(taskWith({ TimeoutSeconds: 5, TimeoutSecondsPath: '$.t' })).some((problem) => problem.startsWith('TASK_TIMEOUT'))).toBe(true);
  });

  test('States.ALL alongside other error names is reported', () => {
    const problems = problemsOf(taskWith({ Catch: [{ ErrorEquals: ['States.ALL', 'OrderCancelled'], Next: 'Done' }] }));
    expect(problems.some((problem) => problem.startsWith('STATES_ALL_NOT_ALONE'))).toBe(true);
  });

  test('States.ALL in a retrier that is not the last is reported', () => {
    const problems = problemsOf(taskWith({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['DependencyUnavailable'] }] }));
    expect(problems.some((problem) => problem.startsWith('STATES_ALL_NOT_LAST'))).toBe(true);
  });

  test('The States.ALL rule applies inside Parallel branches too', () => {
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          End: true,
          Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Inner' }, { ErrorEquals: ['X'], Next: 'Inner' }] } } }],
        },
      },
    };
    expect(problemsOf(definition).some((problem) => problem.startsWith('STATES_ALL_NOT_LAST'))).toBe(true);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
  test('A JSONata state machine is accepted', () => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $states.input %}', End: true } } };
    expect(problemsOf(definition)).toEqual([]);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
  test('A JSONata state machine may not hold a JSONPath state', () => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } } };
    expect(problemsOf(definition)).toEqual([expect.stringContaining('cannot use JSONPath')]);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html (JSONata states have Arguments and Output, not the five JSONPath fields)
  test.each(['InputPath', 'Parameters', 'ResultPath', 'OutputPath'])('A JSONata state may not use %s', (field) => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', [field]: '$', End: true } } };
    expect(problemsOf(definition)).toEqual([expect.stringContaining(`'${field}' is not supported in JSONata states`)]);
  });

  test('A JSONata expression that does not parse is refused at creation', () => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $states.input.( %}', End: true } } };
    expect(problemsOf(definition).some((problem) => problem.startsWith('INVALID_JSONATA'))).toBe(true);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html (variable names; $states is reserved)
  test.each(['states', '1st', 'order-id'])('Assign refuses the variable name %j', (name) => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Assign: { [name]: 1 }, End: true } } };
    expect(problemsOf(definition).some((problem) => problem.startsWith('INVALID_VARIABLE_NAME'))).toBe(true);
  });

  test('The error message lists every problem', () => {
    expect(() => validateDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } })).toThrow(/MISSING_TRANSITION_TARGET[\s\S]*MISSING_TERMINAL_STATE/);
  });
});
