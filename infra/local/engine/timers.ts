import { stateOf, type Core, type LiveExecution } from './core';
import type { State } from './asl';
import { emit, end } from './journal';

/** Wakes the engine at `at` for the thread, or with thread id -1 for the execution's own TimeoutSeconds. */
export function addDeadline(core: Core, at: number, live: LiveExecution, threadId: number): void {
  core.deadlines.push(at, { executionArn: live.record.executionArn, threadId });
  if (at < core.armedAt) arm(core, at);
}

function arm(core: Core, at: number): void {
  if (core.closed) return;
  core.disarm();
  core.armedAt = at;
  core.disarm = core.clock.schedule(at, () => {
    core.armedAt = Infinity;
    scheduleDeadlineCheck(core);
  });
}

function scheduleDeadlineCheck(core: Core): void {
  if (core.deadlineCheckScheduled || core.closed) return;
  core.deadlineCheckScheduled = true;
  setImmediate(() => {
    core.deadlineCheckScheduled = false;
    fireDueDeadlines(core);
  });
}

function fireDueDeadlines(core: Core): void {
  const now = core.clock.now();
  for (let next = core.deadlines.peek(); next && next.at <= now; next = core.deadlines.peek()) {
    core.deadlines.pop();
    const live = core.live.get(next.item.executionArn);
    if (live) fireDeadline(core, live, next.item.threadId, now);
  }
  const next = core.deadlines.peek();
  if (next) arm(core, next.at);
}

/** Ends a Wait or a retry's back-off, times out a task or the execution; a deadline that moved since does nothing. */
function fireDeadline(core: Core, live: LiveExecution, threadId: number, now: number): void {
  if (threadId === -1) {
    const deadline = live.runtime.deadline;
    if (deadline === undefined || deadline > now) return;
    const cause = `The execution ran longer than its TimeoutSeconds of ${live.program.definition.TimeoutSeconds} s.`;
    emit(core, live, undefined, 'ExecutionTimedOut', { error: 'States.Timeout', cause });
    end(core, live, 'TIMED_OUT', { error: 'States.Timeout', cause });
    return;
  }
  const thread = live.runtime.threads[threadId];
  if (!thread) return;
  const phase = thread.phase;
  if (phase.kind === 'wait' && phase.until <= now) {
    const state = stateOf(live, thread);
    core.finishWait(live, thread, state as State);
  } else if (phase.kind === 'backoff' && phase.until <= now) {
    core.attempt(live, thread, stateOf(live, thread));
  } else if (phase.kind === 'task' && phase.timeoutAt <= now) {
    core.timeOutTask(live, thread, phase, 'States.Timeout');
  } else if (phase.kind === 'task' && phase.heartbeatAt !== undefined && phase.heartbeatAt <= now) {
    core.timeOutTask(live, thread, phase, 'States.HeartbeatTimeout');
  }
  core.continueThread(live, thread);
}
