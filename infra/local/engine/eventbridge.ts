import { StatesError, type Json, type JsonObject } from './asl';
import type { ExecutionRecord } from './model';
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

/**
 * The detail of the "Step Functions Execution Status Change" event Step Functions sends to the default bus of its
 * account (source `aws.states`) each time a Standard execution's status changes; dates are epoch milliseconds.
 */
export interface ExecutionStatusChange {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionRecord['status'];
  startDate: number;
  stopDate: number | null;
  input: string;
  output: string | null;
  inputDetails: { included: boolean };
  outputDetails: { included: boolean } | null;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
  redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  redriveStatusReason?: string;
}

/** Where the engine sends each status change, as the engine's caller provides it; delivery is best effort, as on AWS. */
export type ExecutionStatusPort = (change: ExecutionStatusChange) => void;

export function redriveStatusOf(record: ExecutionRecord): Pick<ExecutionStatusChange, 'redriveStatus' | 'redriveStatusReason'> {
  const redrivable = record.status !== 'RUNNING' && record.status !== 'SUCCEEDED' && record.redriveFrom !== undefined;
  return { redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE', redriveStatusReason: redrivable ? undefined : `Execution is ${record.status}` };
}

export function statusChangeOf(record: ExecutionRecord): ExecutionStatusChange {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    stopDate: record.stopDate ?? null,
    input: record.input,
    output: record.output ?? null,
    inputDetails: { included: true },
    outputDetails: record.output === undefined ? null : { included: true },
    ...(record.error !== undefined && { error: record.error }),
    ...(record.cause !== undefined && { cause: record.cause }),
    redriveCount: record.redriveCount,
    ...(record.redriveDate !== undefined && { redriveDate: record.redriveDate }),
    ...redriveStatusOf(record),
  };
}
