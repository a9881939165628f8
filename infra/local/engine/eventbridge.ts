import { StatesError, type Json, type JsonObject } from './asl';
import { LambdaFunctionError } from './lambda';

/** The optimized EventBridge integration: PutEvents, with Step Functions' own additions to each entry. */
export const putEventsResource = 'arn:aws:states:::events:putEvents';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  /** JSON text, as the PutEvents API takes it; the state's Parameters give it as an object. */
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string;
  TraceHeader?: string;
}

export interface PutEventsResponse {
  FailedEntryCount: number;
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** Who calls: the execution's role, which the port authorizes each entry's bus against. */
export interface PutEventsCaller {
  roleArn: string;
  executionArn: string;
}

/**
 * EventBridge as the engine's caller provides it (the engine knows no EventBridge of its own). A rejection named
 * like the API's error (`ThrottlingException`, `InternalException`, ...) fails the task with `EventBridge.<name>`.
 */
export type EventBridgePort = (request: { Entries: PutEventsEntry[] }, caller: PutEventsCaller) => Promise<PutEventsResponse>;

/**
 * The PutEvents request a Task state's Parameters make: each entry's Detail object as JSON text, and the execution's
 * and state machine's ARNs added to its Resources, as Step Functions adds them.
 */
export function putEventsRequest(parameters: Json, executionArn: string, stateMachineArn: string): { Entries: PutEventsEntry[] } {
  const entries = (parameters as JsonObject | null)?.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new StatesError('States.Runtime', `The Parameters of ${putEventsResource} need an Entries list of at least one entry`);
  }
  return {
    Entries: entries.map((value) => {
      const entry = { ...(value as JsonObject) };
      const detail = entry.Detail;
      const resources = Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [];
      return {
        ...(entry as PutEventsEntry),
        ...(detail === undefined ? {} : { Detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }),
        Resources: [...resources, executionArn, stateMachineArn],
      };
    }),
  };
}

/**
 * Calls PutEvents through the port. A response with failed entries fails the task with `EventBridge.FailedEntry`, as
 * the optimized integration does; a rejected call with `EventBridge.<error name>`.
 */
export async function putEvents(port: EventBridgePort | undefined, request: { Entries: PutEventsEntry[] }, caller: PutEventsCaller): Promise<PutEventsResponse> {
  if (!port) throw new LambdaFunctionError('EventBridge.InternalException', 'This engine was opened without EventBridge (EngineOptions.eventBridge)');
  let response: PutEventsResponse;
  try {
    response = await port(request, caller);
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const name = error.name && error.name !== 'Error' ? error.name : 'InternalException';
    throw new LambdaFunctionError(`EventBridge.${name}`, `${error.message} (Service: EventBridge, Error Code: ${name})`);
  }
  if (response.FailedEntryCount > 0) throw new LambdaFunctionError('EventBridge.FailedEntry', JSON.stringify(response));
  return response;
}
