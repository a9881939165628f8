import { fromHandlerResult, matchRoute, toApiGatewayEvent, type HttpRequest } from '../../../infra/local/api-gateway';
import { routes } from '../../../infra/routes';

const options = {
  requestId: 'req-1',
  at: new Date(Date.UTC(2026, 10, 21, 13, 39, 38)),
  apiId: 'local',
  accountId: '123456789012',
  domainName: 'local.execute-api.localhost',
};

const request = (overrides: Partial<HttpRequest>): HttpRequest => ({
  method: 'GET',
  url: '/',
  headers: {},
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  ...overrides,
});

function eventFor(overrides: Partial<HttpRequest>) {
  const req = request(overrides);
  const match = matchRoute(routes, req.method, req.url.split('?')[0]);
  if (!match) throw new Error(`no route for ${req.method} ${req.url}`);
  return toApiGatewayEvent(req, match, options);
}

describe('matchRoute', () => {
  test('prefers a literal route over one with a path parameter', () => {
    // GIVEN the shop routes, where POST /order/fulfilled sits beside routes with {orderId}
    // WHEN the fulfil form is posted
    const match = matchRoute(routes, 'POST', '/order/fulfilled');

    // THEN the literal route answers
    expect(match?.routeKey).toBe('POST /order/fulfilled');
  });

  test('decodes path parameters', () => {
    // GIVEN an order id with an escaped character in the path
    // WHEN the order is looked up
    const match = matchRoute(routes, 'GET', '/order/a%20b/fulfill');

    // THEN the handler gets the decoded id
    expect(match).toMatchObject({ routeKey: 'GET /order/{orderId}/fulfill', pathParameters: { orderId: 'a b' } });
  });

  test('matches nothing for a method the path does not have', () => {
    // GIVEN the shop routes
    // WHEN the order collection is read with GET
    const match = matchRoute(routes, 'GET', '/order');

    // THEN no route matches
    expect(match).toBeUndefined();
  });
});

describe('toApiGatewayEvent', () => {
  test('builds a payload format 2.0 event with the request context API Gateway sends', () => {
    // GIVEN a GET on the fulfil link with a query string and a user agent
    // WHEN it becomes an event
    const event = eventFor({
      url: '/order/o-1/fulfill?code=abc&code=def',
      headers: { 'user-agent': 'curl/8', host: '127.0.0.1:3000' },
      sourceIp: '127.0.0.9',
    });

    // THEN every field a handler reads is there
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /order/{orderId}/fulfill',
      rawPath: '/order/o-1/fulfill',
      rawQueryString: 'code=abc&code=def',
      headers: { 'user-agent': 'curl/8', host: '127.0.0.1:3000' },
      queryStringParameters: { code: 'abc,def' },
      pathParameters: { orderId: 'o-1' },
      isBase64Encoded: false,
      requestContext: {
        requestId: 'req-1',
        routeKey: 'GET /order/{orderId}/fulfill',
        stage: '$default',
        time: '21/Nov/2026:13:39:38 +0000',
        timeEpoch: options.at.getTime(),
        http: { method: 'GET', path: '/order/o-1/fulfill', sourceIp: '127.0.0.9', userAgent: 'curl/8', protocol: 'HTTP/1.1' },
      },
    });
    expect(event.body).toBeUndefined();
  });

  test('moves cookies out of the headers into their own list', () => {
    // GIVEN a request with two cookies
    // WHEN it becomes an event
    const event = eventFor({ url: '/order/o-1', headers: { cookie: 'a=1; b=2' } });

    // THEN the cookies are listed and the cookie header is gone
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers.cookie).toBeUndefined();
  });

  test('passes a JSON body as text', () => {
    // GIVEN an order posted as JSON
    const body = JSON.stringify({ productId: 'carrot-cake' });

    // WHEN it becomes an event
    const event = eventFor({ method: 'POST', url: '/order', headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(body) });

    // THEN the body is the text itself
    expect(event).toMatchObject({ body, isBase64Encoded: false });
  });

  test('base64-encodes a form body, as HTTP APIs do for every non-text content type', () => {
    // GIVEN the fulfil form posted as application/x-www-form-urlencoded
    const body = 'orderId=o-1&code=abc';

    // WHEN it becomes an event
    const event = eventFor({ method: 'POST', url: '/order/fulfilled', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(body) });

    // THEN the body arrives base64-encoded and says so
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString('utf8')).toBe(body);
  });
});

describe('fromHandlerResult', () => {
  test('uses a structured result as the response, cookies as Set-Cookie headers', () => {
    // GIVEN a handler result with a status, headers and cookies
    // WHEN it becomes a response
    const response = fromHandlerResult({
      statusCode: 409,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      cookies: ['a=1', 'b=2'],
      body: '<p>Already fulfilled</p>',
    });

    // THEN status, lower-cased headers, cookies and body pass through
    expect(response.statusCode).toBe(409);
    expect(response.headers).toEqual({ 'content-type': 'text/html; charset=utf-8', 'set-cookie': ['a=1', 'b=2'] });
    expect(response.body.toString()).toBe('<p>Already fulfilled</p>');
  });

  test('decodes a base64 body', () => {
    // GIVEN a binary body returned base64-encoded
    const bytes = Buffer.from([0, 255, 16]);

    // WHEN it becomes a response
    const response = fromHandlerResult({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true });

    // THEN the client gets the bytes
    expect(response.body.equals(bytes)).toBe(true);
  });

  test('turns a result without statusCode into a 200 JSON response', () => {
    // GIVEN a handler that returns a plain object
    // WHEN it becomes a response
    const response = fromHandlerResult({ orderId: 'o-1' });

    // THEN API Gateway sends it as JSON with status 200
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body.toString())).toEqual({ orderId: 'o-1' });
  });
});
