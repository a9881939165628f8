import { createHash } from 'node:crypto';
import { NO_VARIABLES, queryLanguages, StatesError, withVariables, type ContextObject, type Json, type JsonObject, type MapState, type Outcome, type ParallelState, type QueryLanguageName, type State, type StateMachineDefinition } from './asl';
import type { Partition } from './arns';
import type { Clock } from './clock';
import type { DeadlineQueue } from './deadline-queue';
import type { EventBridgePort, ExecutionStatusPort } from './eventbridge';
import type { LambdaRegistry } from './lambda';
import type { ExecutionRecord, Runtime, TaskPhase, Thread } from './model';
import type { Store } from './store';

/** A validated definition, with the states of each nested scope looked up once. */
export interface Program {
  definition: StateMachineDefinition;
  scopes: Map<string, Record<string, State>>;
  /** Each state's query language, top-level default applied. */
  languages: WeakMap<State, QueryLanguageName>;
}

export function programOf(definition: StateMachineDefinition): Program {
  return { definition, scopes: new Map(), languages: queryLanguages(definition) };
}

export interface LiveExecution {
  record: ExecutionRecord;
  runtime: Runtime;
  program: Program;
  input: Json;
  ended: boolean;
  /** Serialised events not yet in a batch, comma-separated; they are written as one chunk keyed by the first id. */
  unwritten: string;
  firstUnwritten: number;
  startTime?: string;
}

export type Branching = ParallelState | MapState;

/** A thread of a running execution; thread id -1 stands for the execution itself (its TimeoutSeconds). */
export interface ThreadAddress {
  executionArn: string;
  threadId: number;
}

/**
 * The running side of the engine, shared by the modules that interpret executions: its state, and the few
 * interpreter steps that lower modules (timers, retry and catch, branches) call back into. Runner implements it.
 */
export interface Core {
  readonly clock: Clock;
  readonly partition: Partition;
  /** Source of retry jitter. */
  readonly random: () => number;
  readonly lambdas: LambdaRegistry;
  /** PutEvents for `arn:aws:states:::events:putEvents` tasks, when the engine's caller provides it. */
  readonly eventBridge?: EventBridgePort;
  readonly executionStatus?: ExecutionStatusPort;
  readonly store: Store;
  readonly live: Map<string, LiveExecution>;
  /** The open task of each task token. */
  readonly tokens: Map<string, ThreadAddress>;
  /** Executions with events or a snapshot not yet in a batch. */
  readonly dirty: Set<LiveExecution>;
  readonly deadlines: DeadlineQueue<ThreadAddress>;
  /** Threads whose next state is runnable, from readyHead on. */
  ready: [LiveExecution, Thread][];
  readyHead: number;
  pumpScheduled: boolean;
  deadlineCheckScheduled: boolean;
  /** When the clock's timer fires; Infinity when none is set. */
  armedAt: number;
  disarm: () => void;
  /** Lambda invocations in flight. */
  invocations: number;
  /** JSONata evaluations in flight. */
  evaluations: number;
  lastSerialised: { value: Json | undefined; text: string };
  closed: boolean;

  spawn(live: LiveExecution, parent: Thread | undefined, scope: string, state: string, input: Json, index?: number): Thread;
  attempt(live: LiveExecution, thread: Thread, state: State): void;
  exit(live: LiveExecution, thread: Thread, state: State, output: Json, next: string | undefined): void;
  exitWith(live: LiveExecution, thread: Thread, state: State, outcome: Outcome, next: string | undefined): void;
  /** A Wait state's time is up: its output and Assign, then the next state. */
  finishWait(live: LiveExecution, thread: Thread, state: State): void;
  continueThread(live: LiveExecution, thread: Thread): void;
  failThread(live: LiveExecution, thread: Thread, error: string | undefined, cause: string | undefined): void;
  timeOutTask(live: LiveExecution, thread: Thread, phase: TaskPhase, error: 'States.Timeout' | 'States.HeartbeatTimeout'): void;
}

// State names may contain '/', but not control characters.
const SCOPE_SEPARATOR = '\u001f';

export const statusOf = (error: unknown) => (error instanceof StatesError ? { error: error.error, cause: error.cause } : { error: 'States.Runtime', cause: String(error instanceof Error ? error.message : error) });
export const hash = (text: string) => createHash('sha256').update(text).digest('hex');
export const data = (value: Json) => JSON.stringify(value);
export const noTruncation = { truncated: false };

// Thousands of transitions share a millisecond, so the last conversion is worth keeping.
let lastIso = { ms: NaN, text: '' };
function isoTime(ms: number): string {
  if (lastIso.ms !== ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

export function isCurrent(live: LiveExecution, thread: Thread): boolean {
  return !live.ended && live.runtime.threads[thread.id] === thread;
}

function statesOf(live: LiveExecution, scope: string): Record<string, State> {
  const cached = live.program.scopes.get(scope);
  if (cached) return cached;
  let states = live.program.definition.States;
  const parts = scope.split(SCOPE_SEPARATOR);
  for (let i = 0; i < parts.length; i++) {
    const state = states[parts[i]] as Branching;
    if (state.Type === 'Parallel') {
      states = state.Branches[Number(parts[++i])].States;
    } else {
      states = (state.ItemProcessor ?? state.Iterator)!.States;
    }
  }
  live.program.scopes.set(scope, states);
  return states;
}

export function stateOf(live: LiveExecution, thread: Thread): State {
  return (thread.scope === '' ? live.program.definition.States : statesOf(live, thread.scope))[thread.state];
}

/** The scope of the states inside the thread's Parallel branch or Map iteration. */
export const scopeOf = (thread: Thread, branch?: string) =>
  [thread.scope, thread.state, branch].filter((part): part is string => part !== undefined && part !== '').join(SCOPE_SEPARATOR);

export function contextObject(live: LiveExecution, thread: Thread): ContextObject {
  const record = live.record;
  const execution: ContextObject['Execution'] = {
    Id: record.executionArn,
    Name: record.name,
    StartTime: (live.startTime ??= new Date(record.startDate).toISOString()),
    Input: live.input,
    RoleArn: record.roleArn,
    RedriveCount: record.redriveCount,
  };
  if (record.redriveDate !== undefined) execution.RedriveTime = new Date(record.redriveDate).toISOString();
  const context: ContextObject = {
    Execution: execution,
    StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineName },
    State: { Name: thread.state, EnteredTime: isoTime(thread.enteredTime), RetryCount: thread.retryCount },
  };
  return withVariables(context, variablesIn(live, thread));
}

/**
 * The variables a thread sees: its own over those of the threads it runs inside (a Parallel branch or Map
 * iteration reads its parents' variables; they never see its own).
 */
export function variablesIn(live: LiveExecution, thread: Thread): Readonly<JsonObject> {
  let visible: Readonly<JsonObject> = NO_VARIABLES;
  for (let current: Thread | undefined = thread; current !== undefined; current = current.parent === undefined ? undefined : live.runtime.threads[current.parent]) {
    if (current.variables === undefined) continue;
    visible = visible === NO_VARIABLES ? current.variables : { ...current.variables, ...visible };
  }
  return visible;
}
