import { randomUUID } from 'node:crypto';
import type {
  CreateStateMachineAliasInput,
  CreateStateMachineAliasOutput,
  CreateStateMachineOutput,
  DeleteStateMachineAliasInput,
  DeleteStateMachineAliasOutput,
  DeleteStateMachineVersionInput,
  DeleteStateMachineVersionOutput,
  DeleteStateMachineInput,
  DeleteStateMachineOutput,
  DescribeExecutionInput,
  DescribeExecutionOutput,
  DescribeStateMachineAliasInput,
  DescribeStateMachineAliasOutput,
  DescribeStateMachineForExecutionInput,
  DescribeStateMachineForExecutionOutput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  HistoryEvent,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachineAliasesInput,
  ListStateMachineAliasesOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  ListStateMachineVersionsInput,
  ListStateMachineVersionsOutput,
  PublishStateMachineVersionInput,
  PublishStateMachineVersionOutput,
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
  UpdateStateMachineAliasInput,
  UpdateStateMachineAliasOutput,
  UpdateStateMachineInput,
  UpdateStateMachineOutput,
  TestStateInput,
  TestStateOutput,
  ValidateStateMachineDefinitionInput,
  ValidateStateMachineDefinitionOutput,
} from '@aws-sdk/client-sfn';
import type { Json, StateMachineDefinition } from './asl';
import * as aliases from './aliases';
import { apiError } from './api-errors';
import { PAYLOAD_LIMIT, pageSize, paginate, parseJson } from './api-input';
import { assertName, executionArn, parseExecutionArn, parseStateMachineArn, parseStateMachineTarget, type Partition } from './arns';
import { abortStates } from './branches';
import { Catalogue } from './catalogue';
import { ManualClock, SystemClock, type Clock } from './clock';
import { noTruncation, programOf, type Program } from './core';
import { expandEvent, toHistoryEvent, type CompactStateEvent } from './history';
import { announceStatus, emit, end, touch } from './journal';
import { redriveStatusOf, type EventBridgePort, type ExecutionStatusPort } from './eventbridge';
import type { LambdaRegistry } from './lambda';
import { keys, type ExecutionRecord, type Runtime, type StoredEvent } from './model';
import { handleError } from './retry-catch';
import { Runner } from './runner';
import * as machines from './state-machines';
import type { CreateInput } from './state-machines';
import { Store } from './store';
import { testState, type TestStatePorts } from './test-state';
import { validateStateMachineDefinition } from './validate-definition';
import { closeToken, openTask } from './task-tokens';
import { completeTask } from './tasks';
import { addDeadline } from './timers';

export interface EngineOptions {
  /** Directory of the LevelDB database; omit it and pass `store: 'memory'` for a throw-away engine. */
  dataDir?: string;
  store?: 'memory';
  clock?: Clock;
  lambdas: LambdaRegistry;
  /** PutEvents for `arn:aws:states:::events:putEvents` tasks; without it they fail with EventBridge.InternalException. */
  eventBridge?: EventBridgePort;
  /** Each execution's status changes, as Step Functions sends them to EventBridge's default bus. */
  executionStatus?: ExecutionStatusPort;
  region?: string;
  accountId?: string;
  /** Source of retry jitter; task tokens always come from the crypto RNG. */
  random?: () => number;
  /** Role ARN used when a caller gives none. */
  defaultRoleArn?: string;
}

const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;

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
 * batch left it. Only running executions are held in memory (by its Runner); this class answers the API actions.
 */
export class Engine {
  readonly clock: Clock;
  private readonly partition: Partition;
  private readonly catalogue: Catalogue;
  private readonly runner: Runner;
  private readonly testStatePorts: TestStatePorts;

  constructor(
    private readonly store: Store,
    options: EngineOptions,
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.partition = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
    const defaultRoleArn = options.defaultRoleArn ?? `arn:aws:iam::${this.partition.accountId}:role/local-step-functions`;
    const random = options.random ?? Math.random;
    this.catalogue = new Catalogue(store, this.clock, this.partition, defaultRoleArn, random);
    this.runner = new Runner(store, this.clock, this.partition, random, options.lambdas, options.eventBridge, options.executionStatus);
    this.testStatePorts = { lambdas: options.lambdas, eventBridge: options.eventBridge, clock: this.clock, partition: this.partition, random, defaultRoleArn };
  }

  // ---- State machines, versions and aliases (state-machines.ts, aliases.ts) ----

  createStateMachine = (input: CreateInput): Promise<CreateStateMachineOutput> => machines.createStateMachine(this.catalogue, input);
  describeStateMachine = async (input: DescribeStateMachineInput): Promise<DescribeStateMachineOutput> => machines.describeStateMachine(this.catalogue, input);
  listStateMachines = async (input: ListStateMachinesInput = {}): Promise<ListStateMachinesOutput> => machines.listStateMachines(this.catalogue, input);
  updateStateMachine = (input: UpdateStateMachineInput): Promise<UpdateStateMachineOutput> => machines.updateStateMachine(this.catalogue, input);
  publishStateMachineVersion = (input: PublishStateMachineVersionInput): Promise<PublishStateMachineVersionOutput> => machines.publishStateMachineVersion(this.catalogue, input);
  listStateMachineVersions = async (input: ListStateMachineVersionsInput): Promise<ListStateMachineVersionsOutput> => machines.listStateMachineVersions(this.catalogue, input);
  deleteStateMachineVersion = (input: DeleteStateMachineVersionInput): Promise<DeleteStateMachineVersionOutput> => machines.deleteStateMachineVersion(this.catalogue, input);
  createStateMachineAlias = (input: CreateStateMachineAliasInput): Promise<CreateStateMachineAliasOutput> => aliases.createStateMachineAlias(this.catalogue, input);
  describeStateMachineAlias = async (input: DescribeStateMachineAliasInput): Promise<DescribeStateMachineAliasOutput> => aliases.describeStateMachineAlias(this.catalogue, input);
  updateStateMachineAlias = (input: UpdateStateMachineAliasInput): Promise<UpdateStateMachineAliasOutput> => aliases.updateStateMachineAlias(this.catalogue, input);
  deleteStateMachineAlias = (input: DeleteStateMachineAliasInput): Promise<DeleteStateMachineAliasOutput> => aliases.deleteStateMachineAlias(this.catalogue, input);
  listStateMachineAliases = async (input: ListStateMachineAliasesInput): Promise<ListStateMachineAliasesOutput> => aliases.listStateMachineAliases(this.catalogue, input);

  testState = (input: TestStateInput): Promise<TestStateOutput> => testState(this.testStatePorts, input);
  validateStateMachineDefinition = async (input: ValidateStateMachineDefinitionInput): Promise<ValidateStateMachineDefinitionOutput> => validateStateMachineDefinition(input);

  async deleteStateMachine(input: DeleteStateMachineInput): Promise<DeleteStateMachineOutput> {
    const name = parseStateMachineArn(this.partition, input.stateMachineArn);
    // Running executions keep their definition: they load it by hash, which is never deleted.
    this.catalogue.deleteMachine(name);
    await this.store.flush();
    return {};
  }

  // ---- Executions ----

  async startExecution(input: StartExecutionInput): Promise<StartExecutionOutput> {
    const revision = this.catalogue.revisionFor(input.stateMachineArn);
    const machine = revision.machine;
    const name = input.name ?? randomUUID();
    assertName(name, 'execution');
    const inputText = input.input ?? '{}';
    const parsed = parseJson(inputText, 'InvalidExecutionInput', 'input');
    if (Buffer.byteLength(inputText) > PAYLOAD_LIMIT) throw apiError('InvalidExecutionInput', 'input is larger than 256 KiB');
    const arn = executionArn(this.partition, machine.name, name);
    const program = await this.programOf(revision.definitionHash);
    const stored = this.runner.live.get(arn)?.record ?? (await this.readRecord(machine.name, name));
    // Another start of the same name may have begun while this one read the store.
    const existing = this.runner.live.get(arn)?.record ?? stored;
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
      definitionHash: revision.definitionHash,
      roleArn: revision.roleArn,
      stateMachineVersionArn: revision.version?.arn,
      stateMachineAliasArn: revision.alias?.arn,
      revisionId: revision.revisionId,
      revisionDate: revision.revisionDate,
      status: 'RUNNING',
      startDate: this.clock.now(),
      input: inputText,
      redriveCount: 0,
      lastEventId: 0,
    };
    const live = this.runner.begin(record, program, parsed, { lastEventId: 0, nextThreadId: 0, threads: {} });
    emit(this.runner, live, undefined, 'ExecutionStarted', { input: inputText, inputDetails: noTruncation, roleArn: record.roleArn });
    this.runner.launch(live, program.definition.StartAt, parsed);
    announceStatus(this.runner, record);
    await this.store.flush();
    return { executionArn: arn, startDate: new Date(record.startDate) };
  }

  async describeExecution(input: DescribeExecutionInput): Promise<DescribeExecutionOutput> {
    const record = await this.executionOf(input.executionArn);
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
      ...redriveStatusOf(record),
      stateMachineVersionArn: record.stateMachineVersionArn,
      stateMachineAliasArn: record.stateMachineAliasArn,
    };
  }

  /** The definition and role the execution runs (or ran), whatever updates the machine had since it started. */
  async describeStateMachineForExecution(input: DescribeStateMachineForExecutionInput): Promise<DescribeStateMachineForExecutionOutput> {
    const record = await this.executionOf(input.executionArn);
    const definition = await this.store.get(keys.definition(record.definitionHash));
    if (definition === undefined) throw new Error(`The store has lost definition ${record.definitionHash}`);
    return {
      stateMachineArn: record.stateMachineArn,
      name: record.stateMachineName,
      definition,
      roleArn: record.roleArn,
      // Executions from before versions were recorded carry no revision date; their start is the best bound.
      updateDate: new Date(record.revisionDate ?? record.startDate),
      revisionId: record.revisionId,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  async listExecutions(input: ListExecutionsInput): Promise<ListExecutionsOutput> {
    // A version or alias ARN lists the executions started on that version (directly or through an alias) or alias.
    const target = parseStateMachineTarget(this.partition, input.stateMachineArn);
    const machineName = this.catalogue.machineNamed(target.name, input.stateMachineArn).name;
    if (target.version !== undefined) this.catalogue.versionOf(input.stateMachineArn, 'ResourceNotFound');
    if (target.alias !== undefined) this.catalogue.aliasOf(input.stateMachineArn);
    const qualifier = (record: ExecutionRecord) =>
      target.version !== undefined ? record.stateMachineVersionArn : target.alias !== undefined ? record.stateMachineAliasArn : input.stateMachineArn;
    const wanted = (record: ExecutionRecord) => (!input.statusFilter || input.statusFilter === record.status) && qualifier(record) === input.stateMachineArn;
    const records: ExecutionRecord[] = [];
    for await (const [, value] of this.store.scan(keys.executions(machineName))) {
      const record = JSON.parse(value) as ExecutionRecord;
      // A redriven execution's stored record is stale while it runs again.
      if (wanted(record) && !this.runner.live.has(record.executionArn)) records.push(record);
    }
    for (const { record } of this.runner.live.values()) {
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
        stateMachineVersionArn: record.stateMachineVersionArn,
        stateMachineAliasArn: record.stateMachineAliasArn,
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
    const live = this.runner.live.get(record.executionArn);
    if (live) {
      for (const thread of Object.values(live.runtime.threads)) if (thread.parent === undefined) abortStates(this.runner, live, thread);
      emit(this.runner, live, undefined, 'ExecutionAborted', { error: input.error, cause: input.cause });
      end(this.runner, live, 'ABORTED', { error: input.error, cause: input.cause });
      await this.store.flush();
      return { stopDate: new Date(live.record.stopDate!) };
    }
    return { stopDate: new Date(record.stopDate ?? this.clock.now()) };
  }

  async redriveExecution(input: RedriveExecutionInput): Promise<RedriveExecutionOutput> {
    const found = await this.executionOf(input.executionArn);
    if (this.runner.live.has(found.executionArn)) throw apiError('ExecutionNotRedrivable', `Execution is RUNNING: '${found.executionArn}'`);
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
    const live = this.runner.begin(record, program, JSON.parse(record.input) as Json, { lastEventId: record.lastEventId, nextThreadId: 0, threads: {} });
    emit(this.runner, live, undefined, 'ExecutionRedriven', { redriveCount: record.redriveCount });
    announceStatus(this.runner, record);
    const thread = this.runner.launch(live, state, stateInput);
    if (record.redriveFrom.branches) thread.redrive = record.redriveFrom.branches;
    // The variables the execution had when it stopped are the ones its redriven states see.
    if (record.redriveFrom.variables) thread.variables = record.redriveFrom.variables;
    await this.store.flush();
    return { redriveDate: new Date(record.redriveDate) };
  }

  // ---- Callbacks ----

  async sendTaskSuccess(input: SendTaskSuccessInput): Promise<SendTaskSuccessOutput> {
    const output = parseJson(input.output, 'InvalidOutput', 'output');
    const { live, thread, phase } = await openTask(this.runner, input.taskToken);
    emit(this.runner, live, thread, 'TaskSucceeded', { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: input.output, outputDetails: noTruncation });
    closeToken(this.runner, phase, 'CLOSED');
    thread.generation += 1;
    completeTask(this.runner, live, thread, output);
    await this.store.flush();
    return {};
  }

  async sendTaskFailure(input: SendTaskFailureInput): Promise<SendTaskFailureOutput> {
    const { live, thread, phase } = await openTask(this.runner, input.taskToken);
    emit(this.runner, live, thread, 'TaskFailed', { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: input.error, cause: input.cause });
    closeToken(this.runner, phase, 'CLOSED');
    thread.generation += 1;
    // A failure reported without an error name is still a task failure, and Retry / Catch match it as one.
    handleError(this.runner, live, thread, input.error ?? 'States.TaskFailed', input.cause);
    await this.store.flush();
    return {};
  }

  async sendTaskHeartbeat(input: SendTaskHeartbeatInput): Promise<SendTaskHeartbeatOutput> {
    const { live, thread, phase } = await openTask(this.runner, input.taskToken);
    if (phase.heartbeatSeconds !== undefined) {
      phase.heartbeatAt = this.clock.now() + phase.heartbeatSeconds * 1000;
      addDeadline(this.runner, phase.heartbeatAt, live, thread.id);
      touch(this.runner, live);
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
      quietTurns = this.runner.quiet ? quietTurns + 1 : 0;
    }
  }

  /** Running executions held in memory. */
  get runningExecutions(): number {
    return this.runner.live.size;
  }

  async close(): Promise<void> {
    if (this.runner.closed) return;
    this.runner.close();
    await this.store.close();
  }

  /** The state machine whose running task holds this token, which Step Functions authorizes SendTask* against. */
  taskTokenOwner(taskToken: unknown): string | undefined {
    const entry = typeof taskToken === 'string' ? this.runner.tokens.get(taskToken) : undefined;
    return entry && this.runner.live.get(entry.executionArn)?.record.stateMachineArn;
  }

  // ---- Recovery ----

  /** Loads state machines and every running execution's snapshot; re-arms deadlines and re-invokes cut-off tasks. */
  async recover(): Promise<void> {
    const clock = this.clock;
    const savedClock = await this.store.get(keys.clock);
    if (clock instanceof ManualClock && savedClock !== undefined && Number(savedClock) > clock.now()) clock.set(Number(savedClock));
    await this.catalogue.load();
    for await (const [, value] of this.store.scan(keys.lives)) {
      const { record, runtime } = JSON.parse(value) as { record: ExecutionRecord; runtime: Runtime };
      this.runner.resume(record, runtime, await this.programOf(record.definitionHash));
    }
  }

  // ---- Lookups ----

  private async readRecord(stateMachineName: string, name: string): Promise<ExecutionRecord | undefined> {
    const value = await this.store.get(keys.execution(stateMachineName, name));
    return value === undefined ? undefined : (JSON.parse(value) as ExecutionRecord);
  }

  private async executionOf(arn: unknown): Promise<ExecutionRecord> {
    const { stateMachineName, name } = parseExecutionArn(this.partition, arn);
    const record = this.runner.live.get(arn as string)?.record ?? (await this.readRecord(stateMachineName, name));
    if (!record) throw apiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn as string}'`);
    return record;
  }

  private async programOf(definitionHash: string): Promise<Program> {
    const programs = this.catalogue.programs;
    const cached = programs.get(definitionHash);
    if (cached) return cached;
    const text = await this.store.get(keys.definition(definitionHash));
    if (text === undefined) throw new Error(`The store has lost definition ${definitionHash}`);
    // The store holds only definitions that passed validation when their state machine was created.
    const program = programs.get(definitionHash) ?? programOf(JSON.parse(text) as StateMachineDefinition);
    programs.set(definitionHash, program);
    return program;
  }

  private manualClock(): ManualClock {
    if (!(this.clock instanceof ManualClock)) throw apiError('UnknownOperationException', 'The engine runs on the system clock; start it with a ManualClock to move time');
    return this.clock;
  }
}
