/**
 * The pure semantics of Amazon States Language (JSONPath query language) for the local engine.
 * The runtime imports only from here; nothing in this folder does I/O or keeps state.
 *
 * Every function that can fail at run time throws StatesError with the name AWS reports
 * (States.Runtime, States.NoChoiceMatched, States.DataLimitExceeded). Every function that reads a state's
 * fields takes the context object, since any path in them may be a `$$` path.
 */
export * from './types';
export { validateDefinition, InvalidDefinition } from './validate';
export { selectPath } from './select';
export { applyResultPath, resolvePayloadTemplate } from './paths';
export { evaluateIntrinsic } from './intrinsics';
export { prepareInput, prepareOutput, mapItemInput, catchOutput } from './processing';
export { chooseNext } from './choice';
export { parseTimestamp } from './timestamps';
export { waitUntil, taskTimeouts, failure, mapItems, DEFAULT_TASK_TIMEOUT_SECONDS } from './states';
export { maxConcurrency, toleratedFailures, exceedsTolerance, type Tolerance } from './map-limits';
export { errorMatches, findRetrier, retryDelayMs, findCatcher, assertPayloadSize, PAYLOAD_LIMIT_BYTES } from './errors';
export { matchingRule } from './choice';
export { evaluators } from './evaluators';
export { queryLanguages, isPromise, type QueryEvaluator, type Eventually, type Outcome, type StateScope } from './query-language';
export { QUERY_EVALUATION_ERROR } from './jsonata-evaluator';
export { VARIABLES } from './types';
export { variablesOf, withVariables, assertAssignSize, assertStoredSize, isVariableName, NO_VARIABLES } from './variables';
