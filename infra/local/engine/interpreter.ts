import type { Json, Outcome, State } from './asl';
import { attemptBranches, completeBranches, failBranching, failIteration, skipSucceededItems, startMapItem } from './branches';
import { data, isCurrent, noTruncation, stateOf, statusOf, type Branching, type Core, type LiveExecution } from './core';
import { andThen, assignVariables, evaluatorOf, scopeOf, settle } from './evaluation';
import { emit, emitStateEvent, end } from './journal';
import type { BranchesPhase, Thread } from './model';
import { handleError } from './retry-catch';
import { attemptTask } from './tasks';
import { addDeadline } from './timers';

// One thread may take this many transitions before others get a turn, so a Choice loop cannot starve the rest.
const TRANSITIONS_PER_TURN = 200;
const TRANSITIONS_PER_PUMP = 2_000;

export function enqueue(core: Core, live: LiveExecution, thread: Thread): void {
  core.ready.push([live, thread]);
  schedulePump(core);
}

function schedulePump(core: Core): void {
  if (core.pumpScheduled || core.closed) return;
  core.pumpScheduled = true;
  setImmediate(() => pump(core));
}

/** Runs the ready threads' transitions, a bounded number per call, until each waits on something or ends. */
export function pump(core: Core): void {
  core.pumpScheduled = false;
  let budget = TRANSITIONS_PER_PUMP;
  while (core.readyHead < core.ready.length && budget > 0 && !core.closed) {
    const [live, thread] = core.ready[core.readyHead++];
    let turns = 0;
    while (isCurrent(live, thread) && thread.phase.kind === 'enter' && turns < TRANSITIONS_PER_TURN) {
      enterState(core, live, thread);
      turns += 1;
    }
    budget -= turns;
    if (turns === TRANSITIONS_PER_TURN && isCurrent(live, thread) && thread.phase.kind === 'enter') core.ready.push([live, thread]);
  }
  if (core.readyHead >= core.ready.length) {
    core.ready = [];
    core.readyHead = 0;
    return;
  }
  if (core.readyHead > 4096) {
    core.ready = core.ready.slice(core.readyHead);
    core.readyHead = 0;
  }
  schedulePump(core);
}

export function spawn(core: Core, live: LiveExecution, parent: Thread | undefined, scope: string, state: string, input: Json, index?: number): Thread {
  const thread: Thread = {
    id: live.runtime.nextThreadId++,
    parent: parent?.id,
    index,
    scope,
    state,
    input,
    enteredTime: core.clock.now(),
    retryCount: 0,
    retriesUsed: [],
    lastEventId: parent ? parent.lastEventId : live.runtime.lastEventId,
    generation: 0,
    phase: { kind: 'enter' },
  };
  live.runtime.threads[thread.id] = thread;
  enqueue(core, live, thread);
  return thread;
}

function enterState(core: Core, live: LiveExecution, thread: Thread): void {
  const state = stateOf(live, thread);
  thread.enteredTime = core.clock.now();
  thread.retryCount = 0;
  thread.retriesUsed = [];
  emitStateEvent(core, live, thread, `${state.Type}StateEntered`, thread.input);
  attempt(core, live, thread, state);
}

/** Runs the body of the thread's state; for Task, Parallel and Map this is also what a retry repeats. */
export function attempt(core: Core, live: LiveExecution, thread: Thread, state: State): void {
  const fail = (error: string | undefined, cause: string | undefined) =>
    state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map' ? handleError(core, live, thread, error, cause) : failThread(core, live, thread, error, cause);
  try {
    const evaluator = evaluatorOf(live, state);
    switch (state.Type) {
      case 'Pass':
      case 'Succeed': {
        const next = state.Type === 'Pass' && !state.End ? state.Next : undefined;
        if (passesInputThrough(state) && evaluator.language === 'JSONPath') {
          exit(core, live, thread, state, thread.input, next);
          return;
        }
        const scope = scopeOf(live, thread);
        settle(core, live, thread, () => andThen(evaluator.effectiveInput(state, scope), (effective) => evaluator.complete(state, scope, effective)), (outcome) => exitWith(core, live, thread, state, outcome, next), fail);
        return;
      }
      case 'Choice': {
        const scope = scopeOf(live, thread);
        settle(core, live, thread, () => evaluator.choose(state, scope), (choice) => exitWith(core, live, thread, state, choice, choice.next), fail);
        return;
      }
      case 'Fail':
        settle(core, live, thread, () => evaluator.failure(state, scopeOf(live, thread)), ({ error, cause }) => failThread(core, live, thread, error, cause), fail);
        return;
      case 'Wait':
        settle(
          core,
          live,
          thread,
          () => evaluator.waitUntil(state, scopeOf(live, thread), core.clock.now()),
          (until) => {
            thread.phase = { kind: 'wait', until };
            addDeadline(core, until, live, thread.id);
          },
          fail,
        );
        return;
      case 'Task':
        attemptTask(core, live, thread, state);
        return;
      case 'Parallel':
      case 'Map':
        attemptBranches(core, live, thread, state);
        return;
    }
  } catch (thrown) {
    const { error, cause } = statusOf(thrown);
    fail(error, cause);
  }
}

export function finishWait(core: Core, live: LiveExecution, thread: Thread, state: State): void {
  const evaluator = evaluatorOf(live, state);
  const scope = scopeOf(live, thread);
  const next = state.Type === 'Wait' && !state.End ? state.Next : undefined;
  settle(
    core,
    live,
    thread,
    () => andThen(evaluator.effectiveInput(state, scope), (effective) => evaluator.complete(state, scope, effective)),
    (outcome) => exitWith(core, live, thread, state, outcome, next),
    (error, cause) => failThread(core, live, thread, error, cause),
  );
}

/** Moves on with the state's output, once its Assign (if any) is stored; an Assign over the limits fails the state. */
export function exitWith(core: Core, live: LiveExecution, thread: Thread, state: State, outcome: Outcome, next: string | undefined): void {
  try {
    assignVariables(live, thread, outcome.assign);
  } catch (thrown) {
    const { error, cause } = statusOf(thrown);
    if (state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map') handleError(core, live, thread, error, cause);
    else failThread(core, live, thread, error, cause);
    return;
  }
  exit(core, live, thread, state, outcome.output, next);
}

export function exit(core: Core, live: LiveExecution, thread: Thread, state: State, output: Json, next: string | undefined): void {
  emitStateEvent(core, live, thread, `${state.Type}StateExited`, output);
  thread.generation += 1;
  if (next === undefined) {
    finishThread(core, live, thread, output);
    return;
  }
  thread.state = next;
  thread.input = output;
  thread.phase = { kind: 'enter' };
}

/** After an asynchronous event moved a thread on, lets the pump continue it. */
export function continueThread(core: Core, live: LiveExecution, thread: Thread): void {
  if (isCurrent(live, thread) && thread.phase.kind === 'enter') enqueue(core, live, thread);
}

function finishThread(core: Core, live: LiveExecution, thread: Thread, output: Json): void {
  delete live.runtime.threads[thread.id];
  if (thread.parent === undefined) {
    const text = data(output);
    emit(core, live, undefined, 'ExecutionSucceeded', { output: text, outputDetails: noTruncation });
    end(core, live, 'SUCCEEDED', { output: text });
    return;
  }
  const parent = live.runtime.threads[thread.parent];
  const phase = parent.phase as BranchesPhase;
  phase.results[thread.index!] = output;
  (phase.succeeded ??= [])[thread.index!] = true;
  phase.remaining -= 1;
  if (phase.items) {
    emit(core, live, thread, 'MapIterationSucceeded', { name: parent.state, index: thread.index });
    if (skipSucceededItems(phase)) startMapItem(core, live, parent);
  }
  if (phase.remaining === 0) completeBranches(core, live, parent);
}

export function failThread(core: Core, live: LiveExecution, thread: Thread, error: string | undefined, cause: string | undefined): void {
  if (thread.parent === undefined) {
    emit(core, live, thread, 'ExecutionFailed', { error, cause });
    end(core, live, 'FAILED', { error, cause });
    return;
  }
  const parent = live.runtime.threads[thread.parent];
  if ((stateOf(live, parent) as Branching).Type === 'Map') {
    failIteration(core, live, parent, thread, error, cause);
    return;
  }
  delete live.runtime.threads[thread.id];
  failBranching(core, live, parent, error, cause);
}

/**
 * A state with no InputPath, OutputPath or Parameters hands its input on untouched. Skipping the semantics calls
 * then saves two path evaluations and two size checks per transition; the input was size-checked when made.
 */
function passesInputThrough(state: State): boolean {
  const paths = state as { InputPath?: unknown; OutputPath?: unknown; Parameters?: unknown; Assign?: unknown; Result?: unknown; ResultPath?: unknown };
  return (
    (paths.InputPath === undefined || paths.InputPath === '$') &&
    (paths.OutputPath === undefined || paths.OutputPath === '$') &&
    paths.Parameters === undefined &&
    paths.Assign === undefined &&
    // A Pass with Result or ResultPath changes its input.
    paths.Result === undefined &&
    (paths.ResultPath === undefined || paths.ResultPath === '$')
  );
}
