import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** One JSON logger per function; the service name comes from POWERTOOLS_SERVICE_NAME. */
export const logger = new Logger();

/**
 * Starts a log scope for one invocation: keys from an earlier invocation of a warm container are dropped so
 * one order's id never leaks into another order's lines.
 */
export function startInvocationLog(context: Context | undefined, keys: { orderId?: string; executionName?: string; executionArn?: string }): void {
  logger.resetKeys();
  if (context) logger.addContext(context);
  const known = Object.fromEntries(Object.entries(keys).filter(([, value]) => typeof value === 'string' && value !== ''));
  logger.appendKeys(known);
}
