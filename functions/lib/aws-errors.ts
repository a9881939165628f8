import { DependencyUnavailable } from './errors';

const transientNames = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'InternalServiceErrorException',
  'TimeoutError',
  'RequestTimeout',
  'IdempotencyPersistenceLayerError',
  'IdempotencyAlreadyInProgressError',
  'IdempotencyInconsistentStateError',
]);

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

interface AwsLikeError {
  name?: string;
  code?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** True for failures that may pass on their own: throttling, 5xx, or the service not answering at all. */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & AwsLikeError;
  if (transientNames.has(details.name ?? '')) return true;
  if (details.$retryable || details.$fault === 'server') return true;
  if (details.code !== undefined && networkCodes.has(details.code)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTransientError(cause);
}

/** Lets the workflow's Retry on DependencyUnavailable handle passing failures; everything else keeps its name. */
export function asWorkflowError(error: unknown, dependency: string): unknown {
  if (error instanceof Error && error.name === 'DependencyUnavailable') return error;
  if (isTransientError(error)) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    return new DependencyUnavailable(`${dependency} is unavailable (${reason})`);
  }
  return error;
}
