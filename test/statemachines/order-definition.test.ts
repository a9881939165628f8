import * as fs from 'node:fs';
import * as path from 'node:path';
import validator = require('asl-validator');
import { workflowErrorNames } from '../../functions/lib/errors';
import { resolveOrderDefinition } from '../../infra/order-definition';
import { resolveSettings } from '../../infra/settings';
import { handlers, orderStateMachineFile, type HandlerName } from '../../infra/wiring';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
  MaxAttempts?: number | string;
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

/**
 * Transient failures of a task: the Lambda service failing or throttling (the errors AWS recommends every Lambda
 * task retries; Lambda.TooManyRequestsException has a retrier of its own), the handler timing out or its sandbox dying, and
 * DependencyUnavailable, the handlers' name for a service they need being down or throttling.
 */
const transientErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'Runtime.ExitError',
  'DependencyUnavailable',
];

/** The steps that do not decide the order's fate, and where each goes when it gives up. */
const optionalSteps: Record<string, string> = {
  'Send Order Confirmation': 'Record Order Confirmation Not Sent',
  'Remind Cake Maker': 'Keep Waiting For Cake Maker',
  'Forward Feedback': 'Record Feedback Not Forwarded',
  'Confirm Cancellation To Customer': 'Record Cancellation Confirmation Not Sent',
  'Publish Order Placed': 'Record Order Placed Not Published',
  'Publish Cake Fulfilled': 'Record Cake Fulfilled Not Published',
  'Publish Order Out For Delivery': 'Record Order Out For Delivery Not Published',
  'Publish Order Delivered': 'Record Order Delivered Not Published',
  'Publish Feedback Received': 'Record Feedback Received Not Published',
  'Publish Order Completed': 'Record Order Completed Not Published',
  'Publish Order Closed Unconfirmed': 'Record Order Closed Unconfirmed Not Published',
  'Publish Order Cancelled By Customer': 'Record Order Cancelled By Customer Not Published',
  'Publish Unfulfilled Order Cancelled': 'Record Unfulfilled Order Cancelled Not Published',
};

/**
 * What the optimized events:putEvents integration fails with that is worth retrying: a throttle, EventBridge failing,
 * and failed entries (PutEvents reports an entry throttled or failed internally as a failed entry).
 */
const publishThrottleErrors = ['EventBridge.ThrottlingException'];
const publishTransientErrors = ['EventBridge.InternalException', 'EventBridge.FailedEntry', 'States.Timeout'];

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

const knownErrorNames = new Set<string>([
  ...workflowErrorNames,
  ...transientErrors,
  'Lambda.TooManyRequestsException',
  ...stepFunctionsErrors,
  ...publishThrottleErrors,
  ...publishTransientErrors,
]);

/** The definition as both targets deploy it: placeholders filled the way infra/order-definition.ts fills them. */
function deployedDefinition(): StateMachine {
  const functionArns = Object.fromEntries(
    Object.keys(handlers).map((handler) => [handler, `arn:aws:lambda:eu-west-2:123456789012:function:${handler}`]),
  ) as Record<HandlerName, string>;
  return JSON.parse(resolveOrderDefinition(functionArns, resolveSettings())) as StateMachine;
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
const publishTasks = states.filter(([, state]) => state.Resource === 'arn:aws:states:::events:putEvents');

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
    'Lambda task "%s" retries every transient error with the retry budget from the settings',
    (_name, state) => {
      // GIVEN a task that invokes a Lambda function and the shop's default settings
      const settings = resolveSettings();
      // WHEN its retrier is read
      const retrier = (state.Retry ?? []).find((candidate) => transientErrors.every((error) => candidate.ErrorEquals.includes(error)));
      // THEN it covers every transient error, backs off exponentially with full jitter, and its fields are JSON numbers
      expect(retrier).toEqual(
        expect.objectContaining({
          IntervalSeconds: settings.retryIntervalSeconds,
          BackoffRate: settings.retryBackoffRate,
          MaxDelaySeconds: settings.retryMaxDelaySeconds,
          MaxAttempts: settings.retryMaxAttempts,
          JitterStrategy: 'FULL',
        }),
      );
    },
  );

  it.each(lambdaTasks.map(([name, state]) => [name, state]))(
    'Lambda task "%s" retries a Lambda throttle soon and for long, with the throttle budget from the settings',
    (_name, state) => {
      // GIVEN a task that invokes a Lambda function and the shop's default settings
      const settings = resolveSettings();
      // WHEN its first retrier is read
      const [retrier] = state.Retry ?? [];
      // THEN it takes the throttle alone, capped at a few seconds, with attempts enough for half an hour on average
      expect(retrier).toEqual({
        ErrorEquals: ['Lambda.TooManyRequestsException'],
        IntervalSeconds: settings.throttleRetryIntervalSeconds,
        BackoffRate: settings.retryBackoffRate,
        MaxDelaySeconds: settings.throttleRetryMaxDelaySeconds,
        MaxAttempts: settings.throttleRetryMaxAttempts,
        JitterStrategy: 'FULL',
      });
      expect((settings.throttleRetryMaxAttempts * settings.throttleRetryMaxDelaySeconds) / 2).toBeGreaterThanOrEqual(30 * 60);
    },
  );

  it.each(callbackTasks.map(([name, state]) => [name, state]))(
    'callback task "%s" never retries its own timeout, which is the business deadline its Catch acts on',
    (_name, state) => {
      // GIVEN a task that waits for a person, WHEN its retriers are read
      const retried = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
      // THEN States.Timeout is caught, never retried: a retry would ask the person again instead of moving on
      expect(retried).not.toContain('States.Timeout');
      expect(retried).not.toContain('States.ALL');
      expect((state.Catch ?? []).some((catcher) => catcher.ErrorEquals.includes('States.Timeout'))).toBe(true);
    },
  );

  it.each(lambdaTasks.filter(([, state]) => !state.Resource?.endsWith('.waitForTaskToken')).map(([name, state]) => [name, state]))(
    'task "%s" retries a timeout of its own like any other transient error',
    (_name, state) => {
      // GIVEN a task that does not wait for a person, THEN States.Timeout is among its retried errors
      expect((state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals)).toContain('States.Timeout');
    },
  );

  it.each(publishTasks.map(([name, state]) => [name, state]))(
    'publish task "%s" retries a throttle and transient EventBridge errors with the budgets every task uses',
    (_name, state) => {
      // GIVEN a task that puts events and the shop's default settings
      const settings = resolveSettings();
      // WHEN its retriers are read
      const [throttle, transient] = state.Retry ?? [];
      // THEN the throttle has the throttle budget, and everything else transient the retry budget, with full jitter
      expect(throttle).toEqual({
        ErrorEquals: publishThrottleErrors,
        IntervalSeconds: settings.throttleRetryIntervalSeconds,
        BackoffRate: settings.retryBackoffRate,
        MaxDelaySeconds: settings.throttleRetryMaxDelaySeconds,
        MaxAttempts: settings.throttleRetryMaxAttempts,
        JitterStrategy: 'FULL',
      });
      expect(transient).toEqual({
        ErrorEquals: publishTransientErrors,
        IntervalSeconds: settings.retryIntervalSeconds,
        BackoffRate: settings.retryBackoffRate,
        MaxDelaySeconds: settings.retryMaxDelaySeconds,
        MaxAttempts: settings.retryMaxAttempts,
        JitterStrategy: 'FULL',
      });
      // AND it cannot hang: a PutEvents call that never answers times out and is retried
      expect(state.TimeoutSeconds).toBeDefined();
    },
  );

  it('lets only the steps that do not decide the order give up and go on; every other task fails the execution where it stands', () => {
    // GIVEN every catcher of every state
    const catchAll = states.flatMap(([name, state]) =>
      (state.Catch ?? []).filter((catcher) => catcher.ErrorEquals.includes('States.ALL')).map((catcher) => [name, catcher.Next]),
    );
    // THEN only the optional steps catch everything, each into the state that records it and goes on
    expect(Object.fromEntries(catchAll)).toEqual(optionalSteps);
  });

  it('keeps its number placeholders quoted in the file, so the file stays JSON, and deploys them as numbers', () => {
    // GIVEN the file as written
    const written = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', orderStateMachineFile), 'utf8')) as StateMachine;
    // WHEN a retrier is read from it and from the deployed definition
    const writtenRetrier = written.States['Ask Cake Maker'].Retry?.[1];
    const deployedRetrier = definition.States['Ask Cake Maker'].Retry?.[1];
    // THEN the file holds placeholders and the deployed definition numbers
    expect(writtenRetrier?.MaxAttempts).toBe('${RetryMaxAttempts}');
    expect(typeof deployedRetrier?.MaxAttempts).toBe('number');
  });

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
