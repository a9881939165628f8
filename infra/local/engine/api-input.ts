/** Validation of the API actions' inputs, with the error names and messages of the Step Functions API. */
import { validateDefinition, type Json, type StateMachineDefinition } from './asl';
import { apiError } from './api-errors';

export const PAYLOAD_LIMIT = 256 * 1024;

export function parseDefinition(text: string): StateMachineDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: the definition is not JSON (${(error as Error).message})`);
  }
  try {
    return validateDefinition(parsed);
  } catch (error) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: ${(error as Error).message}`);
  }
}

export function parseJson(text: unknown, code: string, field: string): Json {
  if (typeof text !== 'string') throw apiError(code, `${field} must be a string of JSON`);
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw apiError(code, `${field} is not valid JSON: ${(error as Error).message}`);
  }
}

export function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined || maxResults === 0) return 100;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw apiError('ValidationException', `maxResults must be an integer from 0 to 1000, got ${maxResults}`);
  }
  return maxResults;
}

export function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  const size = pageSize(maxResults);
  let start = 0;
  if (nextToken) {
    start = Number(Buffer.from(nextToken, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) throw apiError('InvalidToken', 'Invalid nextToken: pass the nextToken of the previous page unchanged');
  }
  const end = start + size;
  return { page: items.slice(start, end), nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}
