import { chooseNext, type ChoiceRule, type ChoiceState, type Json } from '../../../infra/local/engine/asl';
import { aContext, statesErrorOf } from './support';

/** A Choice state with one rule leading to "Matched" and a Default of "Other". */
const choice = (rule: ChoiceRule, fields: Partial<ChoiceState> = {}): ChoiceState => ({
  Type: 'Choice',
  Choices: [{ ...rule, Next: 'Matched' }],
  Default: 'Other',
  ...fields,
});

const context = aContext();

const picks = (rule: ChoiceRule, value: Json): string => chooseNext(choice({ Variable: '$.v', ...rule }), { v: value, other: value }, context);

describe('Comparison operators', () => {
  test.each<[string, Json, Json, boolean]>([
    ['StringEquals', 'lemon', 'lemon', true],
    ['StringEquals', 'lemon', 'Lemon', false],
    ['StringLessThan', 'apple', 'banana', true],
    ['StringLessThan', 'banana', 'banana', false],
    ['StringGreaterThan', 'banana', 'apple', true],
    ['StringLessThanEquals', 'banana', 'banana', true],
    ['StringGreaterThanEquals', 'banana', 'banana', true],
    ['StringGreaterThanEquals', 'apple', 'banana', false],
    ['NumericEquals', 3, 3, true],
    ['NumericEquals', 3, 3.5, false],
    ['NumericLessThan', 2, 3, true],
    ['NumericGreaterThan', 4, 3, true],
    ['NumericLessThanEquals', 3, 3, true],
    ['NumericGreaterThanEquals', 2, 3, false],
    ['BooleanEquals', true, true, true],
    ['BooleanEquals', false, true, false],
    ['TimestampEquals', '2001-01-01T12:00:00Z', '2001-01-01T13:00:00+01:00', true],
    ['TimestampLessThan', '2001-01-01T11:59:59Z', '2001-01-01T12:00:00Z', true],
    ['TimestampGreaterThan', '2001-01-01T12:00:00.001Z', '2001-01-01T12:00:00Z', true],
    ['TimestampLessThanEquals', '2001-01-01T12:00:00Z', '2001-01-01T12:00:00Z', true],
    ['TimestampGreaterThanEquals', '2001-01-01T11:00:00Z', '2001-01-01T12:00:00Z', false],
  ])('%s compares %j with %j as %s', (operator, value, operand, expected) => {
    expect(picks({ [operator]: operand }, value)).toBe(expected ? 'Matched' : 'Other');
  });

  test.each<[string, Json, Json]>([
    ['StringEquals', 3, '3'],
    ['NumericEquals', '3', 3],
    ['BooleanEquals', 'true', true],
    ['TimestampEquals', '2001-01-01 12:00:00', '2001-01-01T12:00:00Z'],
    ['TimestampEquals', '2001-01-01t12:00:00z', '2001-01-01T12:00:00Z'],
  ])('%s does not match a value of another type (%j)', (operator, value, operand) => {
    expect(picks({ [operator]: operand }, value)).toBe('Other');
  });

  test('StringEquals can match a timestamp, since timestamps are strings', () => {
    expect(picks({ StringEquals: '2001-01-01T12:00:00Z' }, '2001-01-01T12:00:00Z')).toBe('Matched');
  });

  test.each<[string, string, boolean]>([
    ['log-*.txt', 'log-2024.txt', true],
    ['log-*.txt', 'log-.txt', true],
    ['log-*.txt', 'log-2024.csv', false],
    ['*.log', 'zebra.log', true],
    ['foo*.*', 'foobar.zebra', true],
    ['a.c', 'abc', false],
    ['price \\* 2', 'price * 2', true],
    ['price \\* 2', 'price x 2', false],
    ['C:\\\\*', 'C:\\temp', true],
  ])('StringMatches %j against %j is %s', (pattern, value, expected) => {
    expect(picks({ StringMatches: pattern }, value)).toBe(expected ? 'Matched' : 'Other');
  });

  test.each([
    ['StringEqualsPath', 'lemon', 'lemon'],
    ['NumericGreaterThanPath', 5, 4],
    ['BooleanEqualsPath', true, true],
    ['TimestampLessThanEqualsPath', '2001-01-01T12:00:00Z', '2001-01-01T12:00:00Z'],
  ])('%s compares the variable with another field of the input', (operator, value, other) => {
    const state = choice({ Variable: '$.v', [operator]: '$.other' });
    expect(chooseNext(state, { v: value, other }, context)).toBe('Matched');
  });

  test('A …Path operand that matches nothing raises States.Runtime', () => {
    expect(statesErrorOf(() => chooseNext(choice({ Variable: '$.v', StringEqualsPath: '$.missing' }), { v: 'a' }, context)).error).toBe('States.Runtime');
  });
});

describe('Type tests', () => {
  test.each<[string, Json, boolean]>([
    ['IsNull', null, true],
    ['IsNull', 0, false],
    ['IsNumeric', 1.5, true],
    ['IsNumeric', '1.5', false],
    ['IsString', 'cake', true],
    ['IsString', 1, false],
    ['IsBoolean', false, true],
    ['IsBoolean', 'false', false],
    ['IsTimestamp', '2016-03-14T01:59:00Z', true],
    ['IsTimestamp', '2016-03-14T01:59:00.123+01:00', true],
    ['IsTimestamp', '2016-03-14', false],
    ['IsTimestamp', '2021-02-30T00:00:00Z', false],
  ])('%s of %j is %s', (operator, value, expected) => {
    expect(picks({ [operator]: true }, value)).toBe(expected ? 'Matched' : 'Other');
  });

  test('A type test set to false matches values of other types', () => {
    expect(picks({ IsNull: false }, 'not null')).toBe('Matched');
  });

  test('IsPresent true matches a field that exists, even when it is null', () => {
    expect(chooseNext(choice({ Variable: '$.v', IsPresent: true }), { v: null }, context)).toBe('Matched');
  });

  test('IsPresent false matches a missing field', () => {
    expect(chooseNext(choice({ Variable: '$.missing', IsPresent: false }), {}, context)).toBe('Matched');
  });

  test('A comparison on a missing variable raises States.Runtime', () => {
    expect(statesErrorOf(() => chooseNext(choice({ Variable: '$.type', StringEquals: 'Private' }), {}, context)).error).toBe('States.Runtime');
  });

  test('And with IsPresent first guards a comparison on a field that may be missing', () => {
    // GIVEN the documented guard pattern
    const state = choice({
      And: [
        { Variable: '$.keyThatMightNotExist', IsPresent: true },
        { Variable: '$.keyThatMightNotExist', StringEquals: 'foo' },
      ],
    });
    // WHEN the field is missing THEN the rule is simply false
    expect(chooseNext(state, {}, context)).toBe('Other');
  });
});

describe('Boolean combinations and rule order', () => {
  test('And matches only when every rule matches', () => {
    const state = choice({
      And: [
        { Variable: '$.value', NumericGreaterThanEquals: 20 },
        { Variable: '$.value', NumericLessThan: 30 },
      ],
    });
    expect(chooseNext(state, { value: 22 }, context)).toBe('Matched');
    expect(chooseNext(state, { value: 30 }, context)).toBe('Other');
  });

  test('Or matches when any rule matches', () => {
    const state = choice({
      Or: [
        { Variable: '$.cake', StringEquals: 'lemon' },
        { Variable: '$.cake', StringEquals: 'carrot' },
      ],
    });
    expect(chooseNext(state, { cake: 'carrot' }, context)).toBe('Matched');
  });

  test('Not inverts its rule', () => {
    expect(chooseNext(choice({ Not: { Variable: '$.type', StringEquals: 'Private' } }), { type: 'Public' }, context)).toBe('Matched');
  });

  test('The first matching rule decides, in the order listed', () => {
    const state: ChoiceState = {
      Type: 'Choice',
      Choices: [
        { Variable: '$.value', NumericGreaterThan: 10, Next: 'Big' },
        { Variable: '$.value', NumericGreaterThan: 0, Next: 'Positive' },
      ],
    };
    expect(chooseNext(state, { value: 22 }, context)).toBe('Big');
  });

  test('Default is taken when no rule matches', () => {
    expect(picks({ StringEquals: 'lemon' }, 'carrot')).toBe('Other');
  });

  test('No matching rule and no Default raises States.NoChoiceMatched', () => {
    const state = choice({ Variable: '$.v', StringEquals: 'lemon' }, { Default: undefined });
    expect(statesErrorOf(() => chooseNext(state, { v: 'carrot' }, context)).error).toBe('States.NoChoiceMatched');
  });

  test('A rule may read the context object', () => {
    const state = choice({ Variable: '$$.Execution.Name', StringMatches: 'order-*' });
    expect(chooseNext(state, {}, context)).toBe('Matched');
  });
});
