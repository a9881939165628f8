/** The JSONPath query language: the ASL's paths, templates and intrinsics, with `Assign` whose `.$` fields see the state's result. */
import { matchingRule, noChoiceMatched } from './choice';
import { maxConcurrency, toleratedFailures } from './map-limits';
import { resolvePayloadTemplate } from './paths';
import { catchOutput, mapItemInput, prepareInput, prepareOutput } from './processing';
import type { Outcome, QueryEvaluator, StateScope } from './query-language';
import { failure, mapItems, taskTimeouts, waitUntil } from './states';
import type { Json, JsonObject, State } from './types';

function assigned(assign: JsonObject | undefined, value: Json, scope: StateScope): JsonObject | undefined {
  return assign === undefined ? undefined : resolvePayloadTemplate(assign, value, scope.context);
}

/** What `$` is in a JSONPath state's Assign: the result after ResultSelector, or for a Pass its Result. */
function assignInput(state: State, result: Json, scope: StateScope): Json {
  if (state.Type === 'Pass' && state.Result !== undefined) return state.Result;
  if ((state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map') && state.ResultSelector !== undefined) {
    return resolvePayloadTemplate(state.ResultSelector, result, scope.context);
  }
  return result;
}

const keepsPath = (path: string | null | undefined) => path === undefined || path === '$';

/** No InputPath, OutputPath or Parameters: the state works on its input as it came, already size-checked. */
function untouched(state: State): boolean {
  const fields = state as { InputPath?: string | null; OutputPath?: string | null; Parameters?: unknown };
  return keepsPath(fields.InputPath) && keepsPath(fields.OutputPath) && fields.Parameters === undefined;
}

export const jsonPath: QueryEvaluator = {
  language: 'JSONPath',
  effectiveInput: (state, { input, context }) => (untouched(state) ? input : prepareInput(state, input, context)),
  taskTimeouts: (state, { input, context }) => taskTimeouts(state, input, context),
  waitUntil: (state, { input, context }, nowMs) => waitUntil(state, prepareInput(state, input, context), nowMs, context),
  failure: (state, { input, context }) => failure(state, input, context),
  choose(state, scope) {
    const through = untouched(state);
    const effective = through ? scope.input : prepareInput(state, scope.input, scope.context);
    const rule = matchingRule(state, effective, scope.context);
    const next = rule?.Next ?? state.Default ?? noChoiceMatched();
    const output = through ? effective : prepareOutput(state, scope.input, effective, scope.context);
    // A matched rule's Assign replaces the state's; the state's applies when Default is taken.
    return { next, output, assign: assigned(rule?.Assign ?? state.Assign, effective, scope) };
  },
  mapStart: (state, { context }, effectiveInput) => ({
    items: mapItems(state, effectiveInput, context),
    maxConcurrency: maxConcurrency(state, effectiveInput, context),
    tolerance: toleratedFailures(state, effectiveInput, context),
  }),
  mapItemInput: (state, effectiveInput, { context }) => mapItemInput(state, effectiveInput, context),
  complete(state, scope, result): Outcome {
    const output = prepareOutput(state, scope.input, result, scope.context);
    return { output, assign: assigned(state.Assign, state.Assign === undefined ? null : assignInput(state, result, scope), scope) };
  },
  caught(catcher, scope, errorOutput): Outcome {
    const output = catchOutput(catcher, scope.input, errorOutput.Error as string | undefined, errorOutput.Cause as string | undefined);
    return { output, assign: assigned(catcher.Assign, errorOutput, scope) };
  },
};
