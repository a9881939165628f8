import { evaluateIntrinsic } from '../../../infra/local/engine/asl';
import { aContext, statesErrorOf } from './support';

const evaluate = (expression: string, input: object = {}) => evaluateIntrinsic(expression, input as never, aContext());
const errorOf = (expression: string, input: object = {}) => statesErrorOf(() => evaluate(expression, input));

describe('States.Format', () => {
  test('States.Format replaces each {} with the matching argument', () => {
    expect(evaluate("States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' })).toBe('Hello, my name is Arnav.');
  });

  test('States.Format takes its template from a path', () => {
    expect(evaluate('States.Format($.template, $.name)', { template: 'Hello, my name is {}.', name: 'Arnav' })).toBe('Hello, my name is Arnav.');
  });

  test('States.Format writes numbers, booleans and null as text', () => {
    expect(evaluate("States.Format('{} {} {} {}', 1, 2.5, true, null)")).toBe('1 2.5 true null');
  });

  test('States.Format treats escaped braces as literal text, not a placeholder', () => {
    expect(evaluate("States.Format('\\{\\} {}', 'x')")).toBe('{} x');
  });

  test('Escaped quotes and backslashes in string literals stand for themselves', () => {
    expect(evaluate("States.Format('it\\'s a \\\\ {}', 'x')")).toBe("it's a \\ x");
  });

  test('Commas and parentheses inside string literals do not end the argument', () => {
    expect(evaluate("States.Format('a, b) {}', 'c')")).toBe('a, b) c');
  });

  test('States.Format with fewer arguments than placeholders raises States.Runtime', () => {
    expect(errorOf("States.Format('{} and {}', 'one')").error).toBe('States.Runtime');
  });

  test('States.Format writes an object as AWS does, key=value pairs in braces, not as JSON', () => {
    // GIVEN an order object with a number and an empty list
    const input = { order: { Arg1: 1, Arg2: [] } };

    // WHEN it is formatted into text
    const text = evaluate("States.Format('Order {}.', $.order)", input);

    // THEN it reads as AWS renders it (recorded on AWS by LocalStack's test_format_2)
    expect(text).toBe('Order {Arg1=1, Arg2=[]}.');
  });

  test('States.Format writes arrays and nested values without JSON quotes', () => {
    // GIVEN a cake with nested layers, a string list, a null and a boolean
    const input = { cake: { name: 'Lemon Drizzle', layers: [{ flavour: 'lemon', grams: 1.5 }], tags: ['vegan', 'gift'], note: null, boxed: true } };

    // WHEN the cake and its tags are formatted
    const text = evaluate("States.Format('{} / {}', $.cake, $.cake.tags)", input);

    // THEN strings stay bare, numbers, booleans and null are their JSON text, in the input's key order
    expect(text).toBe('{name=Lemon Drizzle, layers=[{flavour=lemon, grams=1.5}], tags=[vegan, gift], note=null, boxed=true} / [vegan, gift]');
  });

  test('An open escape backslash raises States.Runtime', () => {
    expect(errorOf("States.Format('a \\q')").error).toBe('States.Runtime');
  });
});

describe('JSON functions', () => {
  test('States.StringToJson parses an escaped JSON string', () => {
    expect(evaluate('States.StringToJson($.escapedJsonString)', { escapedJsonString: '{"foo": "bar"}' })).toEqual({ foo: 'bar' });
  });

  test('States.StringToJson turns a substituted number setting back into a number', () => {
    expect(evaluate("States.StringToJson('86400')")).toBe(86400);
  });

  test('States.StringToJson of an empty or blank string is null, as on AWS', () => {
    // GIVEN strings with no JSON text in them
    // WHEN each is parsed
    // THEN AWS answers null rather than failing (recorded on AWS by LocalStack's test_string_to_json)
    expect(evaluate('States.StringToJson($.text)', { text: '' })).toBeNull();
    expect(evaluate('States.StringToJson($.text)', { text: ' ' })).toBeNull();
  });

  test('States.StringToJson of null is null', () => {
    // GIVEN a field holding null
    // WHEN it is parsed
    // THEN the result is null too
    expect(evaluate('States.StringToJson($.text)', { text: null })).toBeNull();
  });

  test('States.StringToJson of a number that is not a string raises States.Runtime', () => {
    // GIVEN a number where an escaped JSON string belongs
    // WHEN it is parsed
    // THEN the execution fails with States.Runtime
    expect(errorOf('States.StringToJson($.text)', { text: 86400 }).error).toBe('States.Runtime');
  });

  test('States.StringToJson of text that is not JSON raises States.Runtime', () => {
    expect(errorOf("States.StringToJson('not json')").error).toBe('States.Runtime');
  });

  test('States.JsonToString writes the selected data as compact JSON', () => {
    expect(evaluate('States.JsonToString($.unescapedJson)', { unescapedJson: { foo: 'bar' } })).toBe('{"foo":"bar"}');
  });

  test('States.JsonMerge merges shallowly, the second object winning', () => {
    const input = { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } };
    expect(evaluate('States.JsonMerge($.json1, $.json2, false)', input)).toEqual({ a: { a3: 1, a4: 2 }, b: 2, c: 3 });
  });

  test('States.JsonMerge refuses deep merging', () => {
    expect(errorOf('States.JsonMerge($.a, $.b, true)', { a: {}, b: {} }).error).toBe('States.Runtime');
  });
});

describe('Array functions', () => {
  test('States.Array collects its arguments into an array', () => {
    expect(evaluate("States.Array($.Id, 'two', 3, null)", { Id: 123456 })).toEqual([123456, 'two', 3, null]);
  });

  test('States.Array with no arguments is an empty array', () => {
    expect(evaluate('States.Array()')).toEqual([]);
  });

  test('States.ArrayPartition splits into chunks of the given size', () => {
    expect(evaluate('States.ArrayPartition($.inputArray, 4)', { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
  });

  test('States.ArrayPartition rejects a chunk size of zero', () => {
    expect(errorOf('States.ArrayPartition($.a, 0)', { a: [1] }).error).toBe('States.Runtime');
  });

  test('States.ArrayContains finds a value by deep equality', () => {
    expect(evaluate('States.ArrayContains($.a, $.v)', { a: [1, { cake: 'lemon' }], v: { cake: 'lemon' } })).toBe(true);
    expect(evaluate('States.ArrayContains($.a, 5)', { a: [1, 2] })).toBe(false);
  });

  test('States.ArrayRange counts from start to end inclusive by the step', () => {
    expect(evaluate('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
  });

  test('States.ArrayRange counts down with a negative step', () => {
    expect(evaluate('States.ArrayRange(9, 1, -3)')).toEqual([9, 6, 3]);
  });

  test('States.ArrayRange rejects a zero step', () => {
    expect(errorOf('States.ArrayRange(1, 9, 0)').error).toBe('States.Runtime');
  });

  test('States.ArrayRange refuses to build more than 1000 items', () => {
    expect(evaluate('States.ArrayRange(1, 1000, 1)')).toHaveLength(1000);
    expect(errorOf('States.ArrayRange(0, 1000, 1)').error).toBe('States.Runtime');
  });

  test('States.ArrayGetItem returns the item at the index', () => {
    expect(evaluate('States.ArrayGetItem($.inputArray, $.index)', { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 5 })).toBe(6);
  });

  test('States.ArrayGetItem outside the array raises States.Runtime', () => {
    expect(errorOf('States.ArrayGetItem($.a, 3)', { a: [1] }).error).toBe('States.Runtime');
  });

  test('States.ArrayLength counts the items', () => {
    expect(evaluate('States.ArrayLength($.a)', { a: [1, 2, 3] })).toBe(3);
  });

  test('States.ArrayUnique removes duplicates, keeping first occurrences in order', () => {
    expect(evaluate('States.ArrayUnique($.a)', { a: [1, 2, 3, 3, 3, 3, 3, 3, 4, { x: 1 }, { x: 1 }] })).toEqual([1, 2, 3, 4, { x: 1 }]);
  });

  test('An array function given something else raises States.Runtime', () => {
    expect(errorOf('States.ArrayLength($.a)', { a: 'abc' }).error).toBe('States.Runtime');
  });
});

describe('Encoding and hashing', () => {
  test('States.Base64Encode encodes text as MIME Base64', () => {
    expect(evaluate('States.Base64Encode($.input)', { input: 'Data to encode' })).toBe('RGF0YSB0byBlbmNvZGU=');
  });

  test('States.Base64Decode decodes MIME Base64 to text', () => {
    expect(evaluate('States.Base64Decode($.base64)', { base64: 'RGF0YSB0byBlbmNvZGU=' })).toBe('Data to encode');
  });

  test('States.Base64Encode refuses text over 10,000 characters', () => {
    expect(errorOf('States.Base64Encode($.s)', { s: 'a'.repeat(10_001) }).error).toBe('States.Runtime');
  });

  test('States.Base64Decode refuses text that is not Base64', () => {
    expect(errorOf("States.Base64Decode('not base64!')").error).toBe('States.Runtime');
  });

  test.each([
    ['MD5', '812f45842bc6d66ee14572ce20db8e86'],
    ['SHA-1', 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
  ])('States.Hash computes the %s digest in lowercase hex', (algorithm, digest) => {
    expect(evaluate('States.Hash($.Data, $.Algorithm)', { Data: 'input data', Algorithm: algorithm })).toBe(digest);
  });

  test.each([
    ['SHA-256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['SHA-384', 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
    [
      'SHA-512',
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    ],
  ])('States.Hash computes the %s digest of the standard test vector', (algorithm, digest) => {
    expect(evaluate(`States.Hash('abc', '${algorithm}')`)).toBe(digest);
  });

  test('States.Hash rejects an unknown algorithm', () => {
    expect(errorOf("States.Hash('abc', 'SHA-3')").error).toBe('States.Runtime');
  });
});

describe('Math, strings and identifiers', () => {
  test('States.MathRandom returns an integer from start inclusive to end exclusive', () => {
    const values = Array.from({ length: 200 }, () => evaluate('States.MathRandom(1, 4)') as number);
    expect(values.every((value) => Number.isInteger(value) && value >= 1 && value < 4)).toBe(true);
  });

  test('States.MathRandom with the same seed returns the same number', () => {
    const first = evaluate('States.MathRandom(1, 1000000, 7)');
    expect(evaluate('States.MathRandom(1, 1000000, 7)')).toBe(first);
  });

  test('States.MathAdd adds two integers', () => {
    expect(evaluate('States.MathAdd($.value1, $.step)', { value1: 111, step: -1 })).toBe(110);
  });

  test('States.MathAdd rounds non-integers to the nearest integer first', () => {
    expect(evaluate('States.MathAdd(1.6, 1)')).toBe(3);
  });

  test('States.MathAdd rejects values outside the 32-bit integer range', () => {
    expect(errorOf('States.MathAdd(2147483648, 1)').error).toBe('States.Runtime');
  });

  test('States.StringSplit splits at the delimiting character', () => {
    expect(evaluate('States.StringSplit($.inputString, $.splitter)', { inputString: '1,2,3,4,5', splitter: ',' })).toEqual(['1', '2', '3', '4', '5']);
  });

  test('States.StringSplit splits at any of several delimiting characters', () => {
    const input = { inputString: 'This.is+a,test=string', splitter: '.+,=' };
    expect(evaluate('States.StringSplit($.inputString, $.splitter)', input)).toEqual(['This', 'is', 'a', 'test', 'string']);
  });

  test('States.UUID returns a version 4 UUID', () => {
    expect(evaluate('States.UUID()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('Invocation syntax', () => {
  test('Intrinsic functions nest', () => {
    const input = { ImageRecipe: { Arn: 'arn:aws:imagebuilder:us-east-1:1:image-recipe/my.recipe/1.0.0' } };
    const expression =
      "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 1), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 1), '.'), 1))";
    expect(evaluate(expression, input)).toBe('my.recipe');
  });

  test('More than ten nested intrinsic functions raise States.Runtime', () => {
    const eleven = `${'States.Array('.repeat(11)}${')'.repeat(11)}`;
    expect(evaluate(`${'States.Array('.repeat(10)}${')'.repeat(10)}`)).toEqual([[[[[[[[[[]]]]]]]]]]);
    expect(errorOf(eleven).error).toBe('States.Runtime');
  });

  test('Arguments read the context object with $$', () => {
    expect(evaluate("States.Format('{} in {}', $$.Execution.Name, $$.State.Name)")).toBe('order-42 in Ask Cake Maker');
  });

  test('A path argument may use bracket notation', () => {
    expect(evaluate("States.ArrayLength($['cake list'])", { 'cake list': [1, 2] })).toBe(2);
  });

  test('A path argument that matches nothing raises States.Runtime', () => {
    expect(errorOf('States.ArrayLength($.missing)').error).toBe('States.Runtime');
  });

  test('An unknown function raises States.Runtime', () => {
    expect(errorOf('States.Bake()').error).toBe('States.Runtime');
  });

  test('The wrong number of arguments raises States.Runtime', () => {
    expect(errorOf("States.StringToJson('1', '2')").error).toBe('States.Runtime');
  });

  test('Text after the closing parenthesis raises States.Runtime', () => {
    expect(errorOf('States.Array() extra').error).toBe('States.Runtime');
  });
});
