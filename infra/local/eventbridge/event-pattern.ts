import { invalidEventPattern } from './errors';
import { cidrMembership } from './ip-address';

// No npm library was good enough to build on: `eb-patterns`, the one that implemented TestEventPattern in
// JavaScript, is no longer on the registry, and serverless-offline-aws-eventbridge keeps its matcher inside a
// Serverless Framework plugin, without the newer operators (wildcard, $or, equals-ignore-case, anything-but
// suffix and wildcard). So this is a compact compiler and matcher of the operators the EventBridge user guide lists,
// with the validation messages of aws/event-ruler, the library EventBridge matches with.

/** A value at the end of a path in an event: what the operators compare. */
type Leaf = string | number | boolean | null;
type Test = (value: Leaf) => boolean;
/** Decides a field from all its leaf values: none when it is absent or an object, several when it is an array. */
type FieldMatcher = (values: Leaf[]) => boolean;

type FieldPattern = { name: string; matchers: FieldMatcher[] } | { name: string; object: ObjectPattern };

interface ObjectPattern {
  fields: FieldPattern[];
  /** Each `$or` at this level: the event must match at least one of its branches. */
  ors: ObjectPattern[][];
}

const OR = '$or';
const operators = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'];
const numericLimit = 5e9;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isLeaf = (value: unknown): value is Leaf => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const describe = (value: unknown) => JSON.stringify(value) ?? String(value);

/** A compiled event pattern. */
export class EventPattern {
  private constructor(private readonly root: ObjectPattern) {}

  /** Compiles the JSON text of a pattern, or throws InvalidEventPatternException saying what is wrong with it. */
  static parse(text: string): EventPattern {
    let source: unknown;
    try {
      source = JSON.parse(text);
    } catch (error) {
      throw invalidEventPattern((error as Error).message);
    }
    if (!isObject(source)) throw invalidEventPattern('Filter is not an object');
    return new EventPattern(compileObject(source, false));
  }

  matches(event: unknown): boolean {
    return matchObject(this.root, event);
  }
}

function compileObject(source: Record<string, unknown>, insideOr: boolean): ObjectPattern {
  const entries = Object.entries(source);
  if (entries.length === 0) throw invalidEventPattern('Empty objects are not allowed');
  const pattern: ObjectPattern = { fields: [], ors: [] };
  for (const [name, value] of entries) {
    if (name === OR) {
      pattern.ors.push(compileOr(value));
    } else if (insideOr && operators.includes(name)) {
      throw invalidEventPattern(`${name} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    } else if (Array.isArray(value)) {
      pattern.fields.push({ name, matchers: compileValues(value) });
    } else if (isObject(value)) {
      pattern.fields.push({ name, object: compileObject(value, insideOr) });
    } else {
      throw invalidEventPattern(`"${name}" must be an object or an array`);
    }
  }
  return pattern;
}

function compileOr(branches: unknown): ObjectPattern[] {
  if (!Array.isArray(branches)) throw invalidEventPattern(`It must be an Array followed with ${OR}.`);
  if (!branches.every(isObject)) throw invalidEventPattern(`Only JSON object is allowed in array of ${OR} relationship.`);
  if (branches.length < 2) throw invalidEventPattern(`There must have at least 2 Objects in ${OR} relationship.`);
  return branches.map((branch) => compileObject(branch, true));
}

function compileValues(values: unknown[]): FieldMatcher[] {
  if (values.length === 0) throw invalidEventPattern('Empty arrays are not allowed');
  return values.map((value) => {
    if (isObject(value)) return compileExpression(value);
    if (!isLeaf(value)) throw invalidEventPattern('Match value must be String, number, true, false, or null');
    return anyValue((leaf) => leaf === value);
  });
}

const anyValue =
  (test: Test): FieldMatcher =>
  (values) =>
    values.some(test);

function compileExpression(expression: Record<string, unknown>): FieldMatcher {
  const [operator, ...others] = Object.keys(expression);
  if (operator === undefined) throw invalidEventPattern('Match expression name not found');
  if (!operators.includes(operator)) throw invalidEventPattern(`Unrecognized match type ${operator}`);
  if (others.length > 0) throw invalidEventPattern('Only one key allowed in match expression');
  const operand = expression[operator];
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') throw invalidEventPattern('exists match pattern must be either true or false.');
      return (values) => (values.length > 0) === operand;
    case 'prefix':
    case 'suffix':
      return anyValue(compileAffix(operator, operand));
    case 'anything-but':
      return anyValue(compileAnythingBut(operand));
    case 'numeric':
      return anyValue(compileNumeric(operand));
    case 'cidr': {
      const inBlock = typeof operand === 'string' ? cidrMembership(operand) : undefined;
      if (!inBlock) throw invalidEventPattern(`cidr match pattern must be an IPv4 or IPv6 CIDR block such as 10.0.0.0/24, got ${describe(operand)}`);
      return anyValue((value) => typeof value === 'string' && inBlock(value));
    }
    default:
      return anyValue(stringTest(operator, operand));
  }
}

/** The string operators that also stand inside `anything-but`: what they match, given their operand. */
const stringTests: Record<string, (operand: string) => (value: string) => boolean> = {
  prefix: (prefix) => (value) => value.startsWith(prefix),
  suffix: (suffix) => (value) => value.endsWith(suffix),
  'equals-ignore-case': (expected) => (value) => value.toLowerCase() === expected.toLowerCase(),
  wildcard: (pattern) => {
    const regex = wildcardRegExp(pattern);
    return (value) => regex.test(value);
  },
};

function stringTest(operator: string, operand: unknown): Test {
  if (typeof operand !== 'string') throw invalidEventPattern(`${operator} match pattern must be a string`);
  const test = stringTests[operator](operand);
  return (value) => typeof value === 'string' && test(value);
}

/** `prefix` and `suffix` take a string, or `{ "equals-ignore-case": string }` to ignore case. */
function compileAffix(operator: 'prefix' | 'suffix', operand: unknown): Test {
  if (!isObject(operand)) return stringTest(operator, operand);
  const [inner, ...others] = Object.keys(operand);
  if (inner === undefined) throw invalidEventPattern(`${operator === 'prefix' ? 'Prefix' : 'Suffix'} expression name not found`);
  if (inner !== 'equals-ignore-case') throw invalidEventPattern(`Unsupported ${operator} pattern: ${inner}`);
  if (others.length > 0) throw invalidEventPattern('Only one key allowed in match expression');
  const affix = operand[inner];
  if (typeof affix !== 'string') throw invalidEventPattern('equals-ignore-case match pattern must be a string');
  const test = stringTests[operator](affix.toLowerCase());
  return (value) => typeof value === 'string' && test(value.toLowerCase());
}

/**
 * `anything-but` takes a string or number, a list of only strings or only numbers, or one of prefix, suffix,
 * equals-ignore-case and wildcard with a string or a list of strings. It matches a value that none of them matches.
 */
function compileAnythingBut(operand: unknown): Test {
  if (isObject(operand)) {
    const [inner, ...others] = Object.keys(operand);
    if (inner === undefined) throw invalidEventPattern('Anything-But expression name not found');
    if (!(inner in stringTests)) throw invalidEventPattern(`Unsupported anything-but pattern: ${inner}`);
    if (others.length > 0) throw invalidEventPattern('Only one key allowed in match expression');
    const values = [operand[inner]].flat();
    if (values.length === 0) throw invalidEventPattern('Empty arrays are not allowed');
    const tests = values.map((value) => {
      if ((inner === 'prefix' || inner === 'suffix') && value === '') throw invalidEventPattern('Null prefix/suffix not allowed');
      return stringTest(inner, value);
    });
    return (value) => !tests.some((test) => test(value));
  }
  if (!Array.isArray(operand) && typeof operand !== 'string' && typeof operand !== 'number') {
    throw invalidEventPattern('Value of anything-but must be an array or single string/number value.');
  }
  const values: unknown[] = [operand].flat();
  const allStrings = values.every((value) => typeof value === 'string');
  const allNumbers = values.every((value) => typeof value === 'number');
  if (values.length === 0 || (!allStrings && !allNumbers)) {
    throw invalidEventPattern('Inside anything-but list, either all values are number or string, mixed type is not supported');
  }
  if (allNumbers) values.forEach((value) => checkNumericLimit(value as number));
  const excluded = new Set<unknown>(values);
  return (value) => !excluded.has(value);
}

function checkNumericLimit(value: number): void {
  if (Math.abs(value) > numericLimit) throw invalidEventPattern(`Value must be between -5.0E9 and 5.0E9, inclusive, got ${value}`);
}

/** `[ "=", 5 ]`, `[ "<", 10 ]`, `[ "<=", 10 ]`, `[ ">", 0 ]`, `[ ">=", 0 ]`, or a lower bound then an upper one. */
function compileNumeric(terms: unknown): Test {
  if (!Array.isArray(terms)) throw invalidEventPattern('Value of numeric must be an array.');
  const [operator, bound] = terms as unknown[];
  if (typeof operator !== 'string') throw invalidEventPattern(`Invalid member in numeric match: ${describe(operator)}`);
  if (!['=', '<', '<=', '>', '>='].includes(operator)) throw invalidEventPattern(`Unrecognized numeric range operator: ${operator}`);
  const lower = numericTerm(operator, bound);
  const compare: Record<string, (value: number, limit: number) => boolean> = {
    '=': (value, limit) => value === limit,
    '<': (value, limit) => value < limit,
    '<=': (value, limit) => value <= limit,
    '>': (value, limit) => value > limit,
    '>=': (value, limit) => value >= limit,
  };
  const first = (value: number) => compare[operator](value, lower);
  if (terms.length === 2) return (value) => typeof value === 'number' && first(value);
  if (!operator.startsWith('>')) throw invalidEventPattern('Too many elements in numeric expression');
  const [, , upperOperator, upperBound] = terms as unknown[];
  if (typeof upperOperator !== 'string') throw invalidEventPattern(`Bad value in numeric range: ${describe(upperOperator)}`);
  if (upperOperator !== '<' && upperOperator !== '<=') throw invalidEventPattern(`Bad numeric range operator: ${upperOperator}`);
  const upper = numericTerm(upperOperator, upperBound);
  if (terms.length > 4) throw invalidEventPattern('Too many terms in numeric range expression');
  return (value) => typeof value === 'number' && first(value) && compare[upperOperator](value, upper);
}

function numericTerm(operator: string, bound: unknown): number {
  if (typeof bound !== 'number') throw invalidEventPattern(`Value of ${operator} must be numeric`);
  checkNumericLimit(bound);
  return bound;
}

/** `*` matches any run of characters; `\*` is a star and `\\` a backslash. */
function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === '*') {
      if (pattern[index + 1] === '*') throw invalidEventPattern(`Consecutive wildcard characters at pos ${index + 1}`);
      source += '.*';
    } else if (character === '\\') {
      const escaped = pattern[index + 1];
      if (escaped !== '*' && escaped !== '\\') throw invalidEventPattern(`Invalid escape character at pos ${index + 1}`);
      source += `\\${escaped}`;
      index++;
    } else {
      source += character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

/** Every leaf value of a field: arrays are flattened, and objects inside them are no leaf of this field. */
function leafValues(value: unknown): Leaf[] {
  if (Array.isArray(value)) return value.flat(Infinity).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

function matchObject(pattern: ObjectPattern, value: unknown): boolean {
  // Fields matched inside an array of objects must all come from one element of it, as EventBridge matches.
  if (Array.isArray(value)) {
    const elements: unknown[] = value.flat(Infinity);
    if (elements.length > 0) return elements.some((element) => matchObject(pattern, element));
  }
  const field = (name: string) => (isObject(value) && Object.hasOwn(value, name) ? value[name] : undefined);
  const matchField = (pattern: FieldPattern) =>
    'object' in pattern ? matchObject(pattern.object, field(pattern.name)) : pattern.matchers.some((matcher) => matcher(leafValues(field(pattern.name))));
  return pattern.fields.every(matchField) && pattern.ors.every((branches) => branches.some((branch) => matchObject(branch, value)));
}
