import type { Json, JsonObject, Tolerance } from './asl';

/** What the store keeps about an execution; the live part (`Runtime`) exists only while it runs. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  definitionHash: string;
  roleArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
  lastEventId: number;
  /** Set when the execution was started on a version ARN, or on an alias (which picked this version). */
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
  /** The revision the execution runs, for DescribeStateMachineForExecution: absent for a machine never updated. */
  revisionId?: string;
  /** When that revision was made (the machine's creation or its last update before the start). */
  revisionDate?: number;
  /** The top-level state a redrive restarts from, with the input it had, and what its branches had done. */
  redriveFrom?: { state: string; input: Json; branches?: BranchesProgress; variables?: JsonObject };
}

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  definition: string;
  definitionHash: string;
  roleArn: string;
  creationDate: number;
  /** Set by UpdateStateMachine; AWS gives a machine that was never updated no revision id. */
  revisionId?: string;
  updateDate?: number;
  /** The number the next published version gets; numbers are never reused, even after a delete. */
  nextVersion?: number;
}

/** An immutable, numbered snapshot of a state machine's revision. */
export interface VersionRecord {
  stateMachineName: string;
  version: number;
  arn: string;
  definition: string;
  definitionHash: string;
  roleArn: string;
  revisionId?: string;
  /** When the revision was made, for DescribeStateMachineForExecution. */
  revisionDate: number;
  description?: string;
  creationDate: number;
}

export interface RoutingEntry {
  stateMachineVersionArn: string;
  weight: number;
}

export interface AliasRecord {
  stateMachineName: string;
  name: string;
  arn: string;
  description?: string;
  routingConfiguration: RoutingEntry[];
  creationDate: number;
  updateDate: number;
}

/**
 * One line of control inside an execution: the main one, a Parallel branch or a Map iteration. Everything here
 * is plain JSON, so a snapshot of it is all a restarted engine needs to continue.
 */
export interface Thread {
  id: number;
  parent?: number;
  /** Branch or item index in the parent's Parallel or Map state. */
  index?: number;
  /** Where the thread's states live: '' for the top level, else state names (and branch indexes) joined by U+001F. */
  scope: string;
  state: string;
  /** The raw input of the current state. */
  input: Json;
  enteredTime: number;
  retryCount: number;
  retriesUsed: number[];
  lastEventId: number;
  /** Bumped whenever the thread moves on, so late results of an abandoned attempt are recognised and dropped. */
  generation: number;
  phase: Phase;
  /** The workflow variables assigned in this thread's scope; kept in the snapshot, so they survive a restart. */
  variables?: JsonObject;
  /** Set on a redriven Parallel or Map state: its next attempt keeps these results and runs only the rest. */
  redrive?: BranchesProgress;
}

export type Phase =
  | { kind: 'enter' }
  | { kind: 'wait'; until: number }
  | { kind: 'backoff'; until: number }
  /** A JSONata state's expressions are being evaluated (asynchronously) before it acts. */
  | { kind: 'evaluate' }
  | TaskPhase
  | BranchesPhase;

export interface TaskPhase {
  kind: 'task';
  /** putEvents: the optimized EventBridge integration, whose payload is the PutEvents request. */
  resource: 'invoke' | 'callback' | 'function' | 'putEvents';
  functionName: string;
  payload: Json;
  token?: string;
  /** The invocation returned; a callback task now waits for its token. */
  invoked: boolean;
  timeoutSeconds: number;
  timeoutAt: number;
  heartbeatSeconds?: number;
  heartbeatAt?: number;
}

export interface BranchesPhase {
  kind: 'branches';
  results: Json[];
  remaining: number;
  /** Map only: the items, and the next one to start under MaxConcurrency. */
  items?: Json[];
  nextItem: number;
  effectiveInput: Json;
  /** By branch or item index: whether it succeeded, so a redrive can keep its result. */
  succeeded?: boolean[];
  /** Map only, when it sets a tolerance: the thresholds, and how many iterations have failed so far. */
  tolerance?: Tolerance;
  failed?: number;
}

/** What a Parallel or Map state that did not succeed had done, for RedriveExecution to carry on from. */
export interface BranchesProgress {
  results: Json[];
  succeeded: boolean[];
  items?: Json[];
  effectiveInput: Json;
}

export interface Runtime {
  lastEventId: number;
  nextThreadId: number;
  /** The execution's TimeoutSeconds deadline. */
  deadline?: number;
  threads: Record<string, Thread>;
}

export interface StoredEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export const keys = {
  stateMachine: (name: string) => `sm/${name}`,
  stateMachines: 'sm/',
  definition: (hash: string) => `def/${hash}`,
  version: (stateMachineName: string, version: number) => `smv/${stateMachineName}/${String(version).padStart(10, '0')}`,
  versions: 'smv/',
  alias: (stateMachineName: string, name: string) => `sma/${stateMachineName}/${name}`,
  aliases: 'sma/',
  execution: (stateMachineName: string, name: string) => `ex/${stateMachineName}/${name}`,
  executions: (stateMachineName: string) => `ex/${stateMachineName}/`,
  live: (executionArn: string) => `live/${executionArn}`,
  lives: 'live/',
  event: (executionArn: string, id: number) => `ev/${executionArn}/${String(id).padStart(10, '0')}`,
  events: (executionArn: string) => `ev/${executionArn}/`,
  token: (tokenHash: string) => `tk/${tokenHash}`,
  clock: 'meta/clock',
};
