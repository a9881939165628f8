/**
 * The limits a Map state reads when it starts: MaxConcurrency and its tolerated failures, each written in the
 * definition or read by a …Path from the effective input. Invalid values fail with States.Runtime and the causes
 * AWS gives (as LocalStack records them against AWS).
 */
import { selectPath } from './select';
import { StatesError, type ContextObject, type Json, type MapState } from './types';

/** How many failed iterations a Map tolerates; only the thresholds the state sets apply. */
export interface Tolerance {
  count?: number;
  percentage?: number;
}

function fail(message: string): never {
  throw new StatesError('States.Runtime', message);
}

const shown = (value: Json) => (typeof value === 'string' ? value : JSON.stringify(value));

/** An integer, or a string holding one: AWS reads "2" from an execution input as 2. */
function integerOf(value: Json): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : undefined;
}

function numberOf(value: Json): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
}

/** The most iterations the Map runs at once; 0 means no limit. */
export function maxConcurrency(state: MapState, input: Json, context: ContextObject): number {
  if (state.MaxConcurrencyPath === undefined) return state.MaxConcurrency ?? 0;
  const value = selectPath(state.MaxConcurrencyPath, input, context);
  const limit = integerOf(value);
  if (limit === undefined) fail(`The MaxConcurrencyPath field refers to value "${shown(value)}" which is not a valid integer: ${state.MaxConcurrencyPath}`);
  if (limit < 0) fail(`Expected non-negative integer for MaxConcurrency, got '${limit}' instead.`);
  return limit;
}

function toleratedCount(state: MapState, input: Json, context: ContextObject): number | undefined {
  if (state.ToleratedFailureCountPath === undefined) return state.ToleratedFailureCount;
  const value = selectPath(state.ToleratedFailureCountPath, input, context);
  const count = integerOf(value);
  if (count === undefined) fail(`The ToleratedFailureCountPath field refers to value "${shown(value)}" which is not a valid integer: ${state.ToleratedFailureCountPath}`);
  if (count < 0) fail('ToleratedFailureCount cannot be negative.');
  return count;
}

function toleratedPercentage(state: MapState, input: Json, context: ContextObject): number | undefined {
  if (state.ToleratedFailurePercentagePath === undefined) return state.ToleratedFailurePercentage;
  const value = selectPath(state.ToleratedFailurePercentagePath, input, context);
  const percentage = numberOf(value);
  if (percentage === undefined) fail(`The ToleratedFailurePercentagePath field refers to value "${shown(value)}" which is not a valid float: ${state.ToleratedFailurePercentagePath}`);
  if (percentage < 0 || percentage > 100) fail('ToleratedFailurePercentage must be between 0 and 100.');
  return percentage;
}

/** The Map's tolerance, or undefined when it sets none: then its first failed iteration fails it, with that iteration's error. */
export function toleratedFailures(state: MapState, input: Json, context: ContextObject): Tolerance | undefined {
  const count = toleratedCount(state, input, context);
  const percentage = toleratedPercentage(state, input, context);
  if (count === undefined && percentage === undefined) return undefined;
  return { ...(count === undefined ? {} : { count }), ...(percentage === undefined ? {} : { percentage }) };
}

/** Whether `failed` of `total` items is past either threshold: more failures than the count, or a larger share than the percentage. */
export function exceedsTolerance(tolerance: Tolerance, failed: number, total: number): boolean {
  if (tolerance.count !== undefined && failed > tolerance.count) return true;
  return tolerance.percentage !== undefined && failed * 100 > tolerance.percentage * total;
}
