/**
 * The local Step Functions engine: durable, event-sourced executions of Amazon States Language state machines
 * whose tasks are in-process Lambda handlers.
 *
 *   const engine = await openEngine({ dataDir: '.local/sfn', lambdas: { 'arn:aws:lambda:us-east-1:000000000000:function:hello': async (event) => ({ hi: event }) } });
 *   const { stateMachineArn } = await engine.createStateMachine({ name: 'orders', definition, roleArn });
 *   await engine.startExecution({ stateMachineArn, name: 'order-42', input: '{}' });
 *   const server = await startStepFunctionsServer(engine, { port: 8083 }); // @aws-sdk/client-sfn and the AWS CLI, with an endpoint override
 *   ...
 *   await server.close();
 *   await engine.close();
 *
 * - Engine methods mirror the API actions with the SDK's input and output shapes and throw errors named like the
 *   SDK's (`ExecutionAlreadyExists`, `TaskTimedOut`, ...): createStateMachine, describeStateMachine,
 *   listStateMachines, updateStateMachine, deleteStateMachine, publishStateMachineVersion, listStateMachineVersions,
 *   deleteStateMachineVersion, the five StateMachineAlias actions, startExecution (on a machine, version or alias ARN),
 *   describeExecution, describeStateMachineForExecution, listExecutions, getExecutionHistory, stopExecution,
 *   redriveExecution, sendTaskSuccess, sendTaskFailure, sendTaskHeartbeat, validateStateMachineDefinition, testState.
 * - `store: 'memory'` instead of `dataDir` runs the same code on an in-memory LevelDB, for unit tests.
 * - `clock: new ManualClock()` lets a test move time (`clock.advance(ms)` or `engine.advanceClock(seconds)`);
 *   `await engine.whenIdle()` then waits until everything that became runnable has run.
 * - Task resources: `arn:aws:states:::lambda:invoke`, `arn:aws:states:::lambda:invoke.waitForTaskToken` and plain
 *   Lambda function ARNs, resolved through `lambdas` by function ARN or name. A handler that throws a
 *   LambdaServiceException fails the task as the Lambda service would (`Lambda.TooManyRequestsException`, ...).
 * - `arn:aws:states:::events:putEvents` tasks call `eventBridge`, a PutEvents port the caller provides, with the
 *   execution's role; failed entries fail the task with `EventBridge.FailedEntry`, a rejection with `EventBridge.<name>`.
 * - `executionStatus` hears each status change (RUNNING at a start or redrive, then SUCCEEDED, FAILED, TIMED_OUT or
 *   ABORTED) as the detail of Step Functions' "Step Functions Execution Status Change" event, once it is on disk.
 * - `npx tsx infra/local/engine/main.ts --help` runs it as a process.
 */
export { openEngine, Engine, type EngineOptions } from './engine';
export { startStepFunctionsServer, type StepFunctionsServer } from './server';
export { ManualClock, SystemClock, type Clock } from './clock';
export { StepFunctionsApiError } from './api-errors';
export { lambdaFunctionArn } from './arns';
export { LambdaServiceException } from './lambda';
export type { LambdaHandler, LambdaInvocation, LambdaRegistry } from './lambda';
export { putEventsResource, type EventBridgePort, type ExecutionStatusChange, type ExecutionStatusPort, type PutEventsCaller, type PutEventsEntry, type PutEventsResponse } from './eventbridge';
