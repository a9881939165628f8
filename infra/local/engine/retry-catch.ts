import { assertPayloadSize, catchOutput, findCatcher, findRetrier, prepareOutput, retryDelayMs, type Json, type TaskState } from './asl';
import { contextObject, stateOf, statusOf, type Branching, type Core, type LiveExecution } from './core';
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
  let output: Json;
  try {
    output = catchOutput(catcher, thread.input, error, cause);
  } catch (thrown) {
    const failed = statusOf(thrown);
    core.failThread(live, thread, failed.error, failed.cause);
    return;
  }
  core.exit(live, thread, state, output, catcher.Next);
  core.continueThread(live, thread);
}

/** Turns the result of a Task, Parallel or Map state into its output and moves on; a failure there goes to Retry and Catch. */
export function completeWithResult(core: Core, live: LiveExecution, thread: Thread, state: TaskState | Branching, result: Json): void {
  let output: Json;
  try {
    assertPayloadSize(result);
    output = prepareOutput(state, thread.input, result, contextObject(live, thread));
  } catch (thrown) {
    const { error, cause } = statusOf(thrown);
    handleError(core, live, thread, error, cause);
    return;
  }
  core.exit(live, thread, state, output, state.End ? undefined : state.Next);
  core.continueThread(live, thread);
}
