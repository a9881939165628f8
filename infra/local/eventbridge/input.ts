import { EventBridgeError } from './errors';

/** An action's JSON input, and the checks the API reference gives its parameters, shared by the EventBridge actions. */
export type Input = Record<string, unknown>;

export const overLimit = () => new EventBridgeError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
export const validation = (message: string) => new EventBridgeError('ValidationException', message);
export const constraint = (field: string, value: unknown, rule: string) =>
  validation(`1 validation error detected: Value ${JSON.stringify(value) ?? 'null'} at '${field}' failed to satisfy constraint: Member must ${rule}`);

export interface TextRule {
  max?: number;
  pattern?: RegExp;
}

/** An optional string parameter, checked against the length and pattern the API reference gives it. */
export function text(input: Input, key: string, { max = 256, pattern }: TextRule = {}): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  const field = key[0].toLowerCase() + key.slice(1);
  if (typeof value !== 'string') throw new EventBridgeError('SerializationException', `${key} must be a string`);
  if (value.length > max) throw constraint(field, value, `have length less than or equal to ${max}`);
  if (pattern && !pattern.test(value)) throw constraint(field, value, `satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`);
  return value;
}

export function requiredText(input: Input, key: string, rule: TextRule = {}): string {
  const value = text(input, key, rule);
  const field = key[0].toLowerCase() + key.slice(1);
  if (value === undefined) throw constraint(field, null, 'not be null');
  if (value.length === 0) throw constraint(field, value, 'have length greater than or equal to 1');
  return value;
}

export const namePattern = /^[.\-_A-Za-z0-9]+$/;

export function list(input: Input, key: string): unknown[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new EventBridgeError('SerializationException', `${key} must be a list`);
  return value;
}

/** `NextToken` is the index of the first item of the next page. */
export function page<T>(items: T[], input: Input): { items: T[]; NextToken?: string } {
  const limit = typeof input.Limit === 'number' ? input.Limit : 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw constraint('limit', input.Limit, 'have value between 1 and 100');
  const start = typeof input.NextToken === 'string' ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation('The NextToken is not valid: pass the NextToken of the previous page');
  const end = start + limit;
  return { items: items.slice(start, end), NextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}
