import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApiGateway } from '../../../infra/local/api-gateway';
import { LambdaFunction } from '../../../infra/local/lambda-runner';
import type { Route } from '../../../infra/routes';

jest.setTimeout(30_000);

// The emulator serves the shop's route shapes; which fixture answers each is up to the test.
const routes: Route[] = [
  { method: 'POST', path: '/order', handler: 'placeOrder' },
  { method: 'GET', path: '/order/{orderId}', handler: 'getOrder' },
];

let workDir: string;
let server: Server;
let baseUrl: string;
let functions: Record<'placeOrder' | 'getOrder', LambdaFunction>;

const fixtureFunction = (fixture: string, functionName: string, concurrency: number) =>
  new LambdaFunction({
    functionName,
    entry: path.join(__dirname, 'fixtures', `${fixture}.ts`),
    timeoutSeconds: 30,
    memorySizeMb: 256,
    region: 'us-east-1',
    accountId: '123456789012',
    environment: {},
    codeDirectory: path.join(workDir, functionName),
    concurrency,
  });

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-gateway-sandboxes-'));
  // POST /order busy-loops its sandbox's thread until released; GET /order/{orderId} answers at once.
  functions = {
    placeOrder: fixtureFunction('busy-loop-handler', 'cake-shop-place-order', 1),
    getOrder: fixtureFunction('context-handler', 'cake-shop-get-order', 4),
  };
  server = createServer(
    createApiGateway({
      routes,
      domainName: 'local.execute-api.us-east-1.localhost',
      accountId: '123456789012',
      invoke: (route, event) => {
        const fn = functions[route.handler as keyof typeof functions];
        // The fixture reads its marker files from the JSON body.
        return fn.invoke(route.method === 'POST' ? JSON.parse(event.body ?? '{}') : { input: event.pathParameters?.orderId });
      },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await Promise.all(Object.values(functions).map((fn) => fn.close()));
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function fileAppears(file: string): Promise<void> {
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 5));
}

const placeOrder = (body: object) =>
  fetch(`${baseUrl}/order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A POST /order whose handler spins its thread without yielding, holding the function's only slot until released. */
async function aSpinningOrder(label: string) {
  const startedFile = path.join(workDir, `${label}-started`);
  const releaseFile = path.join(workDir, `${label}-release`);
  const state = { answered: false };
  const response = placeOrder({ startedFile, releaseFile }).then((answer) => {
    state.answered = true;
    return answer;
  });
  await fileAppears(startedFile);
  return {
    releaseFile,
    get answered() {
      return state.answered;
    },
    release: async () => {
      fs.writeFileSync(releaseFile, '');
      return response;
    },
  };
}

describe('the API Gateway emulator with handlers in sandboxes', () => {
  test('answers another request while a handler busy-loops', async () => {
    // GIVEN a POST /order whose handler spins its thread without yielding
    const spinning = await aSpinningOrder('busy');

    // WHEN another client reads an order
    const read = await fetch(`${baseUrl}/order/42`);

    // THEN the API answers it while the handler is still spinning
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ input: '42', functionName: 'cake-shop-get-order' });
    expect(spinning.answered).toBe(false);
    expect((await spinning.release()).status).toBe(200);
  });

  test('answers POST /order with 503 and Retry-After when its function is at its concurrency limit, running nothing', async () => {
    // GIVEN POST /order at its concurrency limit of 1
    const spinning = await aSpinningOrder('limit');

    // WHEN another order is placed
    const secondStarted = path.join(workDir, 'second-started');
    const throttled = await placeOrder({ startedFile: secondStarted, releaseFile: spinning.releaseFile });

    // THEN it is refused with 503, a Retry-After and a message saying nothing was done, and its handler never ran
    expect(throttled.status).toBe(503);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(await throttled.json()).toEqual({ message: expect.stringContaining('nothing was stored') });
    expect(fs.existsSync(secondStarted)).toBe(false);
    expect((await spinning.release()).status).toBe(200);
  });
});
