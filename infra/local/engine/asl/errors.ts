import { StatesError, type Catcher, type Json, type Retrier } from './types';

/** Step Functions' payload quota: 256 KiB of UTF-8 JSON. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

const RETRY_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2.0 } as const;

/** Errors AWS never hands to a retrier or catcher: they always fail the execution. */
const UNCATCHABLE = new Set(['States.Runtime']);
/** Terminal errors that the wildcards do not match, though a catcher naming them does. */
const NOT_MATCHED_BY_WILDCARDS = new Set(['States.Runtime', 'States.DataLimitExceeded']);
/** A missed heartbeat is a kind of task timeout, so States.Timeout matches it and States.TaskFailed does not. */
const TIMEOUTS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);

function matchesOne(pattern: string, error: string): boolean {
  if (pattern === error) return true;
  if (NOT_MATCHED_BY_WILDCARDS.has(error)) return false;
  if (pattern === 'States.ALL') return true;
  if (pattern === 'States.TaskFailed') return !TIMEOUTS.has(error);
  return pattern === 'States.Timeout' && error === 'States.HeartbeatTimeout';
}

/**
 * Whether an ErrorEquals list matches the error name. A failure that names no error (a Fail state without
 * Error, inside a Parallel branch or Map iteration) is matched only by States.ALL and States.TaskFailed.
 */
export function errorMatches(errorEquals: readonly string[], error: string | undefined): boolean {
  if (error === undefined) return errorEquals.some((pattern) => pattern === 'States.ALL' || pattern === 'States.TaskFailed');
  if (UNCATCHABLE.has(error)) return false;
  return errorEquals.some((pattern) => matchesOne(pattern, error));
}

/**
 * The index of the retrier that retries `error`, given how many retries each retrier has used so far.
 * Only the first retrier whose ErrorEquals matches is considered: when it is exhausted (or has
 * MaxAttempts 0) no later retrier is tried, and the Catch fields apply.
 */
export function findRetrier(retry: readonly Retrier[] | undefined, error: string | undefined, attemptsUsed: readonly number[]): number | undefined {
  const index = (retry ?? []).findIndex((retrier) => errorMatches(retrier.ErrorEquals, error));
  if (index < 0 || retry === undefined) return undefined;
  const maxAttempts = retry[index].MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts;
  return (attemptsUsed[index] ?? 0) < maxAttempts ? index : undefined;
}

/**
 * The wait before retry number `attempt` (0 for the first retry) of this retrier:
 * IntervalSeconds × BackoffRate^attempt, capped at MaxDelaySeconds, and with JitterStrategy FULL a random
 * point between 0 and that.
 */
export function retryDelayMs(retrier: Retrier, attempt: number, random: () => number): number {
  const intervalSeconds = retrier.IntervalSeconds ?? RETRY_DEFAULTS.IntervalSeconds;
  const backoffRate = retrier.BackoffRate ?? RETRY_DEFAULTS.BackoffRate;
  const uncapped = intervalSeconds * backoffRate ** attempt;
  const seconds = retrier.MaxDelaySeconds === undefined ? uncapped : Math.min(uncapped, retrier.MaxDelaySeconds);
  const delayMs = seconds * 1000;
  return Math.round(retrier.JitterStrategy === 'FULL' ? random() * delayMs : delayMs);
}

/** The first catcher, in order, whose ErrorEquals matches the error. */
export function findCatcher(catchers: readonly Catcher[] | undefined, error: string | undefined): Catcher | undefined {
  return catchers?.find((catcher) => errorMatches(catcher.ErrorEquals, error));
}

/** Throws States.DataLimitExceeded when the value, as UTF-8 JSON, is over the 256 KiB payload quota. */
export function assertPayloadSize(value: Json): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
  if (bytes > PAYLOAD_LIMIT_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The payload is ${bytes} bytes, over the quota of ${PAYLOAD_LIMIT_BYTES} bytes (256 KiB).`);
  }
}
