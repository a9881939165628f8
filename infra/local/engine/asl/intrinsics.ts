import { createHash, randomUUID } from 'node:crypto';
import { selectPath } from './select';
import { StatesError, type ContextObject, type Json, type JsonObject } from './types';

/** A parsed argument. A string literal keeps its text split at unescaped `{}`, which only States.Format reads. */
type Argument =
  | { kind: 'literal'; value: Json; template?: string[] }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Argument[] };

const MAX_NESTING = 10;
const MAX_TEXT_LENGTH = 10_000;
const MAX_RANGE_ITEMS = 1000;
const INT32 = { min: -2147483648, max: 2147483647 };
const ESCAPABLE = new Set(["'", '{', '}', '\\']);
const LITERAL = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/;

function fail(message: string): never {
  throw new StatesError('States.Runtime', message);
}

class Parser {
  private position = 0;

  constructor(private readonly text: string) {}

  parse(): Argument {
    const call = this.call(1);
    this.skipSpaces();
    if (this.position !== this.text.length) this.error('unexpected text after the closing parenthesis');
    return call;
  }

  private error(problem: string): never {
    fail(`Invalid intrinsic function '${this.text}': ${problem} at character ${this.position + 1}.`);
  }

  private skipSpaces(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position += 1;
  }

  private call(depth: number): Argument {
    if (depth > MAX_NESTING) this.error(`more than ${MAX_NESTING} nested intrinsic functions`);
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.position))?.[0];
    if (name === undefined) this.error("expected a function name such as 'States.Format'");
    this.position += name.length;
    this.skipSpaces();
    if (this.text[this.position] !== '(') this.error("expected '('");
    this.position += 1;
    const args: Argument[] = [];
    this.skipSpaces();
    if (this.text[this.position] === ')') {
      this.position += 1;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(this.argument(depth));
      this.skipSpaces();
      const separator = this.text[this.position];
      this.position += 1;
      if (separator === ')') return { kind: 'call', name, args };
      if (separator !== ',') this.error("expected ',' or ')'");
    }
  }

  private argument(depth: number): Argument {
    this.skipSpaces();
    const rest = this.text.slice(this.position);
    if (rest.startsWith("'")) return this.string();
    if (rest.startsWith('$')) return this.path();
    if (rest.startsWith('States.')) return this.call(depth + 1);
    const token = /^[^,)\s]+/.exec(rest)?.[0] ?? '';
    if (!LITERAL.test(token)) this.error('expected a string, number, boolean, null, path or intrinsic function');
    this.position += token.length;
    return { kind: 'literal', value: JSON.parse(token) as Json };
  }

  private string(): Argument {
    this.position += 1;
    const template: string[] = [''];
    let value = '';
    for (;;) {
      const char = this.text[this.position];
      if (char === undefined) this.error('unterminated string');
      if (char === "'") {
        this.position += 1;
        return { kind: 'literal', value, template };
      }
      if (char === '\\') {
        const escaped = this.text[this.position + 1];
        if (escaped === undefined || !ESCAPABLE.has(escaped)) this.error("an open escape: '\\' must be followed by ', {, } or \\");
        value += escaped;
        template[template.length - 1] += escaped;
        this.position += 2;
      } else if (char === '{' && this.text[this.position + 1] === '}') {
        value += '{}';
        template.push('');
        this.position += 2;
      } else {
        value += char;
        template[template.length - 1] += char;
        this.position += 1;
      }
    }
  }

  /** A path runs to the next ',' or ')' that is not inside brackets, parentheses or quotes. */
  private path(): Argument {
    const start = this.position;
    let nesting = 0;
    let quote: string | undefined;
    for (; this.position < this.text.length; this.position += 1) {
      const char = this.text[this.position];
      if (quote !== undefined) {
        if (char === quote) quote = undefined;
      } else if (nesting > 0 && (char === "'" || char === '"')) {
        quote = char;
      } else if (char === '[' || char === '(') {
        nesting += 1;
      } else if ((char === ']' || char === ')') && nesting > 0) {
        nesting -= 1;
      } else if (char === ',' || char === ')') {
        break;
      }
    }
    return { kind: 'path', path: this.text.slice(start, this.position).trim() };
  }
}

function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A value as States.Format writes it. AWS does not write JSON here: strings are bare at any depth, an array
 * reads `[a, b]` and an object `{key=value, key=value}`, the way Java prints a list and a map.
 */
function formatted(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatted).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([key, item]) => `${key}=${formatted(item)}`).join(', ')}}`;
  return JSON.stringify(value);
}

function typeName(value: Json): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function arity(name: string, args: readonly Json[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    fail(`${name} takes ${expected} argument(s), got ${args.length}.`);
  }
}

function stringArg(name: string, args: readonly Json[], index: number): string {
  const value = args[index];
  if (typeof value !== 'string') fail(`${name} argument ${index + 1} must be a string, got ${typeName(value)}.`);
  return value;
}

function arrayArg(name: string, args: readonly Json[], index: number): Json[] {
  const value = args[index];
  if (!Array.isArray(value)) fail(`${name} argument ${index + 1} must be an array, got ${typeName(value)}.`);
  return value;
}

function objectArg(name: string, args: readonly Json[], index: number): JsonObject {
  const value = args[index];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${name} argument ${index + 1} must be an object, got ${typeName(value)}.`);
  }
  return value;
}

/** AWS rounds a non-integer number to the nearest integer wherever it expects one. */
function integerArg(name: string, args: readonly Json[], index: number): number {
  const value = args[index];
  if (typeof value !== 'number') fail(`${name} argument ${index + 1} must be a number, got ${typeName(value)}.`);
  return Math.round(value);
}

function limitedText(name: string, text: string): string {
  if (text.length > MAX_TEXT_LENGTH) fail(`${name} accepts at most ${MAX_TEXT_LENGTH} characters, got ${text.length}.`);
  return text;
}

/** A small seeded generator (mulberry32): the same seed gives the same numbers, as AWS documents. */
function seededRandom(seed: Json): () => number {
  let state = 0;
  for (const char of canonical(seed)) state = (Math.imul(state, 31) + char.charCodeAt(0)) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HASH_ALGORITHMS: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type IntrinsicFunction = (args: Json[], template: string[] | undefined) => Json;

const functions: Record<string, IntrinsicFunction> = {
  'States.Format': (args, literalTemplate) => {
    arity('States.Format', args, 1, Infinity);
    const template = literalTemplate ?? stringArg('States.Format', args, 0).split('{}');
    const values = args.slice(1);
    if (values.length !== template.length - 1) {
      fail(`States.Format has ${template.length - 1} placeholder(s) '{}' but ${values.length} value(s).`);
    }
    return template.reduce((text, part, index) => (index === 0 ? part : `${text}${formatted(values[index - 1])}${part}`), '');
  },
  'States.StringToJson': (args) => {
    arity('States.StringToJson', args, 1);
    // AWS answers null for null and for a string with no JSON text in it, where a JSON parser would fail.
    if (args[0] === null) return null;
    const text = stringArg('States.StringToJson', args, 0);
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as Json;
    } catch {
      return fail(`States.StringToJson could not parse ${JSON.stringify(text)} as JSON.`);
    }
  },
  'States.JsonToString': (args) => {
    arity('States.JsonToString', args, 1);
    return JSON.stringify(args[0]);
  },
  'States.Array': (args) => args,
  'States.ArrayPartition': (args) => {
    arity('States.ArrayPartition', args, 2);
    const array = arrayArg('States.ArrayPartition', args, 0);
    const size = integerArg('States.ArrayPartition', args, 1);
    if (size <= 0) fail(`States.ArrayPartition chunk size must be a positive integer, got ${String(args[1])}.`);
    const chunks: Json[] = [];
    for (let start = 0; start < array.length; start += size) chunks.push(array.slice(start, start + size));
    return chunks;
  },
  'States.ArrayContains': (args) => {
    arity('States.ArrayContains', args, 2);
    const wanted = canonical(args[1]);
    return arrayArg('States.ArrayContains', args, 0).some((item) => canonical(item) === wanted);
  },
  'States.ArrayRange': (args) => {
    arity('States.ArrayRange', args, 3);
    const [start, end, step] = [0, 1, 2].map((index) => integerArg('States.ArrayRange', args, index));
    if (step === 0) fail('States.ArrayRange step must not be zero.');
    const count = Math.floor((end - start) / step) + 1;
    if (count > MAX_RANGE_ITEMS) fail(`States.ArrayRange would create ${count} items; the limit is ${MAX_RANGE_ITEMS}.`);
    return Array.from({ length: Math.max(count, 0) }, (_, index) => start + index * step);
  },
  'States.ArrayGetItem': (args) => {
    arity('States.ArrayGetItem', args, 2);
    const array = arrayArg('States.ArrayGetItem', args, 0);
    const index = integerArg('States.ArrayGetItem', args, 1);
    if (index < 0 || index >= array.length) fail(`States.ArrayGetItem index ${index} is outside an array of ${array.length} item(s).`);
    return array[index];
  },
  'States.ArrayLength': (args) => {
    arity('States.ArrayLength', args, 1);
    return arrayArg('States.ArrayLength', args, 0).length;
  },
  'States.ArrayUnique': (args) => {
    arity('States.ArrayUnique', args, 1);
    const seen = new Set<string>();
    return arrayArg('States.ArrayUnique', args, 0).filter((item) => {
      const key = canonical(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  'States.Base64Encode': (args) => {
    arity('States.Base64Encode', args, 1);
    return Buffer.from(limitedText('States.Base64Encode', stringArg('States.Base64Encode', args, 0)), 'utf8').toString('base64');
  },
  'States.Base64Decode': (args) => {
    arity('States.Base64Decode', args, 1);
    const encoded = limitedText('States.Base64Decode', stringArg('States.Base64Decode', args, 0));
    if (!BASE64.test(encoded)) fail('States.Base64Decode was given a string that is not Base64.');
    return Buffer.from(encoded, 'base64').toString('utf8');
  },
  'States.Hash': (args) => {
    arity('States.Hash', args, 2);
    const data = limitedText('States.Hash', stringArg('States.Hash', args, 0));
    const algorithm = HASH_ALGORITHMS[stringArg('States.Hash', args, 1)];
    if (algorithm === undefined) fail(`States.Hash algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}, got ${String(args[1])}.`);
    return createHash(algorithm).update(data, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args) => {
    arity('States.JsonMerge', args, 3);
    const [first, second] = [objectArg('States.JsonMerge', args, 0), objectArg('States.JsonMerge', args, 1)];
    if (args[2] !== false) fail('States.JsonMerge supports only shallow merging: its third argument must be false.');
    return { ...first, ...second };
  },
  'States.MathRandom': (args) => {
    arity('States.MathRandom', args, 2, 3);
    const start = integerArg('States.MathRandom', args, 0);
    const end = integerArg('States.MathRandom', args, 1);
    if (end <= start) fail(`States.MathRandom end (${end}) must be greater than start (${start}).`);
    const random = args.length === 3 ? seededRandom(args[2]) : Math.random;
    return start + Math.floor(random() * (end - start));
  },
  'States.MathAdd': (args) => {
    arity('States.MathAdd', args, 2);
    const [first, second] = [integerArg('States.MathAdd', args, 0), integerArg('States.MathAdd', args, 1)];
    for (const value of [first, second]) {
      if (value < INT32.min || value > INT32.max) fail(`States.MathAdd accepts integers from ${INT32.min} to ${INT32.max}, got ${value}.`);
    }
    return first + second;
  },
  'States.StringSplit': (args) => {
    arity('States.StringSplit', args, 2);
    const text = stringArg('States.StringSplit', args, 0);
    const delimiters = new Set(stringArg('States.StringSplit', args, 1));
    const parts: string[] = [''];
    for (const char of text) {
      if (delimiters.has(char)) parts.push('');
      else parts[parts.length - 1] += char;
    }
    return parts.filter((part) => part !== '');
  },
  'States.UUID': (args) => {
    arity('States.UUID', args, 0);
    return randomUUID();
  },
};

/** Evaluates an intrinsic function such as `States.Format('Order {}', $.orderId)`; paths read `input` or, with `$$`, `context`. */
export function evaluateIntrinsic(expression: string, input: Json, context?: ContextObject): Json {
  const evaluate = (argument: Argument): Json => {
    if (argument.kind === 'literal') return argument.value;
    if (argument.kind === 'path') return selectPath(argument.path, input, context);
    const implementation = functions[argument.name];
    if (implementation === undefined) fail(`Unknown intrinsic function '${argument.name}'.`);
    const first = argument.args[0];
    const template = argument.name === 'States.Format' && first?.kind === 'literal' ? first.template : undefined;
    return implementation(argument.args.map(evaluate), template);
  };
  return evaluate(new Parser(expression.trim()).parse());
}
