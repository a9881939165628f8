import type { Json } from './types';

/**
 * RFC 3339 as Step Functions profiles it: an uppercase `T`, and `Z` or a `±hh:mm` offset. AWS parses it as
 * an ISO-8601 extended offset date-time, whose fraction of a second runs to nanoseconds: nine digits at most.
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of a Step Functions timestamp, or undefined when `value` is not one. */
export function parseTimestamp(value: Json): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = TIMESTAMP.exec(value);
  if (parts === null) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  // Date.parse rolls 30 February over into March; a timestamp naming a day that does not exist is invalid.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  const epochMs = Date.parse(value);
  return Number.isNaN(epochMs) ? undefined : epochMs;
}
