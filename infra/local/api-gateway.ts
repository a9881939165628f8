import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Route } from '../routes';
import type { LocalCors } from './cloud-assembly';

/** API Gateway rejects larger request bodies before any integration runs. */
export const maxRequestBodyBytes = 10 * 1024 * 1024;

/**
 * HTTP APIs pass these bodies as UTF-8 text and base64-encode everything else, forms and a missing
 * Content-Type included.
 */
const textContentTypes = [/^text\//, /^application\/json$/, /^application\/xml$/, /^application\/javascript$/];

export interface RouteMatch {
  route: Route;
  routeKey: string;
  pathParameters: Record<string, string>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const parameterCount = (route: Route) => (route.path.match(/\{/g) ?? []).length;

/** API Gateway prefers the most specific route: `/order/fulfilled` wins over `/order/{orderId}`. */
export function matchRoute(routes: readonly Route[], method: string, rawPath: string): RouteMatch | undefined {
  const bySpecificity = [...routes].sort((a, b) => parameterCount(a) - parameterCount(b));
  for (const route of bySpecificity) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const pattern = route.path
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const parameter = /^\{([^}]+)\}$/.exec(part);
        if (!parameter) return escapeRegExp(part);
        names.push(parameter[1]);
        return '([^/]+)';
      })
      .join('');
    const match = new RegExp(`^${pattern}$`).exec(rawPath);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    names.forEach((name, index) => {
      pathParameters[name] = decodeURIComponent(match[index + 1]);
    });
    return { route, routeKey: `${route.method} ${route.path}`, pathParameters };
  }
  return undefined;
}

/** The `time` field of the request context, in API Gateway's CLF form: 21/Nov/2026:13:39:38 +0000. */
function requestTime(at: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`
  );
}

export interface HttpRequest {
  method: string;
  /** Path and query string as received, e.g. `/order/1/fulfill?code=x`. */
  url: string;
  /** Header values as Node gives them: lower-case names, repeated headers as arrays (cookies) or joined. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp: string;
}

export interface EventOptions {
  requestId: string;
  at: Date;
  apiId: string;
  accountId: string;
  domainName: string;
}

/** Builds the payload format 2.0 event an HTTP API Lambda integration receives. */
export function toApiGatewayEvent(request: HttpRequest, match: RouteMatch, options: EventOptions): APIGatewayProxyEventV2 {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(',') : value;
    // HTTP APIs move cookies out of the headers into their own list.
    if (name === 'cookie') {
      cookies = joined.split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[name] = joined;
  }

  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[key] = key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
  }

  const contentType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const isText = textContentTypes.some((pattern) => pattern.test(contentType));

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: options.accountId,
      apiId: options.apiId,
      domainName: options.domainName,
      domainPrefix: options.domainName.split('.')[0],
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: requestTime(options.at),
      timeEpoch: options.at.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(queryStringParameters).length > 0) event.queryStringParameters = queryStringParameters;
  if (Object.keys(match.pathParameters).length > 0) event.pathParameters = match.pathParameters;
  if (request.body.length > 0) {
    event.body = isText ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !isText;
  }
  return event;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function jsonResponse(statusCode: number, value: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(value)),
  };
}

function isStructuredResult(result: unknown): result is APIGatewayProxyStructuredResultV2 {
  return typeof result === 'object' && result !== null && 'statusCode' in result;
}

/**
 * Turns a handler's result into the HTTP response, as format 2.0 does: a result with `statusCode` is the
 * response; any other value is the JSON body of a 200.
 */
export function fromHandlerResult(result: unknown): HttpResponse {
  if (!isStructuredResult(result)) return jsonResponse(200, result);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body = result.body ?? '';
  return {
    statusCode: result.statusCode ?? 200,
    headers,
    body: result.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}

export const notFound = () => jsonResponse(404, { message: 'Not Found' });
export const tooLarge = () => jsonResponse(413, { message: 'Request Entity Too Large' });
export const internalError = () => jsonResponse(500, { message: 'Internal Server Error' });
export const serviceUnavailable = () => jsonResponse(503, { message: 'Service Unavailable' });

/**
 * The integration's function was at its concurrency limit, so it never ran and nothing was stored or started.
 *
 * An HTTP API on AWS answers a throttled Lambda integration with a bare 500 `{"message":"Internal Server Error"}`;
 * only the access log's $context.integrationErrorMessage says it was a throttle. We answer 503 with Retry-After
 * instead, as issue 9 asks: a 500 tells a client neither that the request is safe to repeat nor when, and the shop's
 * contract is that POST /order answers 5xx only beyond its documented capacity, and then says so. On AWS the stage's
 * throttle (429) is what keeps requests below the functions' concurrency.
 */
export function throttled(retryAfterSeconds: number): HttpResponse {
  const response = jsonResponse(503, {
    message: `Too many requests at once: this one was not processed and nothing was stored. Retry after ${retryAfterSeconds} ${retryAfterSeconds === 1 ? 'second' : 'seconds'}.`,
  });
  response.headers['retry-after'] = String(retryAfterSeconds);
  return response;
}

/** A Lambda throttle as the pool throws it (lambda-runner's TooManyRequestsException), recognised by its name. */
function throttleOf(error: unknown): { retryAfterSeconds: number } | undefined {
  if ((error as Error)?.name !== 'TooManyRequestsException') return undefined;
  const retryAfterSeconds = Number((error as { retryAfterSeconds?: unknown }).retryAfterSeconds);
  return { retryAfterSeconds: Number.isInteger(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds : 1 };
}

/** Something mounted beside the API, such as the ops console; it answers `true` when it handled the request. */
export type Mount = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface ApiGatewayOptions {
  routes: readonly Route[];
  invoke: (route: Route, event: APIGatewayProxyEventV2) => Promise<unknown>;
  /** Tried in order for requests that match no route. */
  mounts?: readonly Mount[];
  /** Host name the events report, like `abc123.execute-api.us-east-1.amazonaws.com`. */
  domainName: string;
  accountId: string;
  /** Where handler failures are reported; API Gateway hides them from the caller. */
  onError?: (error: unknown, routeKey: string, requestId: string) => void;
  /** The API's CORS configuration: preflights are answered here and the headers added to every answer. */
  cors?: LocalCors;
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: HttpResponse, requestId: string, cors: Record<string, string> = {}): void {
  response.writeHead(result.statusCode, {
    ...result.headers,
    ...cors,
    'content-length': String(result.body.length),
    'apigw-requestid': requestId,
  });
  response.end(result.body);
}

/**
 * CORS as an HTTP API applies it ("Configure CORS for HTTP APIs in API Gateway"): only a request with an Origin the
 * configuration allows gets headers; a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered
 * by API Gateway itself, with no route needed; and the headers a handler returns are ignored.
 */
function corsHeaders(cors: LocalCors | undefined, request: IncomingMessage, preflight: boolean): Record<string, string> {
  const origin = request.headers.origin;
  if (!cors || !origin || !(cors.allowOrigins.includes(origin) || cors.allowOrigins.includes('*'))) return {};
  if (!preflight) return { 'access-control-allow-origin': origin, vary: 'origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': cors.allowMethods.join(','),
    'access-control-allow-headers': cors.allowHeaders.join(','),
    ...(cors.maxAgeSeconds === undefined ? {} : { 'access-control-max-age': String(cors.maxAgeSeconds) }),
    vary: 'origin',
  };
}

const withoutCorsHeaders = (result: HttpResponse): HttpResponse => ({
  ...result,
  headers: Object.fromEntries(Object.entries(result.headers).filter(([name]) => !name.toLowerCase().startsWith('access-control-'))),
});

/** An HTTP request listener that serves `routes` as an API Gateway HTTP API with Lambda proxy integrations would. */
export function createApiGateway(options: ApiGatewayOptions): RequestListener {
  const apiId = options.domainName.split('.')[0];
  return async (request, response) => {
    const requestId = randomUUID();
    const url = request.url ?? '/';
    const rawPath = url.split('?')[0];
    const method = request.method ?? 'GET';
    const match = matchRoute(options.routes, method, rawPath);
    if (options.cors && method === 'OPTIONS' && request.headers.origin && request.headers['access-control-request-method']) {
      response.writeHead(204, { ...corsHeaders(options.cors, request, true), 'apigw-requestid': requestId });
      response.end();
      return;
    }
    const cors = corsHeaders(options.cors, request, false);
    try {
      if (!match) {
        for (const mount of options.mounts ?? []) {
          if (await mount(request, response)) return;
        }
        send(response, notFound(), requestId);
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(request, maxRequestBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        // Closing the connection stops the client from uploading the rest of the body for nothing.
        response.setHeader('connection', 'close');
        send(response, tooLarge(), requestId, cors);
        return;
      }
      const event = toApiGatewayEvent(
        { method, url, headers: request.headers, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
        match,
        { requestId, at: new Date(), apiId, accountId: options.accountId, domainName: options.domainName },
      );
      let result: unknown;
      try {
        result = await options.invoke(match.route, event);
      } catch (error) {
        options.onError?.(error, match.routeKey, requestId);
        const throttle = throttleOf(error);
        if (throttle) {
          send(response, throttled(throttle.retryAfterSeconds), requestId, cors);
          return;
        }
        const timedOut = (error as Error)?.name === 'Sandbox.Timedout';
        send(response, timedOut ? serviceUnavailable() : internalError(), requestId, cors);
        return;
      }
      send(response, options.cors ? withoutCorsHeaders(fromHandlerResult(result)) : fromHandlerResult(result), requestId, cors);
    } catch (error) {
      options.onError?.(error, match?.routeKey ?? `${method} ${rawPath}`, requestId);
      if (!response.headersSent) send(response, internalError(), requestId, cors);
      else response.destroy();
    }
  };
}

/**
 * The emulator's HTTP server. A client that sends `Expect: 100-continue` (curl does, for large bodies) waits for
 * leave before uploading; Node would give it at once, so a body over the limit would be refused only after the
 * client had started sending it and the connection dropped. Like API Gateway, this refuses it first with 413.
 */
export function createApiServer(options: ApiGatewayOptions): Server {
  const gateway = createApiGateway(options);
  const server = createServer(gateway);
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (Number(request.headers['content-length'] ?? 0) <= maxRequestBodyBytes) response.writeContinue();
    gateway(request, response);
  });
  return server;
}
