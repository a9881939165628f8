import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { Json } from './asl';
import { data, noTruncation } from './core';
import type { StoredEvent } from './model';

/** A state entered or exited event as stored (see emitStateEvent): id, previousEventId, timestamp, type, state name, input or output. */
export type CompactStateEvent = [number, number, number, string, string, Json];

export function expandEvent(stored: StoredEvent | CompactStateEvent): StoredEvent {
  if (!Array.isArray(stored)) return stored;
  const [id, previousEventId, timestamp, type, name, value] = stored;
  const details = type.endsWith('StateEntered')
    ? { stateEnteredEventDetails: { name, input: value, inputDetails: noTruncation } }
    : { stateExitedEventDetails: { name, output: value, outputDetails: noTruncation } };
  return { id, previousEventId, timestamp, type, ...details };
}

export function toHistoryEvent(stored: StoredEvent, includeExecutionData: boolean): HistoryEvent {
  const { timestamp, ...rest } = stored;
  const event = { ...rest, timestamp: new Date(timestamp) } as Record<string, unknown>;
  const entered = event.stateEnteredEventDetails as { input?: Json } | undefined;
  if (entered) event.stateEnteredEventDetails = { ...entered, input: data(entered.input ?? null) };
  const exited = event.stateExitedEventDetails as { output?: Json } | undefined;
  if (exited) event.stateExitedEventDetails = { ...exited, output: data(exited.output ?? null) };
  if (!includeExecutionData) {
    for (const [key, value] of Object.entries(event)) {
      if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
      const { input: _input, output: _output, parameters: _parameters, ...kept } = value as Record<string, unknown>;
      event[key] = kept;
    }
  }
  return event as unknown as HistoryEvent;
}
