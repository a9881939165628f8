import { assertPayloadSize } from './errors';
import { applyResultPath, resolvePayloadTemplate } from './paths';
import { selectPath } from './select';
import { StatesError, type Catcher, type ContextObject, type Json, type JsonObject, type MapState, type State } from './types';

/**
 * The state's effective input: InputPath, then Parameters for Pass, Task and Parallel.
 * A Map state's ItemSelector applies to each item instead, through `mapItemInput`; a Fail state has no
 * input processing.
 */
export function prepareInput(state: State, rawInput: Json, context: ContextObject): Json {
  if (state.Type === 'Fail') return rawInput;
  const selected = selectPath(state.InputPath, rawInput, context);
  const hasParameters = state.Type === 'Pass' || state.Type === 'Task' || state.Type === 'Parallel';
  const effective = hasParameters && state.Parameters !== undefined ? resolvePayloadTemplate(state.Parameters, selected, context) : selected;
  assertPayloadSize(effective);
  return effective;
}

/**
 * The input of one Map iteration. In ItemSelector (or its older name Parameters) `$` is the Map state's
 * effective input and the item is `$$.Map.Item.Value`; without one, the item itself is the input.
 */
export function mapItemInput(state: MapState, effectiveInput: Json, context: ContextObject): Json {
  if (context.Map === undefined) throw new StatesError('States.Runtime', 'A Map iteration needs $$.Map.Item in its context object.');
  const selector = state.ItemSelector ?? state.Parameters;
  if (selector === undefined) return context.Map.Item.Value;
  return resolvePayloadTemplate(selector, effectiveInput, context);
}

/**
 * The state's output from its raw input and its result: ResultSelector, ResultPath (into the raw input),
 * then OutputPath. A Pass state's `Result`, when present, is its result; otherwise the runtime passes the
 * effective input. Choice, Wait and Succeed have no result: their output is OutputPath over InputPath.
 */
export function prepareOutput(state: State, rawInput: Json, result: Json, context: ContextObject): Json {
  switch (state.Type) {
    case 'Fail':
      return rawInput;
    case 'Choice':
    case 'Wait':
    case 'Succeed':
      return finish(selectPath(state.OutputPath, selectPath(state.InputPath, rawInput, context), context));
    case 'Pass':
      return finish(selectPath(state.OutputPath, applyResultPath(rawInput, 'Result' in state && state.Result !== undefined ? state.Result : result, state.ResultPath), context));
    case 'Task':
    case 'Parallel':
    case 'Map': {
      const selected = state.ResultSelector === undefined ? result : resolvePayloadTemplate(state.ResultSelector, result, context);
      return finish(selectPath(state.OutputPath, applyResultPath(rawInput, selected, state.ResultPath), context));
    }
  }
}

function finish(output: Json): Json {
  assertPayloadSize(output);
  return output;
}

/**
 * The error output `{ Error, Cause }` placed into the state's raw input by the catcher's ResultPath (default `$`).
 * A field the failure does not have is left out, as ExecutionFailed leaves it out.
 */
export function catchOutput(catcher: Catcher, rawInput: Json, error: string | undefined, cause?: string): Json {
  const errorOutput: JsonObject = { ...(error === undefined ? {} : { Error: error }), ...(cause === undefined ? {} : { Cause: cause }) };
  return finish(applyResultPath(rawInput, errorOutput, catcher.ResultPath));
}
