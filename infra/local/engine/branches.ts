import { exceedsTolerance, type Json, type MapState, type Tolerance } from './asl';
import { contextObject, isCurrent, scopeOf, stateOf, type Branching, type Core, type LiveExecution } from './core';
import { andThen, evaluatorOf, settle } from './evaluation';
import { emit } from './journal';
import type { BranchesPhase, Thread } from './model';
import { completeWithResult, handleError } from './retry-catch';
import { closeToken } from './task-tokens';

/** Starts a Parallel state's branches or a Map state's first iterations, each as a child thread. */
export function attemptBranches(core: Core, live: LiveExecution, thread: Thread, state: Branching): void {
  const evaluator = evaluatorOf(live, state);
  const scope = { input: thread.input, context: contextObject(live, thread) };
  // A redrive keeps the input, items and results of the attempt that failed; a retry after it starts afresh.
  const saved = thread.redrive;
  delete thread.redrive;
  settle(
    core,
    live,
    thread,
    () =>
      andThen(saved ? saved.effectiveInput : evaluator.effectiveInput(state, scope), (effectiveInput) =>
        state.Type === 'Parallel' ? { effectiveInput } : andThen(evaluator.mapStart(state, scope, effectiveInput), (start) => ({ effectiveInput, ...start })),
      ),
    (started) => startBranches(core, live, thread, state, saved, started),
    (error, cause) => handleError(core, live, thread, error, cause),
  );
}

interface Started {
  effectiveInput: Json;
  items?: Json[];
  maxConcurrency?: number;
  tolerance?: Tolerance;
}

function startBranches(core: Core, live: LiveExecution, thread: Thread, state: Branching, saved: Thread['redrive'], started: Started): void {
  const { effectiveInput } = started;
  const succeeded = saved ? [...saved.succeeded] : [];
  thread.generation += 1;
  if (state.Type === 'Parallel') {
    emit(core, live, thread, 'ParallelStateStarted');
    const results = saved ? [...saved.results] : state.Branches.map(() => null);
    const pending = state.Branches.flatMap((branch, index) => (succeeded[index] ? [] : [{ branch, index }]));
    thread.phase = { kind: 'branches', results, remaining: pending.length, nextItem: 0, effectiveInput, succeeded };
    for (const { branch, index } of pending) core.spawn(live, thread, scopeOf(thread, String(index)), branch.StartAt, effectiveInput, index);
  } else {
    const items = saved?.items ?? started.items!;
    const limit = started.maxConcurrency;
    const tolerance = started.tolerance;
    emit(core, live, thread, 'MapStateStarted', { length: items.length });
    const results = saved ? [...saved.results] : items.map(() => null);
    const remaining = items.filter((_, index) => !succeeded[index]).length;
    const phase: BranchesPhase = { kind: 'branches', results, remaining, items, nextItem: 0, effectiveInput, succeeded, ...(tolerance && { tolerance, failed: 0 }) };
    thread.phase = phase;
    const concurrency = limit ? Math.min(limit, remaining) : remaining;
    for (let i = 0; i < concurrency && isCurrent(live, thread) && thread.phase === phase && skipSucceededItems(phase); i++) startMapItem(core, live, thread);
  }
  if (thread.phase.kind === 'branches' && thread.phase.remaining === 0) completeBranches(core, live, thread);
}

export function startMapItem(core: Core, live: LiveExecution, parent: Thread): void {
  const state = stateOf(live, parent) as MapState;
  const phase = parent.phase as BranchesPhase;
  const index = phase.nextItem++;
  const context = { ...contextObject(live, parent), Map: { Item: { Index: index, Value: phase.items![index] } } };
  settle(
    core,
    live,
    parent,
    () => evaluatorOf(live, state).mapItemInput(state, phase.effectiveInput, { input: parent.input, context }),
    (input) => {
      emit(core, live, parent, 'MapIterationStarted', { name: parent.state, index });
      core.spawn(live, parent, scopeOf(parent), (state.ItemProcessor ?? state.Iterator)!.StartAt, input, index);
    },
    (error, cause) => failBranching(core, live, parent, error, cause),
  );
}

/**
 * Fails a Parallel or Map state whose branch or iteration failed: the others are aborted, then Retry and Catch
 * apply. The failure goes on as it came, so one that names no error still names none when it ends the execution.
 */
export function failBranching(core: Core, live: LiveExecution, parent: Thread, error: string | undefined, cause: string | undefined): void {
  abortChildren(core, live, parent);
  emit(core, live, parent, `${(stateOf(live, parent) as Branching).Type}StateFailed`);
  parent.generation += 1;
  handleError(core, live, parent, error, cause);
}

/**
 * A Map iteration failed. Within the Map's tolerance the Map carries on, with null for that item's result;
 * past it the Map fails with States.ExceedToleratedFailureThreshold; a Map without a tolerance fails with the
 * iteration's own error.
 */
export function failIteration(core: Core, live: LiveExecution, parent: Thread, iteration: Thread, error: string | undefined, cause: string | undefined): void {
  emit(core, live, iteration, 'MapIterationFailed', { name: parent.state, index: iteration.index });
  delete live.runtime.threads[iteration.id];
  const phase = parent.phase as BranchesPhase;
  if (phase.tolerance === undefined) {
    failBranching(core, live, parent, error, cause);
    return;
  }
  phase.failed = (phase.failed ?? 0) + 1;
  const total = phase.items!.length;
  if (exceedsTolerance(phase.tolerance, phase.failed, total)) {
    const cause = `The Map state '${parent.state}' failed: ${phase.failed} of ${total} iterations failed, over its tolerated failure threshold (${describeTolerance(phase)}).`;
    failBranching(core, live, parent, 'States.ExceedToleratedFailureThreshold', cause);
    return;
  }
  phase.results[iteration.index!] = null;
  phase.remaining -= 1;
  if (skipSucceededItems(phase)) startMapItem(core, live, parent);
  if (phase.remaining === 0) completeBranches(core, live, parent);
}

function describeTolerance({ tolerance }: BranchesPhase): string {
  const thresholds = [tolerance?.count === undefined ? '' : `ToleratedFailureCount ${tolerance.count}`, tolerance?.percentage === undefined ? '' : `ToleratedFailurePercentage ${tolerance.percentage}`];
  return thresholds.filter((text) => text !== '').join(', ');
}

export function completeBranches(core: Core, live: LiveExecution, thread: Thread): void {
  const state = stateOf(live, thread) as Branching;
  const phase = thread.phase as BranchesPhase;
  emit(core, live, thread, `${state.Type}StateSucceeded`);
  completeWithResult(core, live, thread, state, phase.results);
}

/** Moves a Map's next item past those a redrive kept; says whether any item is left to start. */
export function skipSucceededItems(phase: BranchesPhase): boolean {
  while (phase.nextItem < phase.items!.length && phase.succeeded?.[phase.nextItem]) phase.nextItem += 1;
  return phase.nextItem < phase.items!.length;
}

/** Drops every thread under the parent, once one branch or iteration has failed it. */
export function abortChildren(core: Core, live: LiveExecution, parent: Thread): void {
  const parentState = stateOf(live, parent);
  for (const child of Object.values(live.runtime.threads)) {
    if (child.parent !== parent.id) continue;
    abortChildren(core, live, child);
    if (child.phase.kind === 'task') closeToken(core, child.phase, 'CLOSED');
    if (parentState.Type === 'Map') emit(core, live, child, 'MapIterationAborted', { name: parent.state, index: child.index });
    delete live.runtime.threads[child.id];
  }
}

/**
 * Records, as AWS does when an execution is stopped, the abort of every state still running under the thread:
 * innermost first, each Map iteration after the states inside it, and the enclosing state last.
 */
export function abortStates(core: Core, live: LiveExecution, thread: Thread): void {
  const state = stateOf(live, thread);
  if (thread.phase.kind === 'branches') {
    const children = Object.values(live.runtime.threads).filter((child) => child.parent === thread.id);
    for (const child of children.sort((a, b) => a.index! - b.index!)) {
      abortStates(core, live, child);
      if (state.Type === 'Map') emit(core, live, child, 'MapIterationAborted', { name: thread.state, index: child.index });
    }
  }
  // A thread in its 'enter' phase has not entered its state yet, so there is nothing of it to abort.
  if (thread.phase.kind !== 'enter' && (state.Type === 'Task' || state.Type === 'Wait' || state.Type === 'Parallel' || state.Type === 'Map')) {
    emit(core, live, thread, `${state.Type}StateAborted`);
  }
}
