import { randomBytes } from 'node:crypto';
import { StatesError, type Json, type JsonObject, type TaskState } from './asl';
import { contextObject, data, isCurrent, noTruncation, stateOf, type Core, type LiveExecution } from './core';
import { andThen, evaluatorOf, settle } from './evaluation';
import { putEvents, putEventsRequest, putEventsResource } from './eventbridge';
import { emit } from './journal';
import { LambdaFunctionError, invokeFunction, invokeResult, isFunctionArn } from './lambda';
import type { TaskPhase, Thread } from './model';
import { completeWithResult, handleError } from './retry-catch';
import { closeToken, redact } from './task-tokens';
import { addDeadline } from './timers';

export function attemptTask(core: Core, live: LiveExecution, thread: Thread, state: TaskState): void {
  const resource = resourceKind(state.Resource);
  if (!resource) {
    throw new StatesError('States.Runtime', `Resource ${state.Resource} is not supported locally: use arn:aws:states:::lambda:invoke, its .waitForTaskToken form, a Lambda function ARN or ${putEventsResource}`);
  }
  const token = resource === 'callback' ? randomBytes(48).toString('base64url') : undefined;
  const context = contextObject(live, thread);
  if (token) context.Task = { Token: token };
  const evaluator = evaluatorOf(live, state);
  const scope = { input: thread.input, context };
  settle(
    core,
    live,
    thread,
    () => andThen(evaluator.effectiveInput(state, scope), (parameters) => andThen(evaluator.taskTimeouts(state, scope), (timeouts) => ({ parameters, timeouts }))),
    ({ parameters, timeouts }) => scheduleTask(core, live, thread, state, resource, token, parameters, timeouts),
    (error, cause) => handleError(core, live, thread, error, cause),
  );
}

function scheduleTask(
  core: Core,
  live: LiveExecution,
  thread: Thread,
  state: TaskState,
  resource: TaskPhase['resource'],
  token: string | undefined,
  parameters: Json,
  { timeoutSeconds, heartbeatSeconds }: { timeoutSeconds: number; heartbeatSeconds?: number },
): void {
  let functionName = state.Resource;
  let payload = parameters;
  if (resource === 'putEvents') {
    payload = putEventsRequest(parameters, live.record.executionArn, live.record.stateMachineArn) as unknown as Json;
  } else if (resource !== 'function') {
    const invoke = parameters as JsonObject | null;
    if (invoke === null || typeof invoke !== 'object' || Array.isArray(invoke) || typeof invoke.FunctionName !== 'string') {
      handleError(core, live, thread, 'States.Runtime', `The ${evaluatorOf(live, state).language === 'JSONata' ? 'Arguments' : 'Parameters'} of ${state.Resource} need a FunctionName string`);
      return;
    }
    functionName = invoke.FunctionName;
    payload = invoke.Payload ?? {};
  }
  const now = core.clock.now();
  if (resource === 'function') {
    emit(core, live, thread, 'LambdaFunctionScheduled', { resource: state.Resource, input: data(payload), inputDetails: noTruncation, timeoutInSeconds: timeoutSeconds });
  } else {
    emit(core, live, thread, 'TaskScheduled', {
      resourceType: resourceTypeOf(resource),
      resource: resourceName({ resource }),
      region: core.partition.region,
      parameters: redact(data(parameters), token),
      timeoutInSeconds: timeoutSeconds,
      heartbeatInSeconds: heartbeatSeconds,
    });
  }
  const phase: TaskPhase = {
    kind: 'task',
    resource,
    functionName,
    payload,
    token,
    invoked: false,
    timeoutSeconds,
    timeoutAt: now + timeoutSeconds * 1000,
  };
  if (resource === 'callback' && heartbeatSeconds !== undefined) {
    phase.heartbeatSeconds = heartbeatSeconds;
    phase.heartbeatAt = now + heartbeatSeconds * 1000;
    addDeadline(core, phase.heartbeatAt, live, thread.id);
  }
  thread.generation += 1;
  thread.phase = phase;
  if (token) core.tokens.set(token, { executionArn: live.record.executionArn, threadId: thread.id });
  addDeadline(core, phase.timeoutAt, live, thread.id);
  invoke(core, live, thread);
}

/** Invokes the task's function once the batch that records it is on disk, so a crash can never lose an invocation. */
export function invoke(core: Core, live: LiveExecution, thread: Thread): void {
  const generation = thread.generation;
  core.invocations += 1;
  core.store
    .flush()
    .then(async () => {
      if (!isCurrent(live, thread) || thread.generation !== generation || core.closed) return;
      const phase = thread.phase as TaskPhase;
      emit(core, live, thread, phase.resource === 'function' ? 'LambdaFunctionStarted' : 'TaskStarted', phase.resource === 'function' ? undefined : { resourceType: resourceTypeOf(phase.resource), resource: resourceName(phase) });
      try {
        if (phase.resource === 'putEvents') {
          const caller = { roleArn: live.record.roleArn, executionArn: live.record.executionArn };
          const response = await putEvents(core.eventBridge, phase.payload as never, caller);
          if (isCurrent(live, thread) && thread.generation === generation && !core.closed) published(core, live, thread, response as unknown as Json);
          return;
        }
        const { payload, requestId } = await invokeFunction(core.lambdas, core.partition, phase.functionName, phase.payload);
        if (isCurrent(live, thread) && thread.generation === generation && !core.closed) invoked(core, live, thread, phase, payload, requestId);
      } catch (thrown) {
        if (!isCurrent(live, thread) || thread.generation !== generation || core.closed) return;
        const failed = thrown instanceof LambdaFunctionError ? thrown : new LambdaFunctionError('Lambda.Unknown', String(thrown));
        emit(core, live, thread, phase.resource === 'function' ? 'LambdaFunctionFailed' : 'TaskFailed', {
          ...(phase.resource === 'function' ? {} : { resourceType: resourceTypeOf(phase.resource), resource: resourceName(phase) }),
          error: failed.error,
          cause: failed.cause,
        });
        closeToken(core, phase, 'CLOSED');
        thread.generation += 1;
        handleError(core, live, thread, failed.error, failed.cause);
      }
    })
    .catch((error: unknown) => {
      process.emitWarning(`Step Functions engine: ${error instanceof Error ? error.message : String(error)}`);
    })
    .finally(() => {
      core.invocations -= 1;
    });
}

function published(core: Core, live: LiveExecution, thread: Thread, response: Json): void {
  emit(core, live, thread, 'TaskSucceeded', { resourceType: 'events', resource: 'putEvents', output: data(response), outputDetails: noTruncation });
  thread.generation += 1;
  completeTask(core, live, thread, response);
}

function invoked(core: Core, live: LiveExecution, thread: Thread, phase: TaskPhase, payload: Json, requestId: string): void {
  if (phase.resource === 'callback') {
    phase.invoked = true;
    emit(core, live, thread, 'TaskSubmitted', {
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      output: redact(data(invokeResult(payload, requestId)), phase.token),
      outputDetails: noTruncation,
    });
    return;
  }
  const result = phase.resource === 'invoke' ? invokeResult(payload, requestId) : payload;
  if (phase.resource === 'invoke') {
    emit(core, live, thread, 'TaskSucceeded', { resourceType: 'lambda', resource: 'invoke', output: data(result), outputDetails: noTruncation });
  } else {
    emit(core, live, thread, 'LambdaFunctionSucceeded', { output: data(result), outputDetails: noTruncation });
  }
  thread.generation += 1;
  completeTask(core, live, thread, result);
}

export function completeTask(core: Core, live: LiveExecution, thread: Thread, result: Json): void {
  completeWithResult(core, live, thread, stateOf(live, thread) as TaskState, result);
}

export function timeOutTask(core: Core, live: LiveExecution, thread: Thread, phase: TaskPhase, error: 'States.Timeout' | 'States.HeartbeatTimeout'): void {
  const cause =
    error === 'States.Timeout'
      ? `The task did not finish within its ${phase.timeoutSeconds} s timeout.`
      : `The task sent no heartbeat for ${phase.heartbeatSeconds} s.`;
  if (phase.resource === 'function') {
    emit(core, live, thread, 'LambdaFunctionTimedOut', { error, cause });
  } else {
    emit(core, live, thread, 'TaskTimedOut', { resourceType: resourceTypeOf(phase.resource), resource: resourceName(phase), error, cause });
  }
  closeToken(core, phase, 'TIMED_OUT');
  thread.generation += 1;
  handleError(core, live, thread, error, cause);
}

function resourceKind(resource: string): TaskPhase['resource'] | undefined {
  if (resource === 'arn:aws:states:::lambda:invoke') return 'invoke';
  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') return 'callback';
  if (resource === putEventsResource) return 'putEvents';
  return isFunctionArn(resource) ? 'function' : undefined;
}

const resourceNames: Record<TaskPhase['resource'], string> = { invoke: 'invoke', callback: 'invoke.waitForTaskToken', function: 'invoke', putEvents: 'putEvents' };
const resourceName = (phase: Pick<TaskPhase, 'resource'>) => resourceNames[phase.resource];
const resourceTypeOf = (resource: TaskPhase['resource']) => (resource === 'putEvents' ? 'events' : 'lambda');
