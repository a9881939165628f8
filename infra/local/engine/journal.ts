import type { Json } from './asl';
import { data, type Core, type LiveExecution } from './core';
import { statusChangeOf } from './eventbridge';
import { closeToken } from './task-tokens';
import { keys, type BranchesProgress, type ExecutionRecord, type StoredEvent, type Thread } from './model';

/** `TaskScheduled` -> `taskScheduledEventDetails`: the field AWS puts an event's details in. */
const detailsKey = (type: string) => `${type[0].toLowerCase()}${type.slice(1)}EventDetails`;

export function emit(core: Core, live: LiveExecution, thread: Thread | undefined, type: string, details?: Record<string, unknown>): void {
  const id = ++live.runtime.lastEventId;
  const event: StoredEvent = { id, previousEventId: thread ? thread.lastEventId : id - 1, timestamp: core.clock.now(), type };
  if (details) event[detailsKey(type)] = details;
  if (thread) thread.lastEventId = id;
  append(core, live, id, JSON.stringify(event));
}

/** The two events of every transition, written straight to JSON: they are most of what the engine allocates. */
export function emitStateEvent(core: Core, live: LiveExecution, thread: Thread, type: string, value: Json): void {
  const id = ++live.runtime.lastEventId;
  const previousEventId = thread.lastEventId;
  thread.lastEventId = id;
  // A state's output is the next state's input, the same value: serialise it once for both events.
  if (core.lastSerialised.value !== value || typeof value !== 'object' || value === null) core.lastSerialised = { value, text: data(value) };
  // Stored as a compact tuple (see expandEvent in history.ts): these two events are most of the bytes the engine writes.
  append(core, live, id, `[${id},${previousEventId},${core.clock.now()},"${type}",${JSON.stringify(thread.state)},${core.lastSerialised.text}]`);
}

function append(core: Core, live: LiveExecution, id: number, event: string): void {
  // Serialised at once, so the event and the state data it holds die young instead of waiting for the batch.
  if (live.unwritten === '') {
    live.firstUnwritten = id;
    live.unwritten = event;
  } else {
    live.unwritten += `,${event}`;
  }
  touch(core, live);
}

/** Marks the execution for the next batch. */
export function touch(core: Core, live: LiveExecution): void {
  core.dirty.add(live);
  core.store.nudge();
}

/** Puts each changed execution's new events, and its snapshot while it runs, into one atomic batch. */
export function writeSnapshots(core: Core): void {
  for (const live of core.dirty) {
    const arn = live.record.executionArn;
    if (live.unwritten !== '') {
      core.store.put(keys.event(arn, live.firstUnwritten), `[${live.unwritten}]`, false);
      live.unwritten = '';
    }
    if (!live.ended) core.store.put(keys.live(arn), JSON.stringify({ record: live.record, runtime: live.runtime }));
  }
  core.dirty.clear();
}

/** Ends the execution: closes its tasks, records where a redrive would start, and moves its record out of the live set. */
export function end(core: Core, live: LiveExecution, status: ExecutionRecord['status'], outcome: { output?: string; error?: string; cause?: string }): void {
  const record = live.record;
  const top = Object.values(live.runtime.threads).find((thread) => thread.parent === undefined);
  for (const thread of Object.values(live.runtime.threads)) {
    if (thread.phase.kind === 'task') closeToken(core, thread.phase, 'CLOSED');
  }
  record.status = status;
  record.stopDate = core.clock.now();
  record.lastEventId = live.runtime.lastEventId;
  if (outcome.output !== undefined) record.output = outcome.output;
  if (outcome.error !== undefined) record.error = outcome.error;
  if (outcome.cause !== undefined) record.cause = outcome.cause;
  record.redriveFrom = status === 'SUCCEEDED' ? undefined : (top && { state: top.state, input: top.input, branches: progressOf(top), ...(top.variables && { variables: top.variables }) }) ?? record.redriveFrom;
  live.ended = true;
  live.runtime.threads = {};
  core.live.delete(record.executionArn);
  core.store.put(keys.execution(record.stateMachineName, record.name), JSON.stringify(record));
  core.store.del(keys.live(record.executionArn));
  announceStatus(core, record);
}

/** Tells the engine's caller of the execution's new status once the batch that records it is on disk. */
export function announceStatus(core: Core, record: ExecutionRecord): void {
  const port = core.executionStatus;
  if (!port) return;
  const change = statusChangeOf(record);
  core.store
    .flush()
    .then(() => port(change))
    .catch(() => undefined);
}

/** What a redrive of the thread's Parallel or Map state keeps; a redrive not yet under way passes its own on. */
function progressOf(thread: Thread): BranchesProgress | undefined {
  const phase = thread.phase;
  if (phase.kind !== 'branches') return thread.redrive;
  return { results: phase.results, succeeded: phase.succeeded ?? [], items: phase.items, effectiveInput: phase.effectiveInput };
}
