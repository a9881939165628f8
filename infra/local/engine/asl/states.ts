import { evaluateIntrinsic } from './intrinsics';
import { selectPath } from './select';
import { parseTimestamp } from './timestamps';
import { StatesError, type ContextObject, type FailState, type Json, type MapState, type TaskState, type WaitState } from './types';

/** AWS's default task timeout when neither TimeoutSeconds nor TimeoutSecondsPath is set (not Lambda's 60 s). */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

function fail(message: string): never {
  throw new StatesError('States.Runtime', message);
}

function wholeSeconds(field: string, value: Json, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    fail(`${field} must resolve to an integer of at least ${minimum}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

const INVALID_TIMESTAMP = 'parameter does not reference a valid ISO-8601 extended offset date-time format string';

const shown = (value: Json) => (typeof value === 'string' ? value : JSON.stringify(value));

/** A Wait state's end; AWS considers a timestamp only up to seconds and truncates the fraction. */
function wholeSecondOf(value: Json, invalid: string): number {
  const epochMs = parseTimestamp(value);
  if (epochMs === undefined) fail(invalid);
  return Math.floor(epochMs / 1000) * 1000;
}

/** When a Wait state ends, as epoch milliseconds; a timestamp in the past means "now". `input` is the effective input. */
export function waitUntil(state: WaitState, input: Json, nowMs: number, context: ContextObject): number {
  if (state.Seconds !== undefined) return nowMs + wholeSeconds('Seconds', state.Seconds, 0) * 1000;
  if (state.SecondsPath !== undefined) return nowMs + wholeSeconds(`SecondsPath '${state.SecondsPath}'`, selectPath(state.SecondsPath, input, context), 0) * 1000;
  if (state.Timestamp !== undefined) return wholeSecondOf(state.Timestamp, `The Timestamp ${INVALID_TIMESTAMP}: ${shown(state.Timestamp)}`);
  if (state.TimestampPath !== undefined) {
    const value = selectPath(state.TimestampPath, input, context);
    return wholeSecondOf(value, `The TimestampPath ${INVALID_TIMESTAMP}: ${state.TimestampPath} == ${shown(value)}`);
  }
  return fail('A Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath.');
}

/** A task's timeout and heartbeat in seconds, read from the state or, for the …Path fields, from the state input. */
export function taskTimeouts(state: TaskState, input: Json, context: ContextObject): { timeoutSeconds: number; heartbeatSeconds?: number } {
  const timeoutSeconds =
    state.TimeoutSecondsPath !== undefined
      ? wholeSeconds(`TimeoutSecondsPath '${state.TimeoutSecondsPath}'`, selectPath(state.TimeoutSecondsPath, input, context), 1)
      : wholeSeconds('TimeoutSeconds', state.TimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS, 1);
  const heartbeat =
    state.HeartbeatSecondsPath !== undefined
      ? wholeSeconds(`HeartbeatSecondsPath '${state.HeartbeatSecondsPath}'`, selectPath(state.HeartbeatSecondsPath, input, context), 1)
      : state.HeartbeatSeconds === undefined
        ? undefined
        : wholeSeconds('HeartbeatSeconds', state.HeartbeatSeconds, 1);
  if (heartbeat === undefined) return { timeoutSeconds };
  if (heartbeat >= timeoutSeconds) fail(`HeartbeatSeconds (${heartbeat}) must be smaller than TimeoutSeconds (${timeoutSeconds}).`);
  return { timeoutSeconds, heartbeatSeconds: heartbeat };
}

function dynamicText(field: string, expression: string, input: Json, context: ContextObject): string {
  const value = expression.startsWith('States.') ? evaluateIntrinsic(expression, input, context) : selectPath(expression, input, context);
  if (typeof value !== 'string') fail(`${field} '${expression}' must resolve to a string, got ${JSON.stringify(value)}.`);
  return value;
}

/** A Fail state's error name and cause, from Error/Cause or from ErrorPath/CausePath (a path or an intrinsic function). */
export function failure(state: FailState, input: Json, context: ContextObject): { error?: string; cause?: string } {
  const error = state.ErrorPath !== undefined ? dynamicText('ErrorPath', state.ErrorPath, input, context) : state.Error;
  const cause = state.CausePath !== undefined ? dynamicText('CausePath', state.CausePath, input, context) : state.Cause;
  return { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) };
}

/** The items a Map state iterates over: ItemsPath (default `$`) over the effective input, which must be an array. */
export function mapItems(state: MapState, input: Json, context: ContextObject): Json[] {
  const items = selectPath(state.ItemsPath ?? '$', input, context);
  if (!Array.isArray(items)) fail(`ItemsPath '${state.ItemsPath ?? '$'}' must select an array, got ${JSON.stringify(items).slice(0, 200)}.`);
  return items;
}
