/**
 * TestState: runs one state on an input, outside any execution, and reports what each step of its data flow made
 * of it. Task states invoke the engine's Lambda registry (or EventBridge port) as executions do.
 */
import type { InspectionData, TestStateInput, TestStateOutput } from '@aws-sdk/client-sfn';
import {
  exceedsTolerance,
  findCatcher,
  findRetrier,
  retryDelayMs,
  StatesError,
  NO_VARIABLES,
  variablesOf,
  type Json,
  type JsonObject,
  type MapState,
  type QueryEvaluator,
  type State,
  type StateScope,
  type TaskState,
} from './asl';
import { apiError } from './api-errors';
import { parseJson } from './api-input';
import type { Partition } from './arns';
import type { Clock } from './clock';
import { putEvents, putEventsRequest, putEventsResource, type EventBridgePort } from './eventbridge';
import { LambdaFunctionError, invokeFunction, invokeResult, isFunctionArn, type LambdaRegistry } from './lambda';
import { contextFor, mockOf, stateUnderTest, type Mock } from './test-state-setup';

/** What TestState needs of the engine: its Lambda functions and EventBridge port, clock, partition and jitter. */
export interface TestStatePorts {
  lambdas: LambdaRegistry;
  eventBridge?: EventBridgePort;
  clock: Clock;
  partition: Partition;
  random: () => number;
  defaultRoleArn: string;
}

type Status = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';
type Level = 'INFO' | 'DEBUG' | 'TRACE';
const LEVELS: readonly string[] = ['INFO', 'DEBUG', 'TRACE'];
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/\S+$/;

export async function testState(ports: TestStatePorts, input: TestStateInput): Promise<TestStateOutput> {
  const level = (input.inspectionLevel ?? 'INFO') as Level;
  if (!LEVELS.includes(level)) {
    throw apiError('ValidationException', `1 validation error detected: Value '${String(level)}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]`);
  }
  if (input.revealSecrets !== undefined && typeof input.revealSecrets !== 'boolean') throw apiError('ValidationException', 'revealSecrets must be true or false');
  if (input.roleArn !== undefined && (typeof input.roleArn !== 'string' || !ROLE_ARN.test(input.roleArn))) {
    throw apiError('InvalidArn', `Invalid Arn: '${String(input.roleArn)}': expected an IAM role ARN, arn:aws:iam::<account>:role/<name>`);
  }
  const test = stateUnderTest(input.definition, input.stateName);
  const stateInput = parseJson(input.input ?? '{}', 'InvalidExecutionInput', 'input');
  const variables = input.variables === undefined ? NO_VARIABLES : parseVariables(input.variables);
  const mock = mockOf(input, test.state);
  const context = contextFor(ports, test, stateInput, input.roleArn ?? ports.defaultRoleArn, variables, input.context);
  const configuration = { retriesSoFar: input.stateConfiguration?.retrierRetryCount ?? 0, failedIterations: input.stateConfiguration?.mapIterationFailureCount };
  const run = new StateRun(ports, test.state, test.evaluator, { input: stateInput, context }, level !== 'INFO', configuration);
  return run.execute(mock);
}

function parseVariables(text: string): JsonObject {
  const parsed = parseJson(text, 'ValidationException', 'variables');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw apiError('ValidationException', 'variables must be a JSON object of variable names to values');
  return parsed;
}

/** The request's stateConfiguration: retries already used, and Map iterations that failed. */
interface RunConfiguration {
  retriesSoFar: number;
  failedIterations?: number;
}

/** One run of the state: its steps in order, each recorded into inspection data when DEBUG or TRACE asks for it. */
class StateRun {
  private readonly inspection: InspectionData = {};
  private readonly jsonPath: boolean;

  constructor(
    private readonly ports: TestStatePorts,
    private readonly state: State,
    private readonly evaluator: QueryEvaluator,
    private readonly scope: StateScope,
    private readonly inspect: boolean,
    private readonly configuration: RunConfiguration,
  ) {
    this.jsonPath = evaluator.language === 'JSONPath';
    if (inspect) this.inspection.input = JSON.stringify(scope.input);
  }

  async execute(mock: Mock): Promise<TestStateOutput> {
    const state = this.state;
    try {
      switch (state.Type) {
        case 'Pass':
        case 'Succeed': {
          const effective = await this.effectiveInput();
          const result = state.Type === 'Pass' && state.Result !== undefined ? state.Result : effective;
          return await this.finish(result, state.Type === 'Pass' && !state.End ? state.Next : undefined, state.Type === 'Pass' && this.jsonPath);
        }
        case 'Wait': {
          // TestState reports where the state goes next without waiting out its time.
          await this.effectiveInput();
          await this.evaluator.waitUntil(state, this.scope, this.ports.clock.now());
          return await this.finish(this.scope.input, state.End ? undefined : state.Next, false);
        }
        case 'Choice': {
          await this.effectiveInput();
          const choice = await this.evaluator.choose(state, this.scope);
          return this.answer('SUCCEEDED', { output: JSON.stringify(choice.output), nextState: choice.next }, choice.assign);
        }
        case 'Fail': {
          const { error, cause } = await this.evaluator.failure(state, this.scope);
          return this.answer('FAILED', { error, cause });
        }
        case 'Task':
        case 'Parallel':
        case 'Map':
          return await this.runWithResult(state as TaskState, mock);
      }
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      return this.answer('FAILED', { error: error.error, cause: error.cause });
    }
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: unknown state type ${JSON.stringify((state as { Type?: unknown }).Type)}`);
  }

  /** Task (and a mocked Map or Parallel): its result, then Retry and Catch on any error on the way, as executions do. */
  private async runWithResult(state: TaskState, mock: Mock): Promise<TestStateOutput> {
    let result: Json;
    try {
      const parameters = (state as State).Type === 'Map' ? await this.mapItems(state as unknown as MapState) : await this.effectiveInput();
      if (mock && 'error' in mock) throw new StatesError(mock.error, mock.cause);
      result = mock ? mock.result : await this.invoke(state, parameters);
      return await this.finish(result, state.End ? undefined : state.Next, true);
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      return this.handle(state, error.error, error.cause);
    }
  }

  /**
   * A Map's items and limits, each step recorded as the guide's "Understanding Map state inspection data" lists them;
   * the iterations themselves are the mock. Failed iterations past the Map's tolerance fail it.
   */
  private async mapItems(state: MapState): Promise<Json> {
    const effective = await this.effectiveInput();
    const start = await this.evaluator.mapStart(state, this.scope, effective);
    const selector = state.ItemSelector ?? state.Parameters;
    if (this.inspect) {
      if (this.jsonPath) this.inspection.afterItemsPath = JSON.stringify(start.items);
      if (selector !== undefined) this.inspection.afterItemSelector = JSON.stringify(await this.itemInputs(state, effective, start.items));
      this.inspection.maxConcurrency = start.maxConcurrency;
      if (start.tolerance?.count !== undefined) this.inspection.toleratedFailureCount = start.tolerance.count;
      if (start.tolerance?.percentage !== undefined) this.inspection.toleratedFailurePercentage = start.tolerance.percentage;
    }
    const failed = this.configuration.failedIterations ?? 0;
    if (failed > start.items.length) {
      throw apiError('ValidationException', `stateConfiguration.mapIterationFailureCount (${failed}) cannot exceed the number of items (${start.items.length})`);
    }
    if (start.tolerance && exceedsTolerance(start.tolerance, failed, start.items.length)) {
      throw new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
    }
    return effective;
  }

  private async itemInputs(state: MapState, effective: Json, items: Json[]): Promise<Json[]> {
    const inputs: Json[] = [];
    for (const [index, value] of items.entries()) {
      const context = { ...this.scope.context, Map: { Item: { Index: index, Value: value } } };
      inputs.push(await this.evaluator.mapItemInput(state, effective, { input: this.scope.input, context }));
    }
    return inputs;
  }

  private async invoke(state: TaskState, parameters: Json): Promise<Json> {
    try {
      if (state.Resource === putEventsResource) {
        const caller = { roleArn: this.scope.context.Execution.RoleArn, executionArn: this.scope.context.Execution.Id };
        const request = putEventsRequest(parameters, caller.executionArn, this.scope.context.StateMachine.Id);
        return (await putEvents(this.ports.eventBridge, request, caller)) as unknown as Json;
      }
      if (isFunctionArn(state.Resource)) return (await invokeFunction(this.ports.lambdas, this.ports.partition, state.Resource, parameters)).payload;
      if (state.Resource !== 'arn:aws:states:::lambda:invoke') {
        throw apiError('ValidationException', `TestState runs ${state.Resource} only with a mock: the local engine invokes arn:aws:states:::lambda:invoke, Lambda function ARNs and ${putEventsResource}`);
      }
      const invoke = parameters as JsonObject | null;
      if (invoke === null || typeof invoke !== 'object' || Array.isArray(invoke) || typeof invoke.FunctionName !== 'string') {
        throw new StatesError('States.Runtime', `The ${this.jsonPath ? 'Parameters' : 'Arguments'} of ${state.Resource} need a FunctionName string`);
      }
      const { payload, requestId } = await invokeFunction(this.ports.lambdas, this.ports.partition, invoke.FunctionName, invoke.Payload ?? {});
      return invokeResult(payload, requestId);
    } catch (thrown) {
      if (thrown instanceof LambdaFunctionError) throw new StatesError(thrown.error, thrown.cause);
      throw thrown;
    }
  }

  /** A retrier that still has attempts makes the state RETRIABLE; else a catcher makes it CAUGHT_ERROR; else it FAILED. */
  private async handle(state: TaskState, error: string, cause: string | undefined): Promise<TestStateOutput> {
    const retryIndex = findRetrier(state.Retry, error, []);
    const retrier = retryIndex === undefined ? undefined : state.Retry![retryIndex];
    if (retrier && this.configuration.retriesSoFar < (retrier.MaxAttempts ?? 3)) {
      const seconds = Math.round(retryDelayMs(retrier, this.configuration.retriesSoFar, this.ports.random) / 1000);
      if (this.inspect) this.inspection.errorDetails = { retryIndex, retryBackoffIntervalSeconds: seconds };
      return this.answer('RETRIABLE', { error, cause });
    }
    const catcher = findCatcher(state.Catch, error);
    if (!catcher) return this.answer('FAILED', { error, cause });
    if (this.inspect) this.inspection.errorDetails = { catchIndex: state.Catch!.indexOf(catcher) };
    const errorOutput: JsonObject = { Error: error, ...(cause === undefined ? {} : { Cause: cause }) };
    try {
      const outcome = await this.evaluator.caught(catcher, this.scope, errorOutput);
      return this.answer('CAUGHT_ERROR', { output: JSON.stringify(outcome.output), nextState: catcher.Next, error, cause }, outcome.assign);
    } catch (failed) {
      if (!(failed instanceof StatesError)) throw failed;
      return this.answer('FAILED', { error: failed.error, cause: failed.cause });
    }
  }

  /** InputPath then Parameters (JSONPath), or Arguments (JSONata), each step recorded. */
  private async effectiveInput(): Promise<Json> {
    const state = this.state as State & { Parameters?: unknown; Arguments?: unknown };
    if (this.inspect && this.jsonPath) {
      const afterInputPath = await this.evaluator.effectiveInput({ ...state, Parameters: undefined } as State, this.scope);
      this.inspection.afterInputPath = JSON.stringify(afterInputPath);
    }
    const effective = await this.evaluator.effectiveInput(this.state, this.scope);
    if (this.inspect && this.jsonPath && state.Parameters !== undefined && state.Type !== 'Map') this.inspection.afterParameters = JSON.stringify(effective);
    if (this.inspect && !this.jsonPath && state.Arguments !== undefined) this.inspection.afterArguments = JSON.stringify(effective);
    return effective;
  }

  /** The output from the result (ResultSelector, ResultPath, OutputPath or Output, and Assign), each step recorded. */
  private async finish(result: Json, next: string | undefined, hasResult: boolean): Promise<TestStateOutput> {
    const state = this.state as TaskState;
    if (this.inspect && hasResult) {
      this.inspection.result = JSON.stringify(result);
      if (this.jsonPath) {
        // The same evaluator over the state cut short after each step: ResultSelector alone, then with ResultPath.
        const selected = await this.evaluator.complete({ Type: 'Task', Resource: state.Resource, ResultSelector: state.ResultSelector, ResultPath: '$', End: true } as TaskState, this.scope, result);
        if (state.ResultSelector !== undefined) this.inspection.afterResultSelector = JSON.stringify(selected.output);
        const placed = await this.evaluator.complete({ Type: 'Task', Resource: state.Resource, ResultSelector: state.ResultSelector, ResultPath: state.ResultPath, End: true } as TaskState, this.scope, result);
        this.inspection.afterResultPath = JSON.stringify(placed.output);
      }
    }
    const outcome = await this.evaluator.complete(this.state, this.scope, result);
    return this.answer('SUCCEEDED', { output: JSON.stringify(outcome.output), nextState: next }, outcome.assign);
  }

  private answer(status: Status, fields: Pick<TestStateOutput, 'output' | 'error' | 'cause' | 'nextState'>, assign?: JsonObject): TestStateOutput {
    if (this.inspect) {
      const variables = { ...variablesOf(this.scope.context), ...(assign ?? {}) };
      if (Object.keys(variables).length > 0) this.inspection.variables = JSON.stringify(variables);
    }
    return { ...fields, status, ...(this.inspect && { inspectionData: this.inspection }) };
  }
}
