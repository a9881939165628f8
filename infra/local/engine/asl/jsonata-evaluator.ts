/**
 * The JSONata query language: `{% %}` strings anywhere in Arguments, Output, Assign, Condition, Items, ItemSelector and
 * the numeric fields, with the reserved `$states` (input, result, errorOutput, context) and the workflow variables bound.
 * An expression that fails, or yields nothing or a value of the wrong type, fails the state with
 * States.QueryEvaluationError.
 */
import jsonata from 'jsonata';
import { assertPayloadSize } from './errors';
import { stepFunctionsJsonataFunctions } from './jsonata-functions';
import { toleratedFailures, type Tolerance } from './map-limits';
import type { Choice, MapStart, Outcome, QueryEvaluator, StateScope } from './query-language';
import { taskTimeouts, waitUntil } from './states';
import { StatesError, type Catcher, type ChoiceState, type Json, type JsonObject, type MapState, type State } from './types';
import { variablesOf } from './variables';

const EXPRESSION = /^\{%([\s\S]*)%\}$/;
const CACHE_LIMIT = 10_000;
const compiled = new Map<string, jsonata.Expression>();

export const QUERY_EVALUATION_ERROR = 'States.QueryEvaluationError';

function queryError(cause: string): StatesError {
  return new StatesError(QUERY_EVALUATION_ERROR, cause);
}

function compile(text: string, field: string): jsonata.Expression {
  let expression = compiled.get(text);
  if (expression !== undefined) return expression;
  try {
    expression = jsonata(text);
  } catch (error) {
    throw queryError(`The JSONata expression '${text}' specified for the field '${field}' is not valid: ${(error as Error).message}`);
  }
  for (const { name, implementation, signature } of stepFunctionsJsonataFunctions) expression.registerFunction(name, implementation as (...args: unknown[]) => unknown, signature);
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(text, expression);
  return expression;
}

/** JSONata's own values (sequences, functions) as plain JSON. */
function toJson(value: unknown, text: string, field: string): Json {
  if (value === undefined) throw queryError(`The JSONata expression '${text}' specified for the field '${field}' returned nothing (undefined).`);
  if (typeof value === 'function') throw queryError(`The JSONata expression '${text}' specified for the field '${field}' returned a function, which is not JSON.`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw queryError(`The JSONata expression '${text}' specified for the field '${field}' returned ${value}, which is not JSON.`);
  return typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as Json) : (value as Json);
}

async function evaluate(text: string, bindings: Record<string, unknown>, field: string): Promise<Json> {
  const expression = compile(text, field);
  let value: unknown;
  try {
    value = await expression.evaluate(undefined, bindings);
  } catch (error) {
    throw queryError(`An error occurred while evaluating the JSONata expression '${text}' specified for the field '${field}': ${(error as Error).message}`);
  }
  return toJson(value, text, field);
}

function hasExpression(template: Json | undefined): boolean {
  if (typeof template === 'string') return EXPRESSION.test(template);
  if (Array.isArray(template)) return template.some(hasExpression);
  if (typeof template === 'object' && template !== null) return Object.values(template).some(hasExpression);
  return false;
}

/** A field's value with each `{% %}` string replaced by what its expression yields; other values stay as they are. */
async function resolve(template: Json, bindings: Record<string, unknown>, field: string): Promise<Json> {
  if (typeof template === 'string') {
    const match = EXPRESSION.exec(template);
    return match === null ? template : evaluate(match[1].trim(), bindings, field);
  }
  if (Array.isArray(template)) {
    const values: Json[] = [];
    for (let index = 0; index < template.length; index++) values.push(await resolve(template[index], bindings, `${field}[${index}]`));
    return values;
  }
  if (typeof template === 'object' && template !== null) {
    const output: JsonObject = {};
    for (const [key, value] of Object.entries(template)) output[key] = await resolve(value, bindings, `${field}/${key}`);
    return output;
  }
  return template;
}

function bindingsOf(scope: StateScope, extra: Record<string, Json> = {}): Record<string, unknown> {
  return { ...variablesOf(scope.context), states: { input: scope.input, context: scope.context, ...extra } };
}

const field = (state: object, name: string) => (state as Record<string, Json | undefined>)[name];

async function resolveField(state: object, name: string, bindings: Record<string, unknown>): Promise<Json | undefined> {
  const template = field(state, name);
  return template === undefined ? undefined : resolve(template, bindings, name);
}

async function resolveAssign(assign: JsonObject | undefined, bindings: Record<string, unknown>): Promise<JsonObject | undefined> {
  return assign === undefined ? undefined : ((await resolve(assign, bindings, 'Assign')) as JsonObject);
}

const hasResult = (state: State) => state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map';

async function outcome(holder: { Output?: Json; Assign?: JsonObject }, bindings: Record<string, unknown>, fallback: Json): Promise<Outcome> {
  // Output and Assign both see the variables as they were when the state was entered.
  const [output, assign] = await Promise.all([holder.Output === undefined ? fallback : resolve(holder.Output, bindings, 'Output'), resolveAssign(holder.Assign, bindings)]);
  assertPayloadSize(output);
  return { output, assign };
}

function wholeNumber(name: string, value: Json | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw queryError(`The field '${name}' must be an integer of at least ${minimum}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

async function choose(state: ChoiceState, scope: StateScope): Promise<Choice> {
  const bindings = bindingsOf(scope);
  for (const [index, rule] of state.Choices.entries()) {
    const matched = rule.Condition === undefined ? false : await resolve(rule.Condition, bindings, `Choices[${index}].Condition`);
    if (typeof matched !== 'boolean') throw queryError(`The Condition of Choices[${index}] must evaluate to a boolean, got ${JSON.stringify(matched)}.`);
    if (matched) return { next: rule.Next!, ...(await outcome({ Output: rule.Output ?? state.Output, Assign: rule.Assign ?? state.Assign }, bindings, scope.input)) };
  }
  if (state.Default === undefined) throw new StatesError('States.NoChoiceMatched', 'No choice rule matched the input and the Choice state has no Default.');
  return { next: state.Default, ...(await outcome(state, bindings, scope.input)) };
}

async function mapStart(state: MapState, scope: StateScope, effectiveInput: Json): Promise<MapStart> {
  const bindings = bindingsOf(scope);
  const items = state.Items === undefined ? effectiveInput : await resolve(state.Items, bindings, 'Items');
  if (!Array.isArray(items)) throw queryError(`The field 'Items' must be an array, got ${JSON.stringify(items).slice(0, 200)}.`);
  const maxConcurrency = wholeNumber('MaxConcurrency', await resolveField(state, 'MaxConcurrency', bindings), 0) ?? 0;
  const count = wholeNumber('ToleratedFailureCount', await resolveField(state, 'ToleratedFailureCount', bindings), 0);
  const percentage = await resolveField(state, 'ToleratedFailurePercentage', bindings);
  if (percentage !== undefined && (typeof percentage !== 'number' || percentage < 0 || percentage > 100)) {
    throw queryError(`The field 'ToleratedFailurePercentage' must be a number from 0 to 100, got ${JSON.stringify(percentage)}.`);
  }
  const tolerance: Tolerance | undefined = toleratedFailures({ ...state, ToleratedFailureCount: count, ToleratedFailurePercentage: percentage as number | undefined }, effectiveInput, scope.context);
  return { items, maxConcurrency, tolerance };
}

export const jsonAta: QueryEvaluator = {
  language: 'JSONata',
  effectiveInput(state, scope) {
    if ((state.Type !== 'Task' && state.Type !== 'Parallel') || state.Arguments === undefined) return scope.input;
    return resolve(state.Arguments, bindingsOf(scope), 'Arguments').then((value) => {
      assertPayloadSize(value);
      return value;
    });
  },
  async taskTimeouts(state, scope) {
    const bindings = bindingsOf(scope);
    const [timeout, heartbeat] = [await resolveField(state, 'TimeoutSeconds', bindings), await resolveField(state, 'HeartbeatSeconds', bindings)];
    return taskTimeouts({ ...state, TimeoutSeconds: wholeNumber('TimeoutSeconds', timeout, 1), HeartbeatSeconds: wholeNumber('HeartbeatSeconds', heartbeat, 1) }, scope.input, scope.context);
  },
  async waitUntil(state, scope, nowMs) {
    const bindings = bindingsOf(scope);
    const seconds = wholeNumber('Seconds', await resolveField(state, 'Seconds', bindings), 0);
    const timestamp = await resolveField(state, 'Timestamp', bindings);
    if (timestamp !== undefined && typeof timestamp !== 'string') throw queryError(`The field 'Timestamp' must be a string, got ${JSON.stringify(timestamp)}.`);
    return waitUntil({ Type: 'Wait', Seconds: seconds, Timestamp: timestamp }, scope.input, nowMs, scope.context);
  },
  async failure(state, scope) {
    const bindings = bindingsOf(scope);
    const [error, cause] = [await resolveField(state, 'Error', bindings), await resolveField(state, 'Cause', bindings)];
    for (const [name, value] of [['Error', error], ['Cause', cause]] as const) {
      if (value !== undefined && typeof value !== 'string') throw queryError(`The field '${name}' must be a string, got ${JSON.stringify(value)}.`);
    }
    return { ...(error === undefined ? {} : { error: error as string }), ...(cause === undefined ? {} : { cause: cause as string }) };
  },
  choose,
  mapStart,
  mapItemInput(state, _effectiveInput, scope) {
    if (state.ItemSelector === undefined) return scope.context.Map!.Item.Value;
    if (!hasExpression(state.ItemSelector)) return state.ItemSelector;
    return resolve(state.ItemSelector, bindingsOf(scope), 'ItemSelector');
  },
  complete(state, scope, result) {
    const fallback = hasResult(state) ? result : scope.input;
    if (state.Output === undefined && state.Assign === undefined) return { output: fallback };
    return outcome(state, bindingsOf(scope, hasResult(state) ? { result } : {}), fallback);
  },
  caught(catcher: Catcher, scope, errorOutput) {
    if (catcher.Output === undefined && catcher.Assign === undefined) return { output: errorOutput };
    return outcome(catcher, bindingsOf(scope, { errorOutput }), errorOutput);
  },
};
