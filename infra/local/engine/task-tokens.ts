import { apiError } from './api-errors';
import { hash, type Core, type LiveExecution } from './core';
import { keys, type TaskPhase, type Thread } from './model';

const REDACTED_TOKEN = '<task token>';
const TASK_GONE = "Task Timed Out: 'Provided task does not exist anymore'";
const TOKEN = /^[A-Za-z0-9_-]{64}$/;

// Task tokens stay out of the history: they are bearer credentials for the task.
export const redact = (text: string, token: string | undefined) => (token ? text.split(token).join(REDACTED_TOKEN) : text);

/** The running task that holds this token; answers as AWS does for a token that is malformed, unknown or closed. */
export async function openTask(core: Core, taskToken: unknown): Promise<{ live: LiveExecution; thread: Thread; phase: TaskPhase }> {
  if (typeof taskToken !== 'string' || !TOKEN.test(taskToken)) throw apiError('InvalidToken', 'Invalid Token: the task token is malformed');
  const entry = core.tokens.get(taskToken);
  const live = entry && core.live.get(entry.executionArn);
  const thread = live && live.runtime.threads[entry.threadId];
  if (live && thread && thread.phase.kind === 'task' && thread.phase.token === taskToken) return { live, thread, phase: thread.phase };
  // AWS answers TaskTimedOut for every closed task, whether it timed out, was answered or its execution ended.
  const closed = await core.store.get(keys.token(hash(taskToken)));
  if (closed === 'TIMED_OUT') throw apiError('TaskTimedOut', `${TASK_GONE}: the task of this token timed out`);
  if (closed === 'CLOSED') throw apiError('TaskTimedOut', `${TASK_GONE}: the task of this token was already answered, or its execution has ended`);
  throw apiError('InvalidToken', 'Invalid Token: no task was given this token');
}

export function closeToken(core: Core, phase: TaskPhase, status: 'CLOSED' | 'TIMED_OUT'): void {
  if (!phase.token || !core.tokens.delete(phase.token)) return;
  // Only a hash is kept, so the store never holds a usable token for a closed task.
  core.store.put(keys.token(hash(phase.token)), status);
}
