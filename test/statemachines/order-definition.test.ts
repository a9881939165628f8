import * as fs from 'node:fs';
import * as path from 'node:path';
import validator = require('asl-validator');
import { workflowErrorNames } from '../../functions/lib/errors';
import { resolveSettings } from '../../infra/settings';
import { functionPlaceholders, orderStateMachineFile, settingPlaceholders } from '../../infra/wiring';

interface Retrier {
  ErrorEquals: string[];
  BackoffRate?: number;
  JitterStrategy?: string;
  MaxAttempts?: number;
}

interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface State {
  Type: string;
  Resource?: string;
  Parameters?: unknown;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  Retry?: Retrier[];
  Catch?: Catcher[];
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Branches?: StateMachine[];
  ItemProcessor?: StateMachine;
  Iterator?: StateMachine;
}

interface StateMachine {
  StartAt: string;
  States: Record<string, State>;
}

/** The errors AWS recommends every Lambda task retries: the Lambda service failed, not the handler. */
const lambdaServiceErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

const stepFunctionsErrors = [
  'States.ALL',
  'States.Timeout',
  'States.HeartbeatTimeout',
  'States.TaskFailed',
  'States.Permissions',
  'States.ResultPathMatchFailure',
  'States.ParameterPathFailure',
  'States.QueryEvaluationError',
  'States.BranchFailed',
  'States.NoChoiceMatched',
  'States.IntrinsicFailure',
  'States.ExceedToleratedFailureThreshold',
  'States.ItemReaderFailed',
  'States.ResultWriterFailed',
  'States.Runtime',
];

const knownErrorNames = new Set<string>([...workflowErrorNames, ...lambdaServiceErrors, ...stepFunctionsErrors]);

/** The definition as CDK deploys it: placeholders filled the way infra/order-workflow.ts fills them. */
function deployedDefinition(): StateMachine {
  const settings = resolveSettings();
  let text = fs.readFileSync(path.join(__dirname, '..', '..', orderStateMachineFile), 'utf8');
  for (const [placeholder, handler] of Object.entries(functionPlaceholders)) {
    text = text.replaceAll(`\${${placeholder}}`, `arn:aws:lambda:eu-west-2:123456789012:function:${handler}`);
  }
  for (const [placeholder, setting] of Object.entries(settingPlaceholders)) {
    text = text.replaceAll(`\${${placeholder}}`, String(settings[setting]));
  }
  return JSON.parse(text) as StateMachine;
}

/** Every state, with the state machine (top level, Parallel branch or Map processor) it belongs to. */
function allStates(machine: StateMachine): [string, State, StateMachine][] {
  return Object.entries(machine.States).flatMap(([name, state]): [string, State, StateMachine][] => [
    [name, state, machine],
    ...[...(state.Branches ?? []), ...[state.ItemProcessor ?? state.Iterator ?? []].flat()].flatMap(allStates),
  ]);
}

function transitions(state: State): string[] {
  return [
    ...(state.Next ? [state.Next] : []),
    ...(state.Default ? [state.Default] : []),
    ...(state.Choices ?? []).map((choice) => choice.Next),
    ...(state.Catch ?? []).map((catcher) => catcher.Next),
  ];
}

function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringValues);
  return [];
}

const isLambdaTask = (state: State): boolean =>
  state.Type === 'Task' && /^arn:aws:states:::lambda:invoke|^arn:aws:lambda:/.test(state.Resource ?? '');

const definition = deployedDefinition();
const states = allStates(definition);
const callbackTasks = states.filter(([, state]) => state.Resource?.endsWith('.waitForTaskToken'));
const lambdaTasks = states.filter(([, state]) => isLambdaTask(state));

describe('the order state machine definition', () => {
  it('is valid Amazon States Language once its placeholders are filled', () => {
    // GIVEN the definition with the values CDK substitutes
    // WHEN asl-validator checks it
    const result = validator(definition);
    // THEN it reports no errors
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(callbackTasks.map(([name, state]) => [name, state]))(
    'callback task "%s" hands its handler the task token',
    (_name, state) => {
      // GIVEN a task that waits for a callback
      // WHEN its parameters are read
      const passed = stringValues(state.Parameters);
      // THEN one of them is the context object's task token, so a handler can answer it
      expect(passed).toContain('$$.Task.Token');
    },
  );

  it.each(callbackTasks.map(([name, state]) => [name, state]))('callback task "%s" cannot wait forever', (_name, state) => {
    // GIVEN a task that waits for a callback
    // WHEN its timeout is read
    const timeout = state.TimeoutSeconds ?? state.TimeoutSecondsPath;
    // THEN it has one, because Step Functions would otherwise wait for up to a year
    expect(timeout).toBeDefined();
  });

  it.each(lambdaTasks.map(([name, state]) => [name, state]))(
    'Lambda task "%s" retries Lambda service errors with back-off and jitter',
    (_name, state) => {
      // GIVEN a task that invokes a Lambda function
      // WHEN its retriers are read
      const retrier = (state.Retry ?? []).find((candidate) =>
        lambdaServiceErrors.every((error) => candidate.ErrorEquals.includes(error)),
      );
      // THEN one covers every Lambda service error, backs off and spreads retries with jitter
      expect(retrier).toEqual(
        expect.objectContaining({ BackoffRate: expect.any(Number), JitterStrategy: 'FULL', MaxAttempts: expect.any(Number) }),
      );
      expect(retrier?.BackoffRate).toBeGreaterThan(1);
      expect(retrier?.MaxAttempts).toBeGreaterThan(1);
    },
  );

  it('retries and catches only errors that a handler throws, Lambda raises or Step Functions defines', () => {
    // GIVEN every Retry and Catch of every state
    const used = states.flatMap(([, state]) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals),
    );
    // WHEN their error names are compared with the known names
    const unknown = used.filter((name) => !knownErrorNames.has(name));
    // THEN none is unknown: a misspelt name would never match and the error would fall through
    expect(used.length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('hands every error caught into the compensation path over at $.error, where Mark Order Failed reads it', () => {
    // GIVEN every catcher that leads to Mark Order Failed
    const intoCompensation = states.flatMap(([name, state]) =>
      (state.Catch ?? []).filter((catcher) => catcher.Next === 'Mark Order Failed').map((catcher) => [name, catcher.ResultPath]),
    );
    // THEN each places the caught error at $.error
    expect(intoCompensation.length).toBeGreaterThan(0);
    expect(intoCompensation.filter(([, resultPath]) => resultPath !== '$.error')).toEqual([]);
  });

  it('sends every transition to a state that exists', () => {
    // GIVEN every Next, Default, Choice and Catch target
    const missing = states.flatMap(([name, state, machine]) =>
      transitions(state)
        .filter((target) => !(target in machine.States))
        .map((target) => `${name} -> ${target}`),
    );
    // THEN each names a state of the same state machine
    expect(missing).toEqual([]);
  });

  it('can reach every state from the start', () => {
    // GIVEN the states reachable from each StartAt
    const reachable = new Set<State>();
    const visit = (machine: StateMachine, name: string): void => {
      const state = machine.States[name];
      if (!state || reachable.has(state)) return;
      reachable.add(state);
      for (const branch of [...(state.Branches ?? []), ...[state.ItemProcessor ?? state.Iterator ?? []].flat()]) {
        visit(branch, branch.StartAt);
      }
      for (const target of transitions(state)) visit(machine, target);
    };
    visit(definition, definition.StartAt);
    // WHEN they are compared with all states
    const unreachable = states.filter(([, state]) => !reachable.has(state)).map(([name]) => name);
    // THEN none is left over
    expect(unreachable).toEqual([]);
  });
});
