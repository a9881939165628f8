import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResult = APIGatewayProxyStructuredResultV2;

export const maxBodyBytes = 16 * 1024;

export interface FieldError {
  field: string;
  message: string;
}

const jsonHeaders = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

export function jsonProblem(statusCode: number, message: string, errors?: FieldError[], headers: Record<string, string> = {}): HttpResult {
  return json(statusCode, errors && errors.length > 0 ? { message, errors } : { message }, headers);
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function mediaType(event: APIGatewayProxyEventV2): string {
  return (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Browsers ask for text/html first; API clients ask for JSON or anything. */
export function prefersHtml(event: APIGatewayProxyEventV2): boolean {
  const accept = (header(event, 'accept') ?? '').toLowerCase();
  return accept.includes('text/html');
}

export type BodyKind = 'json' | 'form';

export type ParsedBody =
  | { ok: true; kind: BodyKind; fields: Record<string, unknown> }
  | { ok: false; kind: BodyKind; statusCode: number; message: string; errors?: FieldError[] };

/**
 * Reads a JSON or form body. API Gateway may hand the body over base64-encoded; the size limit applies to
 * the decoded bytes.
 */
export function parseBody(event: APIGatewayProxyEventV2, accepted: readonly BodyKind[]): ParsedBody {
  const type = mediaType(event);
  const kind: BodyKind | undefined =
    type === 'application/json' ? 'json' : type === 'application/x-www-form-urlencoded' ? 'form' : undefined;
  if (!kind || !accepted.includes(kind)) {
    const expected = accepted.map((name) => (name === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ');
    return { ok: false, kind: 'json', statusCode: 415, message: `Send the request body as ${expected}.` };
  }
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.byteLength > maxBodyBytes) {
    return { ok: false, kind, statusCode: 413, message: `The request body is larger than ${maxBodyBytes} bytes.` };
  }
  const text = raw.toString('utf8');
  if (kind === 'form') {
    return { ok: true, kind, fields: Object.fromEntries(new URLSearchParams(text)) };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, kind, statusCode: 400, message: 'The request body must be a JSON object.' };
    }
    return { ok: true, kind, fields: parsed as Record<string, unknown> };
  } catch {
    return { ok: false, kind, statusCode: 400, message: 'The request body is not valid JSON.' };
  }
}
