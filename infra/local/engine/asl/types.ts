export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Where the context object carries the workflow variables in scope (see variables.ts); `$$` never shows them. */
export const VARIABLES: unique symbol = Symbol('variables');

export interface ContextObject {
  /** RedriveTime is there only once the execution has been redriven. */
  Execution: { Id: string; Name: string; StartTime: string; Input: Json; RoleArn: string; RedriveCount: number; RedriveTime?: string };
  StateMachine: { Id: string; Name: string };
  State: { Name: string; EnteredTime: string; RetryCount: number };
  Task?: { Token: string };
  Map?: { Item: { Index: number; Value: Json } };
  [VARIABLES]?: Readonly<JsonObject>;
}

/** A Step Functions error: `error` is the error name (e.g. 'States.Runtime', 'OrderCancelled'), `cause` its cause text. */
export class StatesError extends Error {
  override name = 'StatesError';

  constructor(
    readonly error: string,
    readonly cause?: string,
  ) {
    super(cause === undefined ? error : `${error}: ${cause}`);
  }
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
  Comment?: string;
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Comment?: string;
  Assign?: JsonObject;
  /** JSONata only. */
  Output?: Json;
}

export type QueryLanguageName = 'JSONPath' | 'JSONata';

/**
 * The fields every state may have. In a JSONata state the numeric fields (Seconds, TimeoutSeconds, MaxConcurrency …)
 * may also hold a `{% %}` string; the JSONata evaluator reads them as JSON, so their types here stay the JSONPath ones.
 */
interface StateBase {
  Comment?: string;
  QueryLanguage?: QueryLanguageName;
  Assign?: JsonObject;
  /** JSONata only: the state output. */
  Output?: Json;
}

interface Transition {
  Next?: string;
  End?: boolean;
}

interface InputOutput {
  InputPath?: string | null;
  OutputPath?: string | null;
}

export interface PassState extends StateBase, Transition, InputOutput {
  Type: 'Pass';
  Parameters?: JsonObject;
  Result?: Json;
  ResultPath?: string | null;
}

export interface TaskState extends StateBase, Transition, InputOutput {
  Type: 'Task';
  Resource: string;
  Parameters?: JsonObject;
  /** JSONata only. */
  Arguments?: Json;
  ResultSelector?: JsonObject;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  Credentials?: JsonObject;
}

export interface ChoiceRule {
  Variable?: string;
  /** JSONata only: a `{% %}` boolean expression. */
  Condition?: Json;
  Assign?: JsonObject;
  /** JSONata only. */
  Output?: Json;
  Next?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Comment?: string;
  [operator: string]: Json | ChoiceRule | ChoiceRule[] | undefined;
}

export interface ChoiceState extends StateBase, InputOutput {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export interface WaitState extends StateBase, Transition, InputOutput {
  Type: 'Wait';
  Seconds?: number;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

export interface SucceedState extends StateBase, InputOutput {
  Type: 'Succeed';
}

export interface FailState extends StateBase {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export interface ParallelState extends StateBase, Transition, InputOutput {
  Type: 'Parallel';
  Branches: StateMachineDefinition[];
  Parameters?: JsonObject;
  /** JSONata only. */
  Arguments?: Json;
  ResultSelector?: JsonObject;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface MapState extends StateBase, Transition, InputOutput {
  Type: 'Map';
  ItemProcessor?: StateMachineDefinition & { ProcessorConfig?: JsonObject };
  /** The pre-2022 name of ItemProcessor. */
  Iterator?: StateMachineDefinition;
  ItemsPath?: string;
  /** JSONata only: an array or a `{% %}` expression. */
  Items?: Json;
  ItemSelector?: JsonObject;
  /** The pre-2022 name of ItemSelector. */
  Parameters?: JsonObject;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ToleratedFailureCount?: number;
  ToleratedFailureCountPath?: string;
  ToleratedFailurePercentage?: number;
  ToleratedFailurePercentagePath?: string;
  ResultSelector?: JsonObject;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export type State = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, State>;
  Comment?: string;
  TimeoutSeconds?: number;
  Version?: string;
  QueryLanguage?: QueryLanguageName;
}
