/**
 * The functions Step Functions adds to JSONata ("JSONata functions provided by Step Functions" in the guide's
 * "Transforming data with JSONata" page), and `$eval`, which Step Functions leaves out in favour of `$parse`.
 * A thrown Error becomes States.QueryEvaluationError in the evaluator.
 */
import { createHash, randomUUID } from 'node:crypto';

export interface JsonataFunction {
  name: string;
  implementation: (...args: never[]) => unknown;
  signature?: string;
}

const HASH_ALGORITHMS: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function partition(array: unknown[], size: number): unknown[][] {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`$partition: the chunk size must be a positive integer, got ${size}.`);
  const chunks: unknown[][] = [];
  for (let from = 0; from < array.length; from += size) chunks.push(array.slice(from, from + size));
  return chunks;
}

/** From start to end inclusive, by step (negative to count down), like States.ArrayRange. */
function range(start: number, end: number, step: number): number[] {
  if (step === 0 || !Number.isFinite(step)) throw new Error('$range: the step must be a non-zero number.');
  const values: number[] = [];
  for (let value = start; step > 0 ? value <= end : value >= end; value += step) {
    values.push(value);
    if (values.length > 1000) throw new Error('$range: the range may hold at most 1000 numbers.');
  }
  return values;
}

function hash(data: unknown, algorithm: string): string {
  const name = HASH_ALGORITHMS[algorithm];
  if (name === undefined) throw new Error(`$hash: the algorithm '${algorithm}' is not one of ${Object.keys(HASH_ALGORITHMS).join(', ')}.`);
  return createHash(name).update(typeof data === 'string' ? data : JSON.stringify(data)).digest('hex');
}

/** mulberry32: the same seed always gives the same number in [0, 1). AWS's seeded values are not the same ones. */
function seeded(seed: number): number {
  let t = (Math.trunc(seed) + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`$parse: the argument is not valid JSON: ${(error as Error).message}`);
  }
}

export const stepFunctionsJsonataFunctions: JsonataFunction[] = [
  { name: 'partition', implementation: partition as JsonataFunction['implementation'], signature: '<an:a>' },
  { name: 'range', implementation: range as JsonataFunction['implementation'], signature: '<nnn:a>' },
  { name: 'hash', implementation: hash as JsonataFunction['implementation'], signature: '<xs:s>' },
  { name: 'random', implementation: ((seed?: number) => (seed === undefined ? Math.random() : seeded(seed))) as JsonataFunction['implementation'], signature: '<n?:n>' },
  { name: 'uuid', implementation: (() => randomUUID()) as JsonataFunction['implementation'], signature: '<:s>' },
  { name: 'parse', implementation: parse as JsonataFunction['implementation'], signature: '<s:x>' },
  {
    name: 'eval',
    implementation: (() => {
      throw new Error('The function $eval is not available in Step Functions; use $parse to read JSON text.');
    }) as JsonataFunction['implementation'],
  },
];
