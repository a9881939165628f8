import { exceedsTolerance, maxConcurrency, toleratedFailures, type MapState } from '../../../infra/local/engine/asl';
import { aContext, statesErrorOf } from './support';

const context = aContext();
const map = (fields: Partial<MapState>): MapState => ({ Type: 'Map', ItemProcessor: { StartAt: 'Box', States: { Box: { Type: 'Pass', End: true } } }, End: true, ...fields });

describe('Map MaxConcurrency and MaxConcurrencyPath', () => {
  test('Without either field a Map runs every iteration at once', () => {
    // GIVEN a Map with no concurrency limit WHEN its limit is read THEN it is 0, no limit
    expect(maxConcurrency(map({}), {}, context)).toBe(0);
  });

  test('MaxConcurrency is taken as written', () => {
    expect(maxConcurrency(map({ MaxConcurrency: 3 }), {}, context)).toBe(3);
  });

  test('MaxConcurrencyPath reads the limit from the effective input', () => {
    // GIVEN the number of ovens in the input WHEN the limit is read THEN it is that number
    expect(maxConcurrency(map({ MaxConcurrencyPath: '$.ovens' }), { ovens: 2 }, context)).toBe(2);
  });

  test('MaxConcurrencyPath takes an integer written as a string, as AWS does', () => {
    expect(maxConcurrency(map({ MaxConcurrencyPath: '$.ovens' }), { ovens: '2' }, context)).toBe(2);
  });

  test.each([
    ['an object', {}, 'The MaxConcurrencyPath field refers to value "{}" which is not a valid integer: $.ovens'],
    ['text', 'NoNumber', 'The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: $.ovens'],
    ['a fraction', 1.5, 'The MaxConcurrencyPath field refers to value "1.5" which is not a valid integer: $.ovens'],
    ['null', null, 'The MaxConcurrencyPath field refers to value "null" which is not a valid integer: $.ovens'],
    ['a negative number', -1, "Expected non-negative integer for MaxConcurrency, got '-1' instead."],
  ])('A MaxConcurrencyPath value that is %s fails with States.Runtime and AWS’s cause', (_, ovens, cause) => {
    // GIVEN an invalid limit in the input WHEN it is read THEN the execution fails with States.Runtime
    const error = statesErrorOf(() => maxConcurrency(map({ MaxConcurrencyPath: '$.ovens' }), { ovens }, context));
    expect({ error: error.error, cause: error.cause }).toEqual({ error: 'States.Runtime', cause });
  });

  test('A MaxConcurrencyPath that matches nothing fails with States.Runtime', () => {
    expect(statesErrorOf(() => maxConcurrency(map({ MaxConcurrencyPath: '$.ovens' }), {}, context)).error).toBe('States.Runtime');
  });
});

describe('Map tolerated failures', () => {
  test('Without any tolerance field a Map tolerates nothing and keeps AWS’s first-failure behaviour', () => {
    expect(toleratedFailures(map({}), {}, context)).toBeUndefined();
  });

  test('ToleratedFailureCount and ToleratedFailurePercentage are taken as written', () => {
    expect(toleratedFailures(map({ ToleratedFailureCount: 2, ToleratedFailurePercentage: 12.5 }), {}, context)).toEqual({ count: 2, percentage: 12.5 });
  });

  test('The …Path fields read the thresholds from the effective input', () => {
    // GIVEN thresholds in the input WHEN they are read THEN the Map tolerates that many
    const state = map({ ToleratedFailureCountPath: '$.count', ToleratedFailurePercentagePath: '$.percentage' });
    expect(toleratedFailures(state, { count: 1, percentage: 50 }, context)).toEqual({ count: 1, percentage: 50 });
  });

  test.each([
    ['a fraction', { count: 1.5 }, 'The ToleratedFailureCountPath field refers to value "1.5" which is not a valid integer: $.count'],
    ['text', { count: 'some' }, 'The ToleratedFailureCountPath field refers to value "some" which is not a valid integer: $.count'],
    ['negative', { count: -1 }, 'ToleratedFailureCount cannot be negative.'],
  ])('A ToleratedFailureCountPath value that is %s fails with States.Runtime', (_, input, cause) => {
    const error = statesErrorOf(() => toleratedFailures(map({ ToleratedFailureCountPath: '$.count' }), input, context));
    expect({ error: error.error, cause: error.cause }).toEqual({ error: 'States.Runtime', cause });
  });

  test.each([
    ['over 100', { percentage: 101 }, 'ToleratedFailurePercentage must be between 0 and 100.'],
    ['negative', { percentage: -5 }, 'ToleratedFailurePercentage must be between 0 and 100.'],
    ['an array', { percentage: [10] }, 'The ToleratedFailurePercentagePath field refers to value "[10]" which is not a valid float: $.percentage'],
  ])('A ToleratedFailurePercentagePath value that is %s fails with States.Runtime', (_, input, cause) => {
    const error = statesErrorOf(() => toleratedFailures(map({ ToleratedFailurePercentagePath: '$.percentage' }), input, context));
    expect({ error: error.error, cause: error.cause }).toEqual({ error: 'States.Runtime', cause });
  });

  test('A tolerance path that matches nothing fails with States.Runtime', () => {
    expect(statesErrorOf(() => toleratedFailures(map({ ToleratedFailureCountPath: '$.count' }), {}, context)).error).toBe('States.Runtime');
  });

  test.each([
    [{ count: 1 }, 1, 4, false],
    [{ count: 1 }, 2, 4, true],
    [{ percentage: 50 }, 2, 4, false],
    [{ percentage: 50 }, 3, 4, true],
    [{ percentage: 0 }, 1, 100, true],
    [{ count: 5, percentage: 10 }, 2, 10, true],
    [{ percentage: 100 }, 4, 4, false],
  ])('Tolerance %j with %i failed of %i items is exceeded: %s', (tolerance, failed, total, exceeded) => {
    // GIVEN thresholds WHEN some items failed THEN the Map fails only past either threshold
    expect(exceedsTolerance(tolerance, failed, total)).toBe(exceeded);
  });
});
