import { pathExists } from './paths';
import { selectPath } from './select';
import { parseTimestamp } from './timestamps';
import { StatesError, type ChoiceRule, type ChoiceState, type ContextObject, type Json } from './types';

type Comparator = (value: Json, expected: Json) => boolean;

const strings = (test: (a: string, b: string) => boolean): Comparator => (value, expected) =>
  typeof value === 'string' && typeof expected === 'string' && test(value, expected);

const numbers = (test: (a: number, b: number) => boolean): Comparator => (value, expected) =>
  typeof value === 'number' && typeof expected === 'number' && test(value, expected);

const timestamps = (test: (a: number, b: number) => boolean): Comparator => (value, expected) => {
  const [a, b] = [parseTimestamp(value), parseTimestamp(expected)];
  return a !== undefined && b !== undefined && test(a, b);
};

/** `*` matches any run of characters; `\*` and `\\` stand for a literal asterisk and backslash. */
function wildcardMatches(value: string, pattern: string): boolean {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    if (char === '\\' && index + 1 < pattern.length) {
      index += 1;
      source += pattern[index].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (char === '*') {
      source += '[\\s\\S]*';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`).test(value);
}

const comparators: Record<string, Comparator> = {
  StringEquals: strings((a, b) => a === b),
  StringLessThan: strings((a, b) => a < b),
  StringGreaterThan: strings((a, b) => a > b),
  StringLessThanEquals: strings((a, b) => a <= b),
  StringGreaterThanEquals: strings((a, b) => a >= b),
  StringMatches: strings(wildcardMatches),
  NumericEquals: numbers((a, b) => a === b),
  NumericLessThan: numbers((a, b) => a < b),
  NumericGreaterThan: numbers((a, b) => a > b),
  NumericLessThanEquals: numbers((a, b) => a <= b),
  NumericGreaterThanEquals: numbers((a, b) => a >= b),
  BooleanEquals: (value, expected) => typeof value === 'boolean' && value === expected,
  TimestampEquals: timestamps((a, b) => a === b),
  TimestampLessThan: timestamps((a, b) => a < b),
  TimestampGreaterThan: timestamps((a, b) => a > b),
  TimestampLessThanEquals: timestamps((a, b) => a <= b),
  TimestampGreaterThanEquals: timestamps((a, b) => a >= b),
};

const typeTests: Record<string, (value: Json) => boolean> = {
  IsNull: (value) => value === null,
  IsNumeric: (value) => typeof value === 'number',
  IsString: (value) => typeof value === 'string',
  IsBoolean: (value) => typeof value === 'boolean',
  IsTimestamp: (value) => parseTimestamp(value) !== undefined,
};

function operatorOf(rule: ChoiceRule): string {
  const operator = Object.keys(rule).find((key) => key in comparators || key in typeTests || key === 'IsPresent' || (key.endsWith('Path') && key.slice(0, -4) in comparators));
  if (operator === undefined) throw new StatesError('States.Runtime', `The choice rule ${JSON.stringify(rule)} has no comparison operator.`);
  return operator;
}

function matches(rule: ChoiceRule, input: Json, context: ContextObject): boolean {
  if (rule.And !== undefined) return rule.And.every((inner) => matches(inner, input, context));
  if (rule.Or !== undefined) return rule.Or.some((inner) => matches(inner, input, context));
  if (rule.Not !== undefined) return !matches(rule.Not, input, context);
  const variable = rule.Variable;
  if (variable === undefined) throw new StatesError('States.Runtime', `The choice rule ${JSON.stringify(rule)} has no Variable.`);
  const operator = operatorOf(rule);
  const operand = rule[operator] as Json;
  if (operator === 'IsPresent') return pathExists(variable, input, context) === operand;
  // Every other operator needs the variable: AWS fails the execution when it is missing.
  const value = selectPath(variable, input, context);
  if (operator in typeTests) return typeTests[operator](value) === operand;
  if (operator in comparators) return comparators[operator](value, operand);
  if (typeof operand !== 'string') throw new StatesError('States.Runtime', `The value of ${operator} must be a path, got ${JSON.stringify(operand)}.`);
  return comparators[operator.slice(0, -4)](value, selectPath(operand, input, context));
}

/** The first matching choice rule, or undefined when none matches. */
export function matchingRule(state: ChoiceState, input: Json, context: ContextObject): ChoiceRule | undefined {
  return state.Choices.find((candidate) => matches(candidate, input, context));
}

export function noChoiceMatched(): never {
  throw new StatesError('States.NoChoiceMatched', 'No choice rule matched the input and the Choice state has no Default.');
}

/** The Next of the first matching choice rule, else Default; States.NoChoiceMatched when neither exists. */
export function chooseNext(state: ChoiceState, input: Json, context: ContextObject): string {
  const rule = matchingRule(state, input, context);
  if (rule?.Next !== undefined) return rule.Next;
  if (state.Default !== undefined) return state.Default;
  return noChoiceMatched();
}
