/**
 * Where the runtime meets the query languages: the state's evaluator, its scope, and `settle`, which carries on at
 * once with a JSONPath answer and after the promise with a JSONata one, dropping the answer if the thread moved on.
 */
import { assertAssignSize, assertStoredSize, evaluators, isPromise, type Eventually, type JsonObject, type QueryEvaluator, type State, type StateScope } from './asl';
import { contextObject, isCurrent, statusOf, type Core, type LiveExecution } from './core';
import { touch } from './journal';
import type { Thread } from './model';

export function evaluatorOf(live: LiveExecution, state: State): QueryEvaluator {
  return evaluators[live.program.languages.get(state) ?? 'JSONPath'];
}

export function scopeOf(live: LiveExecution, thread: Thread): StateScope {
  return { input: thread.input, context: contextObject(live, thread) };
}

/** Chains a step after an answer that may or may not be a promise. */
export function andThen<T, U>(value: Eventually<T>, next: (value: T) => Eventually<U>): Eventually<U> {
  return isPromise(value) ? value.then(next) : next(value);
}

type Failure = (error: string | undefined, cause: string | undefined) => void;

/**
 * Runs `compute`, then `then` with its answer, or `fail` with the error it threw. A thread waiting on a JSONata
 * answer in its 'enter' phase moves to 'evaluate', so the pump leaves it alone until the answer is in.
 */
export function settle<T>(core: Core, live: LiveExecution, thread: Thread, compute: () => Eventually<T>, then: (value: T) => void, fail: Failure): void {
  let value: Eventually<T>;
  try {
    value = compute();
  } catch (thrown) {
    const { error, cause } = statusOf(thrown);
    fail(error, cause);
    return;
  }
  if (!isPromise(value)) {
    then(value);
    return;
  }
  const generation = thread.generation;
  if (thread.phase.kind === 'enter') thread.phase = { kind: 'evaluate' };
  core.evaluations += 1;
  const current = () => isCurrent(live, thread) && thread.generation === generation;
  value
    .then(
      (answer) => {
        if (current()) then(answer);
      },
      (thrown: unknown) => {
        if (!current()) return;
        const { error, cause } = statusOf(thrown);
        fail(error, cause);
      },
    )
    .catch((error: unknown) => process.emitWarning(`Step Functions engine: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => {
      core.evaluations -= 1;
      // The thread changed after the batch that holds its 'evaluate' phase may have been cut: snapshot it again.
      if (!live.ended) touch(core, live);
      core.continueThread(live, thread);
    });
}

/**
 * Stores what a state's Assign evaluated to in the thread's own scope, within AWS's size limits. All of an Assign's
 * expressions were evaluated before any variable changes, so each saw the values from before the state.
 */
export function assignVariables(live: LiveExecution, thread: Thread, assigned: JsonObject | undefined): void {
  if (assigned === undefined) return;
  assertAssignSize(assigned);
  const variables = { ...thread.variables, ...assigned };
  const all: JsonObject = {};
  for (const other of Object.values(live.runtime.threads)) if (other !== thread && other.variables) Object.assign(all, other.variables);
  assertStoredSize({ ...all, ...variables });
  thread.variables = variables;
}
