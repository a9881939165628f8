import type { Json, Outcome, State } from './asl';
import type { Partition } from './arns';
import type { Clock } from './clock';
import { stateOf, type Core, type LiveExecution, type Program, type ThreadAddress } from './core';
import { DeadlineQueue } from './deadline-queue';
import * as interpreter from './interpreter';
import { writeSnapshots } from './journal';
import type { EventBridgePort, ExecutionStatusPort } from './eventbridge';
import type { LambdaRegistry } from './lambda';
import type { ExecutionRecord, Runtime, TaskPhase, Thread } from './model';
import type { Store } from './store';
import { invoke, timeOutTask } from './tasks';
import { addDeadline } from './timers';

/** Runs executions: holds their live state in memory and starts, resumes and advances them. */
export class Runner implements Core {
  readonly live = new Map<string, LiveExecution>();
  readonly tokens = new Map<string, ThreadAddress>();
  readonly dirty = new Set<LiveExecution>();
  readonly deadlines = new DeadlineQueue<ThreadAddress>();
  ready: [LiveExecution, Thread][] = [];
  readyHead = 0;
  pumpScheduled = false;
  deadlineCheckScheduled = false;
  armedAt = Infinity;
  disarm: () => void = () => undefined;
  invocations = 0;
  evaluations = 0;
  lastSerialised: { value: Json | undefined; text: string } = { value: undefined, text: '' };
  closed = false;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly partition: Partition,
    readonly random: () => number,
    readonly lambdas: LambdaRegistry,
    readonly eventBridge?: EventBridgePort,
    readonly executionStatus?: ExecutionStatusPort,
  ) {
    store.beforeWrite = () => {
      // Transitions that are ready run before the batch is cut, so an execution that starts and finishes
      // within one batch never needs a snapshot of its live state.
      if (this.readyHead < this.ready.length) interpreter.pump(this);
      writeSnapshots(this);
    };
  }

  /** Holds a new or redriven execution in memory and arms its TimeoutSeconds; its first thread comes from launch. */
  begin(record: ExecutionRecord, program: Program, input: Json, runtime: Runtime): LiveExecution {
    const live: LiveExecution = { record, runtime, program, input, ended: false, unwritten: '', firstUnwritten: 0 };
    // A running execution's record travels in its live snapshot; the execution key is written when it ends.
    this.live.set(record.executionArn, live);
    const timeoutSeconds = program.definition.TimeoutSeconds;
    if (timeoutSeconds !== undefined) {
      runtime.deadline = this.clock.now() + timeoutSeconds * 1000;
      addDeadline(this, runtime.deadline, live, -1);
    }
    return live;
  }

  launch(live: LiveExecution, state: string, input: Json): Thread {
    return this.spawn(live, undefined, '', state, input);
  }

  /** Takes back a running execution from its snapshot after a restart. */
  resume(record: ExecutionRecord, runtime: Runtime, program: Program): void {
    const live: LiveExecution = { record, runtime, program, input: JSON.parse(record.input) as Json, ended: false, unwritten: '', firstUnwritten: 0 };
    this.live.set(record.executionArn, live);
    if (runtime.deadline !== undefined) addDeadline(this, runtime.deadline, live, -1);
    for (const thread of Object.values(runtime.threads)) this.resumeThread(live, thread);
  }

  private resumeThread(live: LiveExecution, thread: Thread): void {
    const phase = thread.phase;
    switch (phase.kind) {
      case 'enter':
        interpreter.enqueue(this, live, thread);
        return;
      case 'evaluate':
        // Cut off while its expressions were evaluated: evaluate them again (they read only the snapshot).
        interpreter.attempt(this, live, thread, stateOf(live, thread));
        return;
      case 'wait':
      case 'backoff':
        addDeadline(this, phase.until, live, thread.id);
        return;
      case 'task':
        if (phase.token) this.tokens.set(phase.token, { executionArn: live.record.executionArn, threadId: thread.id });
        addDeadline(this, phase.timeoutAt, live, thread.id);
        if (phase.heartbeatAt !== undefined) addDeadline(this, phase.heartbeatAt, live, thread.id);
        // The invocation may have been cut off by the crash; Lambda's contract is at-least-once, so run it again.
        if (!phase.invoked) invoke(this, live, thread);
        return;
      case 'branches':
        return;
    }
  }

  /** Nothing runnable: no transition queued, no deadline check or Lambda invocation pending, every write on disk. */
  get quiet(): boolean {
    return this.readyHead >= this.ready.length && !this.pumpScheduled && !this.deadlineCheckScheduled && this.invocations === 0 && this.evaluations === 0 && !this.store.busy;
  }

  close(): void {
    this.closed = true;
    this.disarm();
  }

  spawn(live: LiveExecution, parent: Thread | undefined, scope: string, state: string, input: Json, index?: number): Thread {
    return interpreter.spawn(this, live, parent, scope, state, input, index);
  }

  attempt(live: LiveExecution, thread: Thread, state: State): void {
    interpreter.attempt(this, live, thread, state);
  }

  exit(live: LiveExecution, thread: Thread, state: State, output: Json, next: string | undefined): void {
    interpreter.exit(this, live, thread, state, output, next);
  }

  exitWith(live: LiveExecution, thread: Thread, state: State, outcome: Outcome, next: string | undefined): void {
    interpreter.exitWith(this, live, thread, state, outcome, next);
  }

  finishWait(live: LiveExecution, thread: Thread, state: State): void {
    interpreter.finishWait(this, live, thread, state);
  }

  continueThread(live: LiveExecution, thread: Thread): void {
    interpreter.continueThread(this, live, thread);
  }

  failThread(live: LiveExecution, thread: Thread, error: string | undefined, cause: string | undefined): void {
    interpreter.failThread(this, live, thread, error, cause);
  }

  timeOutTask(live: LiveExecution, thread: Thread, phase: TaskPhase, error: 'States.Timeout' | 'States.HeartbeatTimeout'): void {
    timeOutTask(this, live, thread, phase, error);
  }
}
