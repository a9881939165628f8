import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiGateway } from '../../../infra/local/api-gateway';
import type { Route } from '../../../infra/routes';

const routes: Route[] = [{ method: 'POST', path: '/order', handler: 'placeOrder' }];
const storefront = 'https://shop.example.net';

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer(
    createApiGateway({
      routes,
      domainName: 'local.execute-api.us-east-1.localhost',
      accountId: '123456789012',
      cors: { allowOrigins: [storefront], allowMethods: ['POST'], allowHeaders: ['content-type', 'idempotency-key'], maxAgeSeconds: 3600 },
      // A handler that sets a CORS header of its own, which API Gateway ignores once the API has CORS configured.
      invoke: async () => ({ statusCode: 201, headers: { 'access-control-allow-origin': '*' }, body: '{"orderId":"o-1"}' }),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const preflight = (origin: string) =>
  fetch(`${baseUrl}/order`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
  });

describe('CORS on the local HTTP API, as API Gateway applies the configuration', () => {
  test('answers the preflight of an allowed storefront itself, with no OPTIONS route', async () => {
    // WHEN the storefront's browser asks before POST /order
    const answer = await preflight(storefront);

    // THEN it may post JSON with an Idempotency-Key, and cache that for an hour
    expect(answer.status).toBe(204);
    expect(Object.fromEntries(answer.headers)).toMatchObject({
      'access-control-allow-origin': storefront,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type,idempotency-key',
      'access-control-max-age': '3600',
    });
  });

  test('gives a site that is not a shop origin no CORS headers, so its browser refuses the call', async () => {
    const answer = await preflight('https://evil.example.org');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  test("adds the allowed origin to the handler's answer and drops the handler's own CORS headers", async () => {
    // WHEN the storefront posts an order, and when a site that is not allowed does
    const allowed = await fetch(`${baseUrl}/order`, { method: 'POST', headers: { origin: storefront, 'content-type': 'application/json' }, body: '{}' });
    const other = await fetch(`${baseUrl}/order`, { method: 'POST', headers: { origin: 'https://evil.example.org', 'content-type': 'application/json' }, body: '{}' });
    const noOrigin = await fetch(`${baseUrl}/order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    // THEN only the storefront's browser may read the answer
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(storefront);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });
});
