import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DeleteStateMachineInput,
  DeleteStateMachineOutput,
  DescribeExecutionInput,
  DescribeExecutionOutput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  HistoryEvent,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  RedriveExecutionInput,
  RedriveExecutionOutput,
  SendTaskFailureInput,
  SendTaskFailureOutput,
  SendTaskHeartbeatInput,
  SendTaskHeartbeatOutput,
  SendTaskSuccessInput,
  SendTaskSuccessOutput,
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import {
  assertPayloadSize,
  catchOutput,
  chooseNext,
  failure,
  findCatcher,
  findRetrier,
  mapItemInput,
  mapItems,
  prepareInput,
  prepareOutput,
  retryDelayMs,
  StatesError,
  taskTimeouts,
  validateDefinition,
  waitUntil,
  type ContextObject,
  type Json,
  type JsonObject,
  type MapState,
  type ParallelState,
  type State,
  type StateMachineDefinition,
  type TaskState,
} from './asl';
import { apiError } from './api-errors';
import { assertName, executionArn, parseExecutionArn, parseStateMachineArn, stateMachineArn, type Partition } from './arns';
import { ManualClock, SystemClock, type Clock } from './clock';
import { DeadlineQueue } from './deadline-queue';
import { LambdaFunctionError, invokeFunction, invokeResult, isFunctionArn, type LambdaRegistry } from './lambda';
import { keys, type BranchesPhase, type BranchesProgress, type ExecutionRecord, type Runtime, type StateMachineRecord, type StoredEvent, type TaskPhase, type Thread } from './model';
import { Store } from './store';

export interface EngineOptions {
  /** Directory of the LevelDB database; omit it and pass `store: 'memory'` for a throw-away engine. */
  dataDir?: string;
  store?: 'memory';
  clock?: Clock;
  lambdas: LambdaRegistry;
  region?: string;
  accountId?: string;
  /** Source of retry jitter; task tokens always come from the crypto RNG. */
  random?: () => number;
  /** Role ARN used when a caller gives none. */
  defaultRoleArn?: string;
}

interface Program {
  definition: StateMachineDefinition;
  scopes: Map<string, Record<string, State>>;
}

interface LiveExecution {
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

type Branching = ParallelState | MapState;

// State names may contain '/', but not control characters.
const SCOPE_SEPARATOR = '\u001f';
const REDACTED_TOKEN = '<task token>';
const TASK_GONE = "Task Timed Out: 'Provided task does not exist anymore'";
const TOKEN = /^[A-Za-z0-9_-]{64}$/;
const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;
const PAYLOAD_LIMIT = 256 * 1024;
// One thread may take this many transitions before others get a turn, so a Choice loop cannot starve the rest.
const TRANSITIONS_PER_TURN = 200;
const TRANSITIONS_PER_PUMP = 2_000;

const statusOf = (error: unknown) => (error instanceof StatesError ? { error: error.error, cause: error.cause } : { error: 'States.Runtime', cause: String(error instanceof Error ? error.message : error) });
const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const data = (value: Json) => JSON.stringify(value);
const noTruncation = { truncated: false };

/** `TaskScheduled` -> `taskScheduledEventDetails`: the field AWS puts an event's details in. */
const detailsKey = (type: string) => `${type[0].toLowerCase()}${type.slice(1)}EventDetails`;

// Thousands of transitions share a millisecond, so the last conversion is worth keeping.
let lastIso = { ms: NaN, text: '' };
function isoTime(ms: number): string {
  if (lastIso.ms !== ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  if (!options.dataDir && options.store !== 'memory') throw new Error("openEngine needs a dataDir, or store: 'memory'");
  const store = await Store.open(options.dataDir ? { dataDir: options.dataDir } : { store: 'memory' });
  const engine = new Engine(store, options);
  await engine.recover();
  return engine;
}

/**
 * A durable Step Functions engine. Each execution's history is appended to LevelDB together with a snapshot of
 * its live state in the same atomic batch, so a process killed at any moment restarts exactly where its last
 * batch left it. Only running executions are held in memory.
 */
export class Engine {
  readonly clock: Clock;
  private readonly partition: Partition;
  private readonly random: () => number;
  private readonly defaultRoleArn: string;
  private readonly stateMachines = new Map<string, StateMachineRecord>();
  private readonly programs = new Map<string, Program>();
  private readonly live = new Map<string, LiveExecution>();
  private readonly tokens = new Map<string, { executionArn: string; threadId: number }>();
  private readonly dirty = new Set<LiveExecution>();
  private readonly deadlines = new DeadlineQueue<{ executionArn: string; threadId: number }>();
  private ready: [LiveExecution, Thread][] = [];
  private readyHead = 0;
  private pumpScheduled = false;
  private deadlineCheckScheduled = false;
  private armedAt = Infinity;
  private disarm: () => void = () => undefined;
  private invocations = 0;
  private lastSerialised: { value: Json | undefined; text: string } = { value: undefined, text: '' };
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: EngineOptions,
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.partition = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
    this.random = options.random ?? Math.random;
    this.defaultRoleArn = options.defaultRoleArn ?? `arn:aws:iam::${this.partition.accountId}:role/local-step-functions`;
    store.beforeWrite = () => {
      // Transitions that are ready run before the batch is cut, so an execution that starts and finishes
      // within one batch never needs a snapshot of its live state.
      if (this.readyHead < this.ready.length) this.pump();
      this.writeSnapshots();
    };
  }

  // ---- State machines ----

  async createStateMachine(input: Omit<CreateStateMachineInput, 'roleArn'> & { roleArn?: string }): Promise<CreateStateMachineOutput> {
    assertName(input.name, 'state machine');
    if (input.type !== undefined && input.type !== 'STANDARD') {
      throw apiError('StateMachineTypeNotSupported', `The local engine runs STANDARD state machines only, not ${input.type}`);
    }
    if (typeof input.definition !== 'string') throw apiError('InvalidDefinition', 'definition must be a string of Amazon States Language JSON');
    const definitionHash = hash(input.definition);
    // asl-validator compiles its JSON schemas on every call (hundreds of milliseconds), so a definition is
    // checked here, once, and never again when executions start or the engine restarts.
    if (!this.programs.has(definitionHash)) this.programs.set(definitionHash, { definition: parseDefinition(input.definition), scopes: new Map() });
    const roleArn = input.roleArn ?? this.defaultRoleArn;
    const existing = this.stateMachines.get(input.name);
    if (existing) {
      // AWS makes creation idempotent: the same name and definition return the machine that exists.
      if (existing.definition === input.definition && existing.roleArn === roleArn) {
        return { stateMachineArn: existing.stateMachineArn, creationDate: new Date(existing.creationDate) };
      }
      throw apiError('StateMachineAlreadyExists', `State Machine Already Exists: '${existing.stateMachineArn}'`);
    }
    const record: StateMachineRecord = {
      stateMachineArn: stateMachineArn(this.partition, input.name),
      name: input.name,
      definition: input.definition,
      definitionHash,
      roleArn,
      creationDate: this.clock.now(),
    };
    this.stateMachines.set(record.name, record);
    this.store.put(keys.definition(record.definitionHash), record.definition);
    this.store.put(keys.stateMachine(record.name), JSON.stringify(record));
    await this.store.flush();
    return { stateMachineArn: record.stateMachineArn, creationDate: new Date(record.creationDate) };
  }

  async describeStateMachine(input: DescribeStateMachineInput): Promise<DescribeStateMachineOutput> {
    const record = this.stateMachineOf(input.stateMachineArn);
    return {
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: 'ACTIVE',
      definition: record.definition,
      roleArn: record.roleArn,
      type: 'STANDARD',
      creationDate: new Date(record.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  async listStateMachines(input: ListStateMachinesInput = {}): Promise<ListStateMachinesOutput> {
    const all = [...this.stateMachines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input.maxResults, input.nextToken);
    return {
      stateMachines: page.map((record) => ({
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        type: 'STANDARD',
        creationDate: new Date(record.creationDate),
      })),
      nextToken,
    };
  }

  async deleteStateMachine(input: DeleteStateMachineInput): Promise<DeleteStateMachineOutput> {
    const name = parseStateMachineArn(this.partition, input.stateMachineArn);
    // Running executions keep their definition: they load it by hash, which is never deleted.
    if (this.stateMachines.delete(name)) {
      this.store.del(keys.stateMachine(name));
      await this.store.flush();
    }
    return {};
  }

  // ---- Executions ----

  async startExecution(input: StartExecutionInput): Promise<StartExecutionOutput> {
    const machine = this.stateMachineOf(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    assertName(name, 'execution');
    const inputText = input.input ?? '{}';
    const parsed = parseJson(inputText, 'InvalidExecutionInput', 'input');
    if (Buffer.byteLength(inputText) > PAYLOAD_LIMIT) throw apiError('InvalidExecutionInput', 'input is larger than 256 KiB');
    const arn = executionArn(this.partition, machine.name, name);
    const program = await this.programOf(machine.definitionHash);
    const stored = this.live.get(arn)?.record ?? (await this.readRecord(machine.name, name));
    // Another start of the same name may have begun while this one read the store.
    const existing = this.live.get(arn)?.record ?? stored;
    if (existing) {
      // As on AWS, repeating a start while the execution runs is safe; anything else is a name clash.
      if (existing.status === 'RUNNING' && existing.input === inputText && existing.stateMachineArn === machine.stateMachineArn) {
        return { executionArn: arn, startDate: new Date(existing.startDate) };
      }
      throw apiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.stateMachineArn,
      stateMachineName: machine.name,
      name,
      definitionHash: machine.definitionHash,
      roleArn: machine.roleArn,
      status: 'RUNNING',
      startDate: this.clock.now(),
      input: inputText,
      redriveCount: 0,
      lastEventId: 0,
    };
    const live = this.begin(record, program, parsed, { lastEventId: 0, nextThreadId: 0, threads: {} });
    this.emit(live, undefined, 'ExecutionStarted', { input: inputText, inputDetails: noTruncation, roleArn: record.roleArn });
    this.launch(live, program.definition.StartAt, parsed);
    await this.store.flush();
    return { executionArn: arn, startDate: new Date(record.startDate) };
  }

  async describeExecution(input: DescribeExecutionInput): Promise<DescribeExecutionOutput> {
    const record = await this.executionOf(input.executionArn);
    const redrivable = record.status !== 'RUNNING' && record.status !== 'SUCCEEDED' && record.redriveFrom !== undefined;
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: new Date(record.startDate),
      stopDate: record.stopDate === undefined ? undefined : new Date(record.stopDate),
      input: record.input,
      inputDetails: { included: true },
      output: record.output,
      outputDetails: record.output === undefined ? undefined : { included: true },
      error: record.error,
      cause: record.cause,
      redriveCount: record.redriveCount,
      redriveDate: record.redriveDate === undefined ? undefined : new Date(record.redriveDate),
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      redriveStatusReason: redrivable ? undefined : `Execution is ${record.status}`,
    };
  }

  async listExecutions(input: ListExecutionsInput): Promise<ListExecutionsOutput> {
    const machineName = parseStateMachineArn(this.partition, input.stateMachineArn);
    if (!this.stateMachines.has(machineName)) throw apiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
    const wanted = (record: ExecutionRecord) => !input.statusFilter || input.statusFilter === record.status;
    const records: ExecutionRecord[] = [];
    for await (const [, value] of this.store.scan(keys.executions(machineName))) {
      const record = JSON.parse(value) as ExecutionRecord;
      // A redriven execution's stored record is stale while it runs again.
      if (wanted(record) && !this.live.has(record.executionArn)) records.push(record);
    }
    for (const { record } of this.live.values()) {
      if (record.stateMachineName === machineName && wanted(record)) records.push(record);
    }
    records.sort((a, b) => b.startDate - a.startDate || a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(records, input.maxResults, input.nextToken);
    return {
      executions: page.map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: new Date(record.startDate),
        stopDate: record.stopDate === undefined ? undefined : new Date(record.stopDate),
        redriveCount: record.redriveCount,
        redriveDate: record.redriveDate === undefined ? undefined : new Date(record.redriveDate),
      })),
      nextToken,
    };
  }

  async getExecutionHistory(input: GetExecutionHistoryInput): Promise<GetExecutionHistoryOutput> {
    const record = await this.executionOf(input.executionArn);
    const limit = pageSize(input.maxResults);
    let after: number | undefined;
    if (input.nextToken) {
      const [arn, id] = Buffer.from(input.nextToken, 'base64url').toString().split('#');
      after = Number(id);
      if (arn !== record.executionArn || !Number.isInteger(after)) throw apiError('InvalidToken', 'Invalid nextToken: pass the nextToken of the previous page of this history unchanged');
    }
    const reverse = input.reverseOrder === true;
    const events: HistoryEvent[] = [];
    let more = false;
    scan: for await (const [, value] of this.store.scan(keys.events(record.executionArn), { reverse })) {
      const chunk = (JSON.parse(value) as (StoredEvent | CompactStateEvent)[]).map(expandEvent);
      if (reverse) chunk.reverse();
      for (const event of chunk) {
        if (after !== undefined && (reverse ? event.id >= after : event.id <= after)) continue;
        if (events.length === limit) {
          more = true;
          break scan;
        }
        events.push(toHistoryEvent(event, input.includeExecutionData !== false));
      }
    }
    const last = events.at(-1);
    return { events, nextToken: more && last ? Buffer.from(`${record.executionArn}#${last.id}`).toString('base64url') : undefined };
  }

  async stopExecution(input: StopExecutionInput): Promise<StopExecutionOutput> {
    const record = await this.executionOf(input.executionArn);
    const live = this.live.get(record.executionArn);
    if (live) {
      for (const thread of Object.values(live.runtime.threads)) if (thread.parent === undefined) this.abortStates(live, thread);
      this.emit(live, undefined, 'ExecutionAborted', { error: input.error, cause: input.cause });
      this.end(live, 'ABORTED', { error: input.error, cause: input.cause });
      await this.store.flush();
      return { stopDate: new Date(live.record.stopDate!) };
    }
    return { stopDate: new Date(record.stopDate ?? this.clock.now()) };
  }

  async redriveExecution(input: RedriveExecutionInput): Promise<RedriveExecutionOutput> {
    const found = await this.executionOf(input.executionArn);
    if (this.live.has(found.executionArn)) throw apiError('ExecutionNotRedrivable', `Execution is RUNNING: '${found.executionArn}'`);
    const record = { ...found };
    if (record.status === 'SUCCEEDED' || !record.redriveFrom) throw apiError('ExecutionNotRedrivable', `Execution is ${record.status}: '${record.executionArn}'`);
    if (this.clock.now() - (record.stopDate ?? 0) > REDRIVE_WINDOW_MS) {
      throw apiError('ExecutionNotRedrivable', `Execution stopped more than 14 days ago: '${record.executionArn}'`);
    }
    const { state, input: stateInput } = record.redriveFrom;
    record.status = 'RUNNING';
    record.redriveCount += 1;
    record.redriveDate = this.clock.now();
    delete record.stopDate;
    delete record.error;
    delete record.cause;
    delete record.output;
    const program = await this.programOf(record.definitionHash);
    const live = this.begin(record, program, JSON.parse(record.input) as Json, { lastEventId: record.lastEventId, nextThreadId: 0, threads: {} });
    this.emit(live, undefined, 'ExecutionRedriven', { redriveCount: record.redriveCount });
    const thread = this.launch(live, state, stateInput);
    if (record.redriveFrom.branches) thread.redrive = record.redriveFrom.branches;
    await this.store.flush();
    return { redriveDate: new Date(record.redriveDate) };
  }

  // ---- Callbacks ----

  async sendTaskSuccess(input: SendTaskSuccessInput): Promise<SendTaskSuccessOutput> {
    const output = parseJson(input.output, 'InvalidOutput', 'output');
    const { live, thread, phase } = await this.openTask(input.taskToken);
    this.emit(live, thread, 'TaskSucceeded', { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: input.output, outputDetails: noTruncation });
    this.closeToken(phase, 'CLOSED');
    thread.generation += 1;
    this.completeTask(live, thread, output);
    await this.store.flush();
    return {};
  }

  async sendTaskFailure(input: SendTaskFailureInput): Promise<SendTaskFailureOutput> {
    const { live, thread, phase } = await this.openTask(input.taskToken);
    this.emit(live, thread, 'TaskFailed', { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: input.error, cause: input.cause });
    this.closeToken(phase, 'CLOSED');
    thread.generation += 1;
    // A failure reported without an error name is still a task failure, and Retry / Catch match it as one.
    this.handleError(live, thread, input.error ?? 'States.TaskFailed', input.cause);
    await this.store.flush();
    return {};
  }

  async sendTaskHeartbeat(input: SendTaskHeartbeatInput): Promise<SendTaskHeartbeatOutput> {
    const { live, thread, phase } = await this.openTask(input.taskToken);
    if (phase.heartbeatSeconds !== undefined) {
      phase.heartbeatAt = this.clock.now() + phase.heartbeatSeconds * 1000;
      this.addDeadline(phase.heartbeatAt, live, thread.id);
      this.touch(live);
    }
    await this.store.flush();
    return {};
  }

  // ---- Test hooks ----

  /** Moves a ManualClock on and waits for what became due; the moved clock survives a restart. */
  async advanceClock(seconds: number): Promise<{ now: Date }> {
    const clock = this.manualClock();
    if (!(Number.isFinite(seconds) && seconds >= 0)) throw apiError('ValidationException', `seconds must be a number of at least 0, got ${JSON.stringify(seconds)}`);
    clock.advance(seconds * 1000);
    this.store.put(keys.clock, String(clock.now()));
    await this.whenIdle();
    return { now: new Date(clock.now()) };
  }

  async getClock(): Promise<{ now: Date }> {
    return { now: new Date(this.manualClock().now()) };
  }

  /** Resolves when nothing is runnable: no transitions queued, no Lambda invocation in flight, every write on disk. */
  async whenIdle(): Promise<void> {
    for (let quietTurns = 0; quietTurns < 2; ) {
      await new Promise((resolve) => setImmediate(resolve));
      const quiet = this.readyHead >= this.ready.length && !this.pumpScheduled && !this.deadlineCheckScheduled && this.invocations === 0 && !this.store.busy;
      quietTurns = quiet ? quietTurns + 1 : 0;
    }
  }

  /** Running executions held in memory. */
  get runningExecutions(): number {
    return this.live.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    await this.store.close();
  }

  // ---- Recovery ----

  /** Loads state machines and every running execution's snapshot; re-arms deadlines and re-invokes cut-off tasks. */
  async recover(): Promise<void> {
    const clock = this.clock;
    const savedClock = await this.store.get(keys.clock);
    if (clock instanceof ManualClock && savedClock !== undefined && Number(savedClock) > clock.now()) clock.set(Number(savedClock));
    for await (const [, value] of this.store.scan(keys.stateMachines)) {
      const record = JSON.parse(value) as StateMachineRecord;
      this.stateMachines.set(record.name, record);
    }
    for await (const [, value] of this.store.scan(keys.lives)) {
      const { record, runtime } = JSON.parse(value) as { record: ExecutionRecord; runtime: Runtime };
      const program = await this.programOf(record.definitionHash);
      const live: LiveExecution = { record, runtime, program, input: JSON.parse(record.input) as Json, ended: false, unwritten: '', firstUnwritten: 0 };
      this.live.set(record.executionArn, live);
      if (runtime.deadline !== undefined) this.addDeadline(runtime.deadline, live, -1);
      for (const thread of Object.values(runtime.threads)) this.resumeThread(live, thread);
    }
  }

  private resumeThread(live: LiveExecution, thread: Thread): void {
    const phase = thread.phase;
    switch (phase.kind) {
      case 'enter':
        this.enqueue(live, thread);
        return;
      case 'wait':
      case 'backoff':
        this.addDeadline(phase.until, live, thread.id);
        return;
      case 'task':
        if (phase.token) this.tokens.set(phase.token, { executionArn: live.record.executionArn, threadId: thread.id });
        this.addDeadline(phase.timeoutAt, live, thread.id);
        if (phase.heartbeatAt !== undefined) this.addDeadline(phase.heartbeatAt, live, thread.id);
        // The invocation may have been cut off by the crash; Lambda's contract is at-least-once, so run it again.
        if (!phase.invoked) this.invoke(live, thread);
        return;
      case 'branches':
        return;
    }
  }

  // ---- Interpreter ----

  private begin(record: ExecutionRecord, program: Program, input: Json, runtime: Runtime): LiveExecution {
    const live: LiveExecution = { record, runtime, program, input, ended: false, unwritten: '', firstUnwritten: 0 };
    // A running execution's record travels in its live snapshot; the execution key is written when it ends.
    this.live.set(record.executionArn, live);
    const timeoutSeconds = program.definition.TimeoutSeconds;
    if (timeoutSeconds !== undefined) {
      runtime.deadline = this.clock.now() + timeoutSeconds * 1000;
      this.addDeadline(runtime.deadline, live, -1);
    }
    return live;
  }

  private launch(live: LiveExecution, state: string, input: Json): Thread {
    return this.spawn(live, undefined, '', state, input);
  }

  private spawn(live: LiveExecution, parent: Thread | undefined, scope: string, state: string, input: Json, index?: number): Thread {
    const thread: Thread = {
      id: live.runtime.nextThreadId++,
      parent: parent?.id,
      index,
      scope,
      state,
      input,
      enteredTime: this.clock.now(),
      retryCount: 0,
      retriesUsed: [],
      lastEventId: parent ? parent.lastEventId : live.runtime.lastEventId,
      generation: 0,
      phase: { kind: 'enter' },
    };
    live.runtime.threads[thread.id] = thread;
    this.enqueue(live, thread);
    return thread;
  }

  private enqueue(live: LiveExecution, thread: Thread): void {
    this.ready.push([live, thread]);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    let budget = TRANSITIONS_PER_PUMP;
    while (this.readyHead < this.ready.length && budget > 0 && !this.closed) {
      const [live, thread] = this.ready[this.readyHead++];
      let turns = 0;
      while (this.isCurrent(live, thread) && thread.phase.kind === 'enter' && turns < TRANSITIONS_PER_TURN) {
        this.enterState(live, thread);
        turns += 1;
      }
      budget -= turns;
      if (turns === TRANSITIONS_PER_TURN && this.isCurrent(live, thread) && thread.phase.kind === 'enter') this.ready.push([live, thread]);
    }
    if (this.readyHead >= this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
      return;
    }
    if (this.readyHead > 4096) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    this.schedulePump();
  }

  private isCurrent(live: LiveExecution, thread: Thread): boolean {
    return !live.ended && live.runtime.threads[thread.id] === thread;
  }

  private statesOf(live: LiveExecution, scope: string): Record<string, State> {
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

  private stateOf(live: LiveExecution, thread: Thread): State {
    return (thread.scope === '' ? live.program.definition.States : this.statesOf(live, thread.scope))[thread.state];
  }

  private context(live: LiveExecution, thread: Thread): ContextObject {
    const record = live.record;
    return {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        StartTime: (live.startTime ??= new Date(record.startDate).toISOString()),
        Input: live.input,
        RoleArn: record.roleArn,
        RedriveCount: record.redriveCount,
      },
      StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineName },
      State: { Name: thread.state, EnteredTime: isoTime(thread.enteredTime), RetryCount: thread.retryCount },
    };
  }

  private enterState(live: LiveExecution, thread: Thread): void {
    const state = this.stateOf(live, thread);
    thread.enteredTime = this.clock.now();
    thread.retryCount = 0;
    thread.retriesUsed = [];
    this.emitStateEvent(live, thread, `${state.Type}StateEntered`, thread.input);
    this.attempt(live, thread, state);
  }

  /** Runs the body of the thread's state; for Task, Parallel and Map this is also what a retry repeats. */
  private attempt(live: LiveExecution, thread: Thread, state: State): void {
    try {
      switch (state.Type) {
        case 'Pass':
        case 'Succeed': {
          const context = this.context(live, thread);
          const effective = passesInputThrough(state) ? thread.input : prepareInput(state, thread.input, context);
          const output = state.Type === 'Succeed' && passesInputThrough(state) ? effective : prepareOutput(state, thread.input, effective, context);
          this.exit(live, thread, state, output, state.Type === 'Pass' && !state.End ? state.Next : undefined);
          return;
        }
        case 'Choice': {
          const context = this.context(live, thread);
          const through = passesInputThrough(state);
          const effective = through ? thread.input : prepareInput(state, thread.input, context);
          const next = chooseNext(state, effective, context);
          this.exit(live, thread, state, through ? effective : prepareOutput(state, thread.input, effective, context), next);
          return;
        }
        case 'Fail': {
          const { error, cause } = failure(state, thread.input, this.context(live, thread));
          this.failThread(live, thread, error, cause);
          return;
        }
        case 'Wait': {
          const context = this.context(live, thread);
          const until = waitUntil(state, prepareInput(state, thread.input, context), this.clock.now(), context);
          thread.phase = { kind: 'wait', until };
          this.addDeadline(until, live, thread.id);
          return;
        }
        case 'Task':
          this.attemptTask(live, thread, state);
          return;
        case 'Parallel':
        case 'Map':
          this.attemptBranches(live, thread, state);
          return;
      }
    } catch (thrown) {
      const { error, cause } = statusOf(thrown);
      if (state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map') {
        this.handleError(live, thread, error, cause);
      } else {
        this.failThread(live, thread, error, cause);
      }
    }
  }

  private exit(live: LiveExecution, thread: Thread, state: State, output: Json, next: string | undefined): void {
    this.emitStateEvent(live, thread, `${state.Type}StateExited`, output);
    thread.generation += 1;
    if (next === undefined) {
      this.finishThread(live, thread, output);
      return;
    }
    thread.state = next;
    thread.input = output;
    thread.phase = { kind: 'enter' };
  }

  /** After an asynchronous event moved a thread on, lets the pump continue it. */
  private continueThread(live: LiveExecution, thread: Thread): void {
    if (this.isCurrent(live, thread) && thread.phase.kind === 'enter') this.enqueue(live, thread);
  }

  private finishThread(live: LiveExecution, thread: Thread, output: Json): void {
    delete live.runtime.threads[thread.id];
    if (thread.parent === undefined) {
      const text = data(output);
      this.emit(live, undefined, 'ExecutionSucceeded', { output: text, outputDetails: noTruncation });
      this.end(live, 'SUCCEEDED', { output: text });
      return;
    }
    const parent = live.runtime.threads[thread.parent];
    const phase = parent.phase as BranchesPhase;
    phase.results[thread.index!] = output;
    (phase.succeeded ??= [])[thread.index!] = true;
    phase.remaining -= 1;
    if (phase.items) {
      this.emit(live, thread, 'MapIterationSucceeded', { name: parent.state, index: thread.index });
      if (skipSucceededItems(phase)) this.startMapItem(live, parent);
    }
    if (phase.remaining === 0) this.completeBranches(live, parent);
  }

  private failThread(live: LiveExecution, thread: Thread, error: string | undefined, cause: string | undefined): void {
    if (thread.parent === undefined) {
      this.emit(live, thread, 'ExecutionFailed', { error, cause });
      this.end(live, 'FAILED', { error, cause });
      return;
    }
    const parent = live.runtime.threads[thread.parent];
    const parentState = this.stateOf(live, parent) as Branching;
    if (parentState.Type === 'Map') this.emit(live, thread, 'MapIterationFailed', { name: parent.state, index: thread.index });
    delete live.runtime.threads[thread.id];
    this.abortChildren(live, parent);
    this.emit(live, parent, `${parentState.Type}StateFailed`);
    parent.generation += 1;
    this.handleError(live, parent, error ?? 'States.TaskFailed', cause);
  }

  private abortChildren(live: LiveExecution, parent: Thread): void {
    const parentState = this.stateOf(live, parent);
    for (const child of Object.values(live.runtime.threads)) {
      if (child.parent !== parent.id) continue;
      this.abortChildren(live, child);
      if (child.phase.kind === 'task') this.closeToken(child.phase, 'CLOSED');
      if (parentState.Type === 'Map') this.emit(live, child, 'MapIterationAborted', { name: parent.state, index: child.index });
      delete live.runtime.threads[child.id];
    }
  }

  /**
   * Records, as AWS does when an execution is stopped, the abort of every state still running under the thread:
   * innermost first, each Map iteration after the states inside it, and the enclosing state last.
   */
  private abortStates(live: LiveExecution, thread: Thread): void {
    const state = this.stateOf(live, thread);
    if (thread.phase.kind === 'branches') {
      const children = Object.values(live.runtime.threads).filter((child) => child.parent === thread.id);
      for (const child of children.sort((a, b) => a.index! - b.index!)) {
        this.abortStates(live, child);
        if (state.Type === 'Map') this.emit(live, child, 'MapIterationAborted', { name: thread.state, index: child.index });
      }
    }
    // A thread in its 'enter' phase has not entered its state yet, so there is nothing of it to abort.
    if (thread.phase.kind !== 'enter' && (state.Type === 'Task' || state.Type === 'Wait' || state.Type === 'Parallel' || state.Type === 'Map')) {
      this.emit(live, thread, `${state.Type}StateAborted`);
    }
  }

  /** Retry, then Catch, then fail: the error handling of Task, Parallel and Map states. */
  private handleError(live: LiveExecution, thread: Thread, error: string, cause: string | undefined): void {
    const state = this.stateOf(live, thread) as TaskState | Branching;
    const retrier = findRetrier(state.Retry, error, thread.retriesUsed);
    if (retrier !== undefined) {
      const used = thread.retriesUsed[retrier] ?? 0;
      const until = this.clock.now() + retryDelayMs(state.Retry![retrier], used, this.random);
      for (let i = 0; i < retrier; i++) thread.retriesUsed[i] ??= 0;
      thread.retriesUsed[retrier] = used + 1;
      thread.retryCount += 1;
      thread.generation += 1;
      thread.phase = { kind: 'backoff', until };
      this.addDeadline(until, live, thread.id);
      this.touch(live);
      return;
    }
    const catcher = findCatcher(state.Catch, error);
    if (!catcher) {
      this.failThread(live, thread, error, cause);
      return;
    }
    let output: Json;
    try {
      output = catchOutput(catcher, thread.input, error, cause);
    } catch (thrown) {
      const failed = statusOf(thrown);
      this.failThread(live, thread, failed.error, failed.cause);
      return;
    }
    this.exit(live, thread, state, output, catcher.Next);
    this.continueThread(live, thread);
  }

  private end(live: LiveExecution, status: ExecutionRecord['status'], outcome: { output?: string; error?: string; cause?: string }): void {
    const record = live.record;
    const top = Object.values(live.runtime.threads).find((thread) => thread.parent === undefined);
    for (const thread of Object.values(live.runtime.threads)) {
      if (thread.phase.kind === 'task') this.closeToken(thread.phase, 'CLOSED');
    }
    record.status = status;
    record.stopDate = this.clock.now();
    record.lastEventId = live.runtime.lastEventId;
    if (outcome.output !== undefined) record.output = outcome.output;
    if (outcome.error !== undefined) record.error = outcome.error;
    if (outcome.cause !== undefined) record.cause = outcome.cause;
    record.redriveFrom = status === 'SUCCEEDED' ? undefined : (top && { state: top.state, input: top.input, branches: progressOf(top) }) ?? record.redriveFrom;
    live.ended = true;
    live.runtime.threads = {};
    this.live.delete(record.executionArn);
    this.store.put(keys.execution(record.stateMachineName, record.name), JSON.stringify(record));
    this.store.del(keys.live(record.executionArn));
  }

  // ---- Task states ----

  private attemptTask(live: LiveExecution, thread: Thread, state: TaskState): void {
    const resource = resourceKind(state.Resource);
    if (!resource) {
      throw new StatesError('States.Runtime', `Resource ${state.Resource} is not supported locally: use arn:aws:states:::lambda:invoke, its .waitForTaskToken form or a Lambda function ARN`);
    }
    const token = resource === 'callback' ? randomBytes(48).toString('base64url') : undefined;
    const context = this.context(live, thread);
    if (token) context.Task = { Token: token };
    const parameters = prepareInput(state, thread.input, context);
    let functionName = state.Resource;
    let payload = parameters;
    if (resource !== 'function') {
      const invoke = parameters as JsonObject | null;
      if (invoke === null || typeof invoke !== 'object' || Array.isArray(invoke) || typeof invoke.FunctionName !== 'string') {
        throw new StatesError('States.Runtime', `The Parameters of ${state.Resource} need a FunctionName string`);
      }
      functionName = invoke.FunctionName;
      payload = invoke.Payload ?? {};
    }
    const { timeoutSeconds, heartbeatSeconds } = taskTimeouts(state, thread.input, context);
    const now = this.clock.now();
    if (resource === 'function') {
      this.emit(live, thread, 'LambdaFunctionScheduled', { resource: state.Resource, input: data(payload), inputDetails: noTruncation, timeoutInSeconds: timeoutSeconds });
    } else {
      this.emit(live, thread, 'TaskScheduled', {
        resourceType: 'lambda',
        resource: resource === 'callback' ? 'invoke.waitForTaskToken' : 'invoke',
        region: this.partition.region,
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
      this.addDeadline(phase.heartbeatAt, live, thread.id);
    }
    thread.generation += 1;
    thread.phase = phase;
    if (token) this.tokens.set(token, { executionArn: live.record.executionArn, threadId: thread.id });
    this.addDeadline(phase.timeoutAt, live, thread.id);
    this.invoke(live, thread);
  }

  /** Invokes the task's function once the batch that records it is on disk, so a crash can never lose an invocation. */
  private invoke(live: LiveExecution, thread: Thread): void {
    const generation = thread.generation;
    this.invocations += 1;
    this.store
      .flush()
      .then(async () => {
        if (!this.isCurrent(live, thread) || thread.generation !== generation || this.closed) return;
        const phase = thread.phase as TaskPhase;
        this.emit(live, thread, phase.resource === 'function' ? 'LambdaFunctionStarted' : 'TaskStarted', phase.resource === 'function' ? undefined : { resourceType: 'lambda', resource: resourceName(phase) });
        try {
          const { payload, requestId } = await invokeFunction(this.options.lambdas, this.partition, phase.functionName, phase.payload);
          if (this.isCurrent(live, thread) && thread.generation === generation && !this.closed) this.invoked(live, thread, phase, payload, requestId);
        } catch (thrown) {
          if (!this.isCurrent(live, thread) || thread.generation !== generation || this.closed) return;
          const failed = thrown instanceof LambdaFunctionError ? thrown : new LambdaFunctionError('Lambda.Unknown', String(thrown));
          this.emit(live, thread, phase.resource === 'function' ? 'LambdaFunctionFailed' : 'TaskFailed', {
            ...(phase.resource === 'function' ? {} : { resourceType: 'lambda', resource: resourceName(phase) }),
            error: failed.error,
            cause: failed.cause,
          });
          this.closeToken(phase, 'CLOSED');
          thread.generation += 1;
          this.handleError(live, thread, failed.error, failed.cause);
        }
      })
      .catch((error: unknown) => {
        process.emitWarning(`Step Functions engine: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.invocations -= 1;
      });
  }

  private invoked(live: LiveExecution, thread: Thread, phase: TaskPhase, payload: Json, requestId: string): void {
    if (phase.resource === 'callback') {
      phase.invoked = true;
      this.emit(live, thread, 'TaskSubmitted', {
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        output: redact(data(invokeResult(payload, requestId)), phase.token),
        outputDetails: noTruncation,
      });
      return;
    }
    const result = phase.resource === 'invoke' ? invokeResult(payload, requestId) : payload;
    if (phase.resource === 'invoke') {
      this.emit(live, thread, 'TaskSucceeded', { resourceType: 'lambda', resource: 'invoke', output: data(result), outputDetails: noTruncation });
    } else {
      this.emit(live, thread, 'LambdaFunctionSucceeded', { output: data(result), outputDetails: noTruncation });
    }
    thread.generation += 1;
    this.completeTask(live, thread, result);
  }

  private completeTask(live: LiveExecution, thread: Thread, result: Json): void {
    this.completeWithResult(live, thread, this.stateOf(live, thread) as TaskState, result);
  }

  /** Turns the result of a Task, Parallel or Map state into its output and moves on; a failure there goes to Retry and Catch. */
  private completeWithResult(live: LiveExecution, thread: Thread, state: TaskState | Branching, result: Json): void {
    let output: Json;
    try {
      assertPayloadSize(result);
      output = prepareOutput(state, thread.input, result, this.context(live, thread));
    } catch (thrown) {
      const { error, cause } = statusOf(thrown);
      this.handleError(live, thread, error, cause);
      return;
    }
    this.exit(live, thread, state, output, state.End ? undefined : state.Next);
    this.continueThread(live, thread);
  }

  private timeOutTask(live: LiveExecution, thread: Thread, phase: TaskPhase, error: 'States.Timeout' | 'States.HeartbeatTimeout'): void {
    const cause =
      error === 'States.Timeout'
        ? `The task did not finish within its ${phase.timeoutSeconds} s timeout.`
        : `The task sent no heartbeat for ${phase.heartbeatSeconds} s.`;
    if (phase.resource === 'function') {
      this.emit(live, thread, 'LambdaFunctionTimedOut', { error, cause });
    } else {
      this.emit(live, thread, 'TaskTimedOut', { resourceType: 'lambda', resource: resourceName(phase), error, cause });
    }
    this.closeToken(phase, 'TIMED_OUT');
    thread.generation += 1;
    this.handleError(live, thread, error, cause);
  }

  /** The state machine whose running task holds this token, which Step Functions authorizes SendTask* against. */
  taskTokenOwner(taskToken: unknown): string | undefined {
    const entry = typeof taskToken === 'string' ? this.tokens.get(taskToken) : undefined;
    return entry && this.live.get(entry.executionArn)?.record.stateMachineArn;
  }

  private async openTask(taskToken: unknown): Promise<{ live: LiveExecution; thread: Thread; phase: TaskPhase }> {
    if (typeof taskToken !== 'string' || !TOKEN.test(taskToken)) throw apiError('InvalidToken', 'Invalid Token: the task token is malformed');
    const entry = this.tokens.get(taskToken);
    const live = entry && this.live.get(entry.executionArn);
    const thread = live && live.runtime.threads[entry.threadId];
    if (live && thread && thread.phase.kind === 'task' && thread.phase.token === taskToken) return { live, thread, phase: thread.phase };
    // AWS answers TaskTimedOut for every closed task, whether it timed out, was answered or its execution ended.
    const closed = await this.store.get(keys.token(hash(taskToken)));
    if (closed === 'TIMED_OUT') throw apiError('TaskTimedOut', `${TASK_GONE}: the task of this token timed out`);
    if (closed === 'CLOSED') throw apiError('TaskTimedOut', `${TASK_GONE}: the task of this token was already answered, or its execution has ended`);
    throw apiError('InvalidToken', 'Invalid Token: no task was given this token');
  }

  private closeToken(phase: TaskPhase, status: 'CLOSED' | 'TIMED_OUT'): void {
    if (!phase.token || !this.tokens.delete(phase.token)) return;
    // Only a hash is kept, so the store never holds a usable token for a closed task.
    this.store.put(keys.token(hash(phase.token)), status);
  }

  // ---- Parallel and Map states ----

  private attemptBranches(live: LiveExecution, thread: Thread, state: Branching): void {
    const context = this.context(live, thread);
    // A redrive keeps the input, items and results of the attempt that failed; a retry after it starts afresh.
    const saved = thread.redrive;
    delete thread.redrive;
    const effectiveInput = saved ? saved.effectiveInput : prepareInput(state, thread.input, context);
    const succeeded = saved ? [...saved.succeeded] : [];
    thread.generation += 1;
    if (state.Type === 'Parallel') {
      this.emit(live, thread, 'ParallelStateStarted');
      const results = saved ? [...saved.results] : state.Branches.map(() => null);
      const pending = state.Branches.flatMap((branch, index) => (succeeded[index] ? [] : [{ branch, index }]));
      thread.phase = { kind: 'branches', results, remaining: pending.length, nextItem: 0, effectiveInput, succeeded };
      for (const { branch, index } of pending) this.spawn(live, thread, scopeOf(thread, String(index)), branch.StartAt, effectiveInput, index);
    } else {
      const items = saved?.items ?? mapItems(state, effectiveInput, context);
      this.emit(live, thread, 'MapStateStarted', { length: items.length });
      const results = saved ? [...saved.results] : items.map(() => null);
      const remaining = items.filter((_, index) => !succeeded[index]).length;
      const phase: BranchesPhase = { kind: 'branches', results, remaining, items, nextItem: 0, effectiveInput, succeeded };
      thread.phase = phase;
      const concurrency = state.MaxConcurrency ? Math.min(state.MaxConcurrency, remaining) : remaining;
      for (let i = 0; i < concurrency && this.isCurrent(live, thread) && thread.phase === phase && skipSucceededItems(phase); i++) this.startMapItem(live, thread);
    }
    if (thread.phase.kind === 'branches' && thread.phase.remaining === 0) this.completeBranches(live, thread);
  }

  private startMapItem(live: LiveExecution, parent: Thread): void {
    const state = this.stateOf(live, parent) as MapState;
    const phase = parent.phase as BranchesPhase;
    const index = phase.nextItem++;
    const context = { ...this.context(live, parent), Map: { Item: { Index: index, Value: phase.items![index] } } };
    let input: Json;
    try {
      input = mapItemInput(state, phase.effectiveInput, context);
    } catch (thrown) {
      const { error, cause } = statusOf(thrown);
      this.abortChildren(live, parent);
      this.emit(live, parent, 'MapStateFailed');
      parent.generation += 1;
      this.handleError(live, parent, error, cause);
      return;
    }
    this.emit(live, parent, 'MapIterationStarted', { name: parent.state, index });
    this.spawn(live, parent, scopeOf(parent), (state.ItemProcessor ?? state.Iterator)!.StartAt, input, index);
  }

  private completeBranches(live: LiveExecution, thread: Thread): void {
    const state = this.stateOf(live, thread) as Branching;
    const phase = thread.phase as BranchesPhase;
    this.emit(live, thread, `${state.Type}StateSucceeded`);
    this.completeWithResult(live, thread, state, phase.results);
  }

  // ---- Deadlines ----

  private addDeadline(at: number, live: LiveExecution, threadId: number): void {
    this.deadlines.push(at, { executionArn: live.record.executionArn, threadId });
    if (at < this.armedAt) this.arm(at);
  }

  private arm(at: number): void {
    if (this.closed) return;
    this.disarm();
    this.armedAt = at;
    this.disarm = this.clock.schedule(at, () => {
      this.armedAt = Infinity;
      this.scheduleDeadlineCheck();
    });
  }

  private scheduleDeadlineCheck(): void {
    if (this.deadlineCheckScheduled || this.closed) return;
    this.deadlineCheckScheduled = true;
    setImmediate(() => {
      this.deadlineCheckScheduled = false;
      this.fireDueDeadlines();
    });
  }

  private fireDueDeadlines(): void {
    const now = this.clock.now();
    for (let next = this.deadlines.peek(); next && next.at <= now; next = this.deadlines.peek()) {
      this.deadlines.pop();
      const live = this.live.get(next.item.executionArn);
      if (live) this.fireDeadline(live, next.item.threadId, now);
    }
    const next = this.deadlines.peek();
    if (next) this.arm(next.at);
  }

  private fireDeadline(live: LiveExecution, threadId: number, now: number): void {
    if (threadId === -1) {
      const deadline = live.runtime.deadline;
      if (deadline === undefined || deadline > now) return;
      const cause = `The execution ran longer than its TimeoutSeconds of ${live.program.definition.TimeoutSeconds} s.`;
      this.emit(live, undefined, 'ExecutionTimedOut', { error: 'States.Timeout', cause });
      this.end(live, 'TIMED_OUT', { error: 'States.Timeout', cause });
      return;
    }
    const thread = live.runtime.threads[threadId];
    if (!thread) return;
    const phase = thread.phase;
    if (phase.kind === 'wait' && phase.until <= now) {
      const state = this.stateOf(live, thread);
      try {
        const context = this.context(live, thread);
        const output = prepareOutput(state, thread.input, prepareInput(state, thread.input, context), context);
        this.exit(live, thread, state, output, state.Type === 'Wait' && !state.End ? state.Next : undefined);
      } catch (thrown) {
        const { error, cause } = statusOf(thrown);
        this.failThread(live, thread, error, cause);
      }
    } else if (phase.kind === 'backoff' && phase.until <= now) {
      this.attempt(live, thread, this.stateOf(live, thread));
    } else if (phase.kind === 'task' && phase.timeoutAt <= now) {
      this.timeOutTask(live, thread, phase, 'States.Timeout');
    } else if (phase.kind === 'task' && phase.heartbeatAt !== undefined && phase.heartbeatAt <= now) {
      this.timeOutTask(live, thread, phase, 'States.HeartbeatTimeout');
    }
    this.continueThread(live, thread);
  }

  // ---- Persistence ----

  private emit(live: LiveExecution, thread: Thread | undefined, type: string, details?: Record<string, unknown>): void {
    const id = ++live.runtime.lastEventId;
    const event: StoredEvent = { id, previousEventId: thread ? thread.lastEventId : id - 1, timestamp: this.clock.now(), type };
    if (details) event[detailsKey(type)] = details;
    if (thread) thread.lastEventId = id;
    this.append(live, id, JSON.stringify(event));
  }

  /** The two events of every transition, written straight to JSON: they are most of what the engine allocates. */
  private emitStateEvent(live: LiveExecution, thread: Thread, type: string, value: Json): void {
    const id = ++live.runtime.lastEventId;
    const previousEventId = thread.lastEventId;
    thread.lastEventId = id;
    // A state's output is the next state's input, the same value: serialise it once for both events.
    if (this.lastSerialised.value !== value || typeof value !== 'object' || value === null) this.lastSerialised = { value, text: data(value) };
    // Stored as a compact tuple (see expandEvent): these two events are most of the bytes the engine writes.
    this.append(live, id, `[${id},${previousEventId},${this.clock.now()},"${type}",${JSON.stringify(thread.state)},${this.lastSerialised.text}]`);
  }

  private append(live: LiveExecution, id: number, event: string): void {
    // Serialised at once, so the event and the state data it holds die young instead of waiting for the batch.
    if (live.unwritten === '') {
      live.firstUnwritten = id;
      live.unwritten = event;
    } else {
      live.unwritten += `,${event}`;
    }
    this.touch(live);
  }

  private touch(live: LiveExecution): void {
    this.dirty.add(live);
    this.store.nudge();
  }

  /** Puts each changed execution's new events, and its snapshot while it runs, into one atomic batch. */
  private writeSnapshots(): void {
    for (const live of this.dirty) {
      const arn = live.record.executionArn;
      if (live.unwritten !== '') {
        this.store.put(keys.event(arn, live.firstUnwritten), `[${live.unwritten}]`, false);
        live.unwritten = '';
      }
      if (!live.ended) this.store.put(keys.live(arn), JSON.stringify({ record: live.record, runtime: live.runtime }));
    }
    this.dirty.clear();
  }

  private async readRecord(stateMachineName: string, name: string): Promise<ExecutionRecord | undefined> {
    const value = await this.store.get(keys.execution(stateMachineName, name));
    return value === undefined ? undefined : (JSON.parse(value) as ExecutionRecord);
  }

  private async executionOf(arn: unknown): Promise<ExecutionRecord> {
    const { stateMachineName, name } = parseExecutionArn(this.partition, arn);
    const record = this.live.get(arn as string)?.record ?? (await this.readRecord(stateMachineName, name));
    if (!record) throw apiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn as string}'`);
    return record;
  }

  private stateMachineOf(arn: unknown): StateMachineRecord {
    const record = this.stateMachines.get(parseStateMachineArn(this.partition, arn));
    if (!record) throw apiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn as string}'`);
    return record;
  }

  private async programOf(definitionHash: string): Promise<Program> {
    const cached = this.programs.get(definitionHash);
    if (cached) return cached;
    const text = await this.store.get(keys.definition(definitionHash));
    if (text === undefined) throw new Error(`The store has lost definition ${definitionHash}`);
    // The store holds only definitions that passed validation when their state machine was created.
    const program = this.programs.get(definitionHash) ?? { definition: JSON.parse(text) as StateMachineDefinition, scopes: new Map() };
    this.programs.set(definitionHash, program);
    return program;
  }

  private manualClock(): ManualClock {
    if (!(this.clock instanceof ManualClock)) throw apiError('UnknownOperationException', 'The engine runs on the system clock; start it with a ManualClock to move time');
    return this.clock;
  }
}

/**
 * A state with no InputPath, OutputPath or Parameters hands its input on untouched. Skipping the semantics calls
 * then saves two path evaluations and two size checks per transition; the input was size-checked when made.
 */
function passesInputThrough(state: State): boolean {
  const paths = state as { InputPath?: unknown; OutputPath?: unknown; Parameters?: unknown };
  return (paths.InputPath === undefined || paths.InputPath === '$') && (paths.OutputPath === undefined || paths.OutputPath === '$') && paths.Parameters === undefined;
}

function parseDefinition(text: string): StateMachineDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: the definition is not JSON (${(error as Error).message})`);
  }
  try {
    return validateDefinition(parsed);
  } catch (error) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: ${(error as Error).message}`);
  }
}

function resourceKind(resource: string): TaskPhase['resource'] | undefined {
  if (resource === 'arn:aws:states:::lambda:invoke') return 'invoke';
  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') return 'callback';
  return isFunctionArn(resource) ? 'function' : undefined;
}

const resourceName = (phase: TaskPhase) => (phase.resource === 'callback' ? 'invoke.waitForTaskToken' : 'invoke');

/** Moves a Map's next item past those a redrive kept; says whether any item is left to start. */
function skipSucceededItems(phase: BranchesPhase): boolean {
  while (phase.nextItem < phase.items!.length && phase.succeeded?.[phase.nextItem]) phase.nextItem += 1;
  return phase.nextItem < phase.items!.length;
}

/** What a redrive of the thread's Parallel or Map state keeps; a redrive not yet under way passes its own on. */
function progressOf(thread: Thread): BranchesProgress | undefined {
  const phase = thread.phase;
  if (phase.kind !== 'branches') return thread.redrive;
  return { results: phase.results, succeeded: phase.succeeded ?? [], items: phase.items, effectiveInput: phase.effectiveInput };
}

const scopeOf = (thread: Thread, branch?: string) =>
  [thread.scope, thread.state, branch].filter((part): part is string => part !== undefined && part !== '').join(SCOPE_SEPARATOR);

// Task tokens stay out of the history: they are bearer credentials for the task.
const redact = (text: string, token: string | undefined) => (token ? text.split(token).join(REDACTED_TOKEN) : text);

function parseJson(text: unknown, code: string, field: string): Json {
  if (typeof text !== 'string') throw apiError(code, `${field} must be a string of JSON`);
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw apiError(code, `${field} is not valid JSON: ${(error as Error).message}`);
  }
}

function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined || maxResults === 0) return 100;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw apiError('ValidationException', `maxResults must be an integer from 0 to 1000, got ${maxResults}`);
  }
  return maxResults;
}

function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  const size = pageSize(maxResults);
  let start = 0;
  if (nextToken) {
    start = Number(Buffer.from(nextToken, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) throw apiError('InvalidToken', 'Invalid nextToken: pass the nextToken of the previous page unchanged');
  }
  const end = start + size;
  return { page: items.slice(start, end), nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

/** A state entered or exited event as stored: id, previousEventId, timestamp, type, state name, input or output. */
type CompactStateEvent = [number, number, number, string, string, Json];

function expandEvent(stored: StoredEvent | CompactStateEvent): StoredEvent {
  if (!Array.isArray(stored)) return stored;
  const [id, previousEventId, timestamp, type, name, value] = stored;
  const details = type.endsWith('StateEntered')
    ? { stateEnteredEventDetails: { name, input: value, inputDetails: noTruncation } }
    : { stateExitedEventDetails: { name, output: value, outputDetails: noTruncation } };
  return { id, previousEventId, timestamp, type, ...details };
}

function toHistoryEvent(stored: StoredEvent, includeExecutionData: boolean): HistoryEvent {
  const { timestamp, ...rest } = stored;
  const event = { ...rest, timestamp: new Date(timestamp) } as Record<string, unknown>;
  const entered = event.stateEnteredEventDetails as { input?: Json } | undefined;
  if (entered) event.stateEnteredEventDetails = { ...entered, input: data(entered.input ?? null) };
  const exited = event.stateExitedEventDetails as { output?: Json } | undefined;
  if (exited) event.stateExitedEventDetails = { ...exited, output: data(exited.output ?? null) };
  if (!includeExecutionData) {
    for (const [key, value] of Object.entries(event)) {
      if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
      const { input: _input, output: _output, parameters: _parameters, ...kept } = value as Record<string, unknown>;
      event[key] = kept;
    }
  }
  return event as unknown as HistoryEvent;
}
