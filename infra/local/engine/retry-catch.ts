import { assertPayloadSize, findCatcher, findRetrier, retryDelayMs, type Json, type JsonObject, type TaskState } from './asl';
import { stateOf, type Branching, type Core, type LiveExecution } from './core';
import { evaluatorOf, scopeOf, settle } from './evaluation';
import { touch } from './journal';
import type { Thread } from './model';
import { addDeadline } from './timers';

/** Retry, then Catch, then fail: the error handling of Task, Parallel and Map states. `error` is undefined for a failure that names none. */
export function handleError(core: Core, live: LiveExecution, thread: Thread, error: string | undefined, cause: string | undefined): void {
  const state = stateOf(live, thread) as TaskState | Branching;
  const retrier = findRetrier(state.Retry, error, thread.retriesUsed);
  if (retrier !== undefined) {
    const used = thread.retriesUsed[retrier] ?? 0;
    const until = core.clock.now() + retryDelayMs(state.Retry![retrier], used, core.random);
    for (let i = 0; i < retrier; i++) thread.retriesUsed[i] ??= 0;
    thread.retriesUsed[retrier] = used + 1;
    thread.retryCount += 1;
    thread.generation += 1;
    thread.phase = { kind: 'backoff', until };
    addDeadline(core, until, live, thread.id);
    touch(core, live);
    return;
  }
  const catcher = findCatcher(state.Catch, error);
  if (!catcher) {
    core.failThread(live, thread, error, cause);
    return;
  }
  const errorOutput: JsonObject = { ...(error === undefined ? {} : { Error: error }), ...(cause === undefined ? {} : { Cause: cause }) };
  const evaluator = evaluatorOf(live, state);
  settle(
    core,
    live,
    thread,
    () => evaluator.caught(catcher, scopeOf(live, thread), errorOutput),
    (outcome) => {
      core.exitWith(live, thread, state, outcome, catcher.Next);
      core.continueThread(live, thread);
    },
    (failedError, failedCause) => core.failThread(live, thread, failedError, failedCause),
  );
}

/** Turns the result of a Task, Parallel or Map state into its output and moves on; a failure there goes to Retry and Catch. */
export function completeWithResult(core: Core, live: LiveExecution, thread: Thread, state: TaskState | Branching, result: Json): void {
  const evaluator = evaluatorOf(live, state);
  settle(
    core,
    live,
    thread,
    () => {
      assertPayloadSize(result);
      return evaluator.complete(state, scopeOf(live, thread), result);
    },
    (outcome) => {
      core.exitWith(live, thread, state, outcome, state.End ? undefined : state.Next);
      core.continueThread(live, thread);
    },
    (error, cause) => handleError(core, live, thread, error, cause),
  );
}
