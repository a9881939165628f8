import { JSONPath } from 'jsonpath-plus';
import { evaluateIntrinsic } from './intrinsics';
import { describe, isDefinite, normalise, selectPath } from './select';
import { StatesError, type ContextObject, type Json, type JsonObject } from './types';

/** Whether a definite path names an existing node (Choice's IsPresent). */
export function pathExists(path: string, data: Json, context?: ContextObject): boolean {
  try {
    selectPath(path, data, context);
    return true;
  } catch (error) {
    if (error instanceof StatesError && error.error === 'States.Runtime') return false;
    throw error;
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Places `result` into `input` at the reference path `resultPath`, creating missing objects on the way.
 * `undefined` (the default `$`) replaces the input with the result; `null` discards the result.
 */
export function applyResultPath(input: Json, result: Json, resultPath: string | null | undefined): Json {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return input;
  if (!resultPath.startsWith('$') || resultPath.startsWith('$$')) {
    throw new StatesError('States.Runtime', `Invalid ResultPath '${resultPath}': it must be a reference path starting with '$'.`);
  }
  const normalised = normalise(resultPath);
  if (!isDefinite(normalised)) {
    throw new StatesError('States.Runtime', `Invalid ResultPath '${resultPath}': it must name a single node.`);
  }
  const keys = JSONPath.toPathArray(normalised).slice(1);
  if (!isObject(input)) {
    throw new StatesError('States.Runtime', `Unable to apply ResultPath '${resultPath}' to input ${describe(input)}: the input is not an object.`);
  }
  const output: JsonObject = structuredClone(input);
  let node: JsonObject | Json[] = output;
  keys.forEach((key, index) => {
    const last = index === keys.length - 1;
    if (Array.isArray(node)) {
      const position = Number(key);
      if (!Number.isInteger(position) || position < 0 || position >= node.length) {
        throw new StatesError('States.Runtime', `Unable to apply ResultPath '${resultPath}': index '${key}' is outside the array.`);
      }
      if (last) {
        node[position] = result;
        return;
      }
      const child: Json = node[position];
      if (!isObject(child) && !Array.isArray(child)) {
        throw new StatesError('States.Runtime', `Unable to apply ResultPath '${resultPath}': '${key}' is not an object.`);
      }
      node = child;
      return;
    }
    if (last) {
      node[key] = result;
      return;
    }
    const child: Json | undefined = node[key];
    if (child === undefined || child === null) {
      const created: JsonObject = {};
      node[key] = created;
      node = created;
    } else if (isObject(child) || Array.isArray(child)) {
      node = child;
    } else {
      throw new StatesError('States.Runtime', `Unable to apply ResultPath '${resultPath}': '${key}' holds ${describe(child)}, not an object.`);
    }
  });
  return output;
}

/** Evaluates one `.$` value: a `$` path, a `$$` context path, or an intrinsic function. */
export function resolveDynamicValue(field: string, expression: Json, input: Json, context: ContextObject): Json {
  if (typeof expression !== 'string') {
    throw new StatesError('States.Runtime', `The value of the field '${field}' must be a path or an intrinsic function, got ${describe(expression)}.`);
  }
  if (expression.startsWith('$')) {
    try {
      return selectPath(expression, input, context);
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      const where = expression.startsWith('$$') ? 'the context object' : `the input ${describe(input)}`;
      throw new StatesError('States.Runtime', `The JSONPath '${expression}' specified for the field '${field}' could not be found in ${where}.`);
    }
  }
  if (expression.startsWith('States.')) return evaluateIntrinsic(expression, input, context);
  throw new StatesError('States.Runtime', `The value '${expression}' of the field '${field}' is neither a path nor an intrinsic function.`);
}

/**
 * Builds a payload from a template (Parameters, ItemSelector, ResultSelector): fields whose name ends in
 * `.$` are replaced by the value their path or intrinsic yields, under the name without `.$`.
 */
export function resolvePayloadTemplate(template: JsonObject, input: Json, context: ContextObject): JsonObject {
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!isObject(value)) return value;
    const output: JsonObject = {};
    for (const [key, field] of Object.entries(value)) {
      if (key.endsWith('.$')) output[key.slice(0, -2)] = resolveDynamicValue(key, field, input, context);
      else output[key] = resolve(field);
    }
    return output;
  };
  return resolve(template) as JsonObject;
}
