/**
 * What TestState reads from its request before it runs anything: the state under test, its mock and its context
 * object. The checks follow "Testing state machines with TestState API" in the Step Functions Developer Guide
 * (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html).
 */
import { randomUUID } from 'node:crypto';
import type { TestStateInput } from '@aws-sdk/client-sfn';
import {
  evaluators,
  queryLanguages,
  validateDefinition,
  withVariables,
  type ContextObject,
  type Json,
  type JsonObject,
  type QueryEvaluator,
  type State,
  type StateMachineDefinition,
} from './asl';
import { apiError } from './api-errors';
import { parseJson } from './api-input';
import type { Partition } from './arns';
import type { Clock } from './clock';

export const TEST_EXECUTION = 'TestState';

export interface StateUnderTest {
  name: string;
  state: State;
  evaluator: QueryEvaluator;
  /** Whether the state runs inside a Map's item processor, so its context object has `Map.Item`. */
  inMap: boolean;
}

/** The state to run: the definition of one state, or (with stateName) any state of a whole machine, nested ones included. */
export function stateUnderTest(definition: unknown, stateName: string | undefined): StateUnderTest {
  let parsed: JsonObject;
  try {
    parsed = JSON.parse(String(definition)) as JsonObject;
  } catch (error) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: the definition is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw apiError('InvalidDefinition', 'Invalid State Machine Definition: the definition must be a JSON object');
  const machine = parsed.States === undefined ? undefined : (parsed as unknown as StateMachineDefinition);
  if (machine && stateName === undefined) throw apiError('InvalidDefinition', 'Invalid State Machine Definition: give the definition of one state, or name the state to test with stateName');
  const name = stateName ?? TEST_EXECUTION;
  const found = machine ? findState(machine.States, name, false) : { state: parsed as unknown as State, inMap: false };
  if (!found) throw apiError('ValidationException', `State '${name}' is not in the definition`);
  // A lone state is checked as the only state of a machine whose other states are the ones it names.
  const wrapped = machine ?? { StartAt: name, States: { [name]: found.state, ...Object.fromEntries(targetsOf(found.state).map((target) => [target, { Type: 'Succeed' }])) } };
  try {
    validateDefinition(wrapped);
  } catch (error) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: ${(error as Error).message}`);
  }
  return { name, ...found, evaluator: evaluators[queryLanguages(wrapped as StateMachineDefinition).get(found.state) ?? 'JSONPath'] };
}

/** The machines a Parallel (its branches) or a Map (its item processor) runs. */
function innerMachines(state: State): StateMachineDefinition[] {
  if (state.Type === 'Parallel') return state.Branches;
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    return processor ? [processor] : [];
  }
  return [];
}

function findState(states: Record<string, State>, name: string, inMap: boolean): { state: State; inMap: boolean } | undefined {
  if (Object.hasOwn(states, name)) return { state: states[name], inMap };
  for (const state of Object.values(states)) {
    for (const inner of innerMachines(state)) {
      const found = findState(inner.States, name, inMap || state.Type === 'Map');
      if (found) return found;
    }
  }
  return undefined;
}

function namesInside(state: State): string[] {
  return innerMachines(state).flatMap((inner) => Object.entries(inner.States).flatMap(([name, nested]) => [name, ...namesInside(nested)]));
}

function targetsOf(state: State): string[] {
  const raw = state as unknown as { Next?: string; Default?: string; Choices?: { Next?: string }[]; Catch?: { Next?: string }[] };
  const targets = [raw.Next, raw.Default, ...(raw.Choices ?? []).map((rule) => rule.Next), ...(raw.Catch ?? []).map((catcher) => catcher.Next)];
  return [...new Set(targets.filter((target): target is string => typeof target === 'string'))];
}

/** Activities, `.sync` jobs and `.waitForTaskToken` callbacks, which TestState cannot wait for. */
function needsMock(resource: string): boolean {
  return /\.waitForTaskToken$|\.sync(:\d+)?$|^arn:aws[\w-]*:states:[^:]*:\d{12}:activity:/.test(resource);
}

function isCallback(state: State): boolean {
  return state.Type === 'Task' && state.Resource.endsWith('.waitForTaskToken');
}

export type Mock = { result: Json } | { error: string; cause?: string } | undefined;

const validation = (message: string) => apiError('ValidationException', message);

/**
 * The mock, checked as the guide describes: only for Task, Map and Parallel; `result` or `errorOutput`, not both; not
 * with `revealSecrets`; a Map's result an array, a Parallel's one item per branch; a Map or Parallel error names the
 * state inside that raised it (`stateConfiguration.errorCausedByState`). The messages are AWS's where it is known.
 */
export function mockOf(input: TestStateInput, state: State): Mock {
  const { mock } = input;
  if (mock === undefined) {
    if (input.context !== undefined) throw validation('context may only be given together with a mock');
    if (state.Type === 'Map' || state.Type === 'Parallel') throw validation(`TestState runs a ${state.Type} state only with a mock`);
    if (state.Type === 'Task' && needsMock(state.Resource)) throw validation(`TestState runs ${state.Resource} only with a mock: its result comes from a callback, a job or an activity worker`);
    return undefined;
  }
  if (state.Type !== 'Task' && state.Type !== 'Map' && state.Type !== 'Parallel') throw validation(`A mock can only be given for a Task, Map or Parallel state, not a ${state.Type} state`);
  if (input.revealSecrets === true) throw validation('TestState does not support RevealSecrets when a mock is specified.');
  if (mock.result !== undefined && mock.errorOutput !== undefined) throw validation('A test mock should have only one of the following fields: [result, errorOutput].');
  if (mock.result !== undefined) {
    const result = parseJson(mock.result, 'ValidationException', 'mock.result');
    if (state.Type !== 'Task' && !Array.isArray(result)) throw validation('Mocked result must be an array.');
    if (state.Type === 'Parallel' && (result as Json[]).length !== state.Branches.length) {
      throw validation('Mocked result must contain the same number of items as number of Parallel branches.');
    }
    return { result };
  }
  if (mock.errorOutput?.error === undefined) throw validation('A mock needs a result or an errorOutput with an error');
  if (state.Type !== 'Task') {
    const causedBy = input.stateConfiguration?.errorCausedByState;
    if (causedBy === undefined) throw validation(`A mocked error of a ${state.Type} state needs stateConfiguration.errorCausedByState: the state inside it that raised the error`);
    if (!namesInside(state).includes(causedBy)) throw validation(`stateConfiguration.errorCausedByState '${causedBy}' is not a state inside this ${state.Type} state`);
  }
  return { error: mock.errorOutput.error, cause: mock.errorOutput.cause };
}

export interface ContextPorts {
  clock: Clock;
  partition: Partition;
}

/**
 * The context object the state sees: TestState's own, with `Map.Item` (index 0, the input as its value) for a state
 * inside a Map, and any part the request's `context` gives in place of the default.
 */
export function contextFor(ports: ContextPorts, test: StateUnderTest, input: Json, roleArn: string, variables: Readonly<JsonObject>, supplied: string | undefined): ContextObject {
  const now = new Date(ports.clock.now()).toISOString();
  const { region, accountId } = ports.partition;
  const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${TEST_EXECUTION}`;
  const context: ContextObject = {
    Execution: { Id: `arn:aws:states:${region}:${accountId}:execution:${TEST_EXECUTION}:${TEST_EXECUTION}`, Name: TEST_EXECUTION, StartTime: now, Input: input, RoleArn: roleArn, RedriveCount: 0 },
    StateMachine: { Id: stateMachineArn, Name: TEST_EXECUTION },
    State: { Name: test.name, EnteredTime: now, RetryCount: 0 },
    ...(test.inMap && { Map: { Item: { Index: 0, Value: input } } }),
    // A callback task's Parameters pass its token on; the mock stands for the callback that would answer it.
    ...(isCallback(test.state) && { Task: { Token: randomUUID() } }),
  };
  if (supplied !== undefined) mergeContext(context, supplied);
  return withVariables(context, variables);
}

function mergeContext(context: ContextObject, supplied: string): void {
  const given = parseJson(supplied, 'ValidationException', 'context');
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw validation('context must be a JSON object: a Context object for the state under test');
  const target = context as unknown as JsonObject;
  for (const [key, value] of Object.entries(given)) {
    const current = target[key];
    const bothObjects = [current, value].every((part) => typeof part === 'object' && part !== null && !Array.isArray(part));
    target[key] = bothObjects ? { ...(current as JsonObject), ...(value as JsonObject) } : value;
  }
}
