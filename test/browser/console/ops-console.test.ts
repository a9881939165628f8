import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser } from 'playwright-core';
import { createConsole } from '../../../infra/local/console';
import { ManualClock, openEngine, startStepFunctionsServer, type Engine, type StepFunctionsServer } from '../../../infra/local/engine';
import { describeInBrowser, launchBrowser, phone, printScreenshots, screenshot, watchConsole } from '../../support/browser';
import { createTables, startDynalite, type RunningDynalite } from '../../support/dynalite';

jest.setTimeout(60_000);

const region = 'us-east-1';
const ordersTable = 'orders-console-test';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A small stand-in for the order workflow: one callback task, one task that fails on demand, no catch-all. */
const workflow = {
  StartAt: 'Ask Cake Maker',
  States: {
    'Ask Cake Maker': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'askCakeMaker', Payload: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.fulfilment',
      Next: 'Notify Delivery Company',
    },
    'Notify Delivery Company': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'notifyDeliveryCompany', Payload: { 'orderId.$': '$.orderId' } },
      ResultPath: null,
      Next: 'Order Completed',
    },
    'Order Completed': { Type: 'Succeed' },
  },
};

let dynamo: RunningDynalite;
let engine: Engine;
let stepFunctions: StepFunctionsServer;
let consoleServer: Server;
let base: string;
let machineArn: string;
const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
const tokens = new Map<string, string>();
let deliveryCompanyAnswers = true;
/** What the console asked the re-send function to do: the port stands in for invoking the Lambda function. */
const resendRequests: { orderId: string; message: string }[] = [];
/** What the console asked the re-publish function to do; like the handler, only the first request publishes. */
const republishRequests: { orderId: string; eventType: string }[] = [];

async function startOrder(orderId: string): Promise<string> {
  const { executionArn } = await engine.startExecution({ stateMachineArn: machineArn, name: `order-${orderId}`, input: JSON.stringify({ orderId }) });
  await engine.whenIdle();
  // Each order starts a second later, so "newest first" has one right answer.
  clock.advance(1000);
  return executionArn ?? '';
}

async function statusOf(executionArn: string): Promise<string | undefined> {
  return (await engine.describeExecution({ executionArn })).status;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

async function post(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: '', redirect: 'manual' });
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await createTables(dynamo.endpoint, { orders: ordersTable });
  engine = await openEngine({
    store: 'memory',
    clock,
    region,
    lambdas: {
      askCakeMaker: (payload) => {
        const { orderId, taskToken } = payload as { orderId: string; taskToken: string };
        tokens.set(orderId, taskToken);
        return {};
      },
      notifyDeliveryCompany: () => {
        if (!deliveryCompanyAnswers) throw Object.assign(new Error('The delivery company did not answer.'), { name: 'DependencyUnavailable' });
        return {};
      },
    },
  });
  ({ stateMachineArn: machineArn = '' } = await engine.createStateMachine({ name: 'OrderWorkflow', definition: JSON.stringify(workflow) }));
  stepFunctions = await startStepFunctionsServer(engine, { port: 0 });
  const handle = createConsole({
    sfnEndpoint: stepFunctions.url,
    dynamodbEndpoint: dynamo.endpoint,
    ordersTable,
    region,
    credentials,
    shopApiBase: 'http://127.0.0.1:9',
    pageSize: 2,
    resendUnsentMessage: async (request) => {
      resendRequests.push(request);
      return { outcome: 'sent' };
    },
    republishOrderEvent: async (request) => {
      const repeat = republishRequests.some((earlier) => earlier.orderId === request.orderId && earlier.eventType === request.eventType);
      republishRequests.push(request);
      return { ...request, outcome: repeat ? 'notUnpublished' : 'published' };
    },
  });
  consoleServer = createServer((req, res) => {
    handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end('not the console');
      }
    });
  });
  await new Promise<void>((resolve) => consoleServer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(consoleServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => consoleServer?.close(resolve));
  await stepFunctions?.close();
  await engine?.close();
  await dynamo?.stop();
  printScreenshots();
});

describe('the executions list', () => {
  let names: string[];

  beforeAll(async () => {
    names = [];
    for (const id of ['list-1', 'list-2', 'list-3']) {
      await startOrder(id);
      names.push(`order-${id}`);
    }
  });

  it('GIVEN three orders started one after another WHEN the first page is opened THEN it lists the newest two, newest first, and links to older ones', async () => {
    const { status, body } = await get('/ops');

    expect(status).toBe(200);
    const listed = [...body.matchAll(/<th scope="row"><a href="\/ops\/executions\/([^"]+)">/g)].map((match) => match[1]);
    expect(listed).toEqual(['order-list-3', 'order-list-2']);
    expect(body).toMatch(/<a href="\/ops\?page=[^"]+" rel="next">Older executions<\/a>/);
  });

  it('GIVEN a first page WHEN its "Older executions" link is followed THEN the next page continues where the first ended', async () => {
    const first = await get('/ops');
    const next = /<a href="([^"]+)" rel="next">/.exec(first.body)?.[1].replace(/&amp;/g, '&') ?? '';

    const { body } = await get(next);

    expect(body).toContain('href="/ops/executions/order-list-1"');
    expect(body).not.toContain('href="/ops/executions/order-list-3"');
  });

  it('GIVEN one stopped order among running ones WHEN the list is filtered by ABORTED THEN only the stopped one is listed', async () => {
    const arn = await startOrder('filter-stopped');
    await engine.stopExecution({ executionArn: arn });

    const { body } = await get('/ops?status=ABORTED');

    expect([...body.matchAll(/<th scope="row"><a href="\/ops\/executions\/([^"]+)">/g)].map((match) => match[1])).toEqual(['order-filter-stopped']);
  });

  it('GIVEN an order id WHEN it is searched for THEN its execution is the one listed', async () => {
    const { body } = await get('/ops?order=list-2');

    expect([...body.matchAll(/<th scope="row"><a href="\/ops\/executions\/([^"]+)">/g)].map((match) => match[1])).toEqual(['order-list-2']);
  });

  it('GIVEN an order id that has no execution WHEN it is searched for THEN the page says no execution has that name', async () => {
    const { status, body } = await get('/ops?order=%3Cb%3Enope');

    expect(status).toBe(200);
    expect(body).toContain('No execution is named order-&lt;b&gt;nope, and none starts with it.');
  });

  it('GIVEN an order id WHEN its first 8 characters are searched for THEN its execution is the one listed', async () => {
    await startOrder('2b81d932-5e0f-4c1a-9d7e-1f2a3b4c5d6e');
    await startOrder('2b81d933-0000-4000-8000-000000000000');

    const { body } = await get('/ops?order=2b81d932');

    expect([...body.matchAll(/<th scope="row"><a href="\/ops\/executions\/([^"]+)">/g)].map((match) => match[1])).toEqual(['order-2b81d932-5e0f-4c1a-9d7e-1f2a3b4c5d6e']);
  });

  it('GIVEN fewer than 8 characters of an order id WHEN they are searched for THEN nothing is listed and the page says 8 are needed', async () => {
    const { body } = await get('/ops?order=2b81d93');

    expect(body).not.toContain('<th scope="row">');
    expect(body).toContain('A search by the start of an order id needs at least 8 of its characters.');
  });
});

describe('an execution page', () => {
  const orderId = 'page-1';

  beforeAll(async () => {
    await startOrder(orderId);
    await DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials })).send(
      new PutCommand({
        TableName: ordersTable,
        Item: {
          orderId,
          status: 'PLACED',
          name: '<img src=x onerror=alert(1)>',
          fulfilTaskToken: tokens.get(orderId),
          fulfilCodeHashes: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
          timeline: [{ status: 'PLACED', at: '2026-01-01T09:00:00.000Z' }],
        },
      }),
    );
  });

  it('GIVEN an order waiting for its cake maker WHEN its page is opened THEN the order record shows its task token and code hashes only as stored', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    expect(body).toMatch(/<dt>fulfilTaskToken<\/dt><dd>\(stored\)<\/dd>/);
    expect(body).toMatch(/<dt>fulfilCodeHashes<\/dt><dd>\(stored\)<\/dd>/);
    expect(body).not.toContain('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
  });

  it('GIVEN an order waiting for its cake maker WHEN its page and live-update answer are read THEN neither contains the task token', async () => {
    const token = tokens.get(orderId) ?? '';
    expect(token).not.toBe('');

    const page = await get(`/ops/executions/order-${orderId}`);
    const version = await get(`/ops/executions/order-${orderId}/version`);

    expect(page.body).not.toContain(token);
    expect(version.body).not.toContain(token);
  });

  it('GIVEN an execution WHEN its page is opened THEN it names the execution ARN that AWS tools and the logs use', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    expect(body).toContain(`<dt>Execution ARN</dt><dd><code class="arn">${machineArn.replace(':stateMachine:', ':execution:')}:order-${orderId}</code></dd>`);
  });

  it('GIVEN an order record with markup in the name WHEN its page is opened THEN the markup is shown as text', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain('<img src=x');
  });

  it('GIVEN a running execution WHEN its page is opened THEN it names the state it waits in and offers to stop it', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    expect(body).toContain('Now in: Ask Cake Maker.');
    expect(body).toContain(`href="/ops/executions/order-${orderId}/stop"`);
  });

  it('GIVEN any console page WHEN it is served THEN it carries the security headers and forbids framing', async () => {
    for (const path of ['/', '/ops', `/ops/executions/order-${orderId}`, `/ops/executions/order-${orderId}/stop`]) {
      const { headers } = await get(path);

      expect(headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(headers.get('content-security-policy')).toContain("script-src 'self';");
      expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('GIVEN pages without a drawing WHEN they are served THEN their policy allows no inline style either, and only the execution page relaxes styles for Mermaid', async () => {
    for (const path of ['/', '/ops', `/ops/executions/order-${orderId}/stop`]) {
      expect((await get(path)).headers.get('content-security-policy')).not.toContain('unsafe');
    }
    const drawing = (await get(`/ops/executions/order-${orderId}`)).headers.get('content-security-policy') ?? '';
    expect(drawing).toContain("style-src 'self' 'unsafe-inline'");
    expect(drawing.replace("style-src 'self' 'unsafe-inline'", '')).not.toContain('unsafe');
  });

  it('GIVEN the execution page WHEN its markup is read THEN every script and stylesheet comes from the console itself', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    const sources = [...body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]).filter((url) => !url.startsWith('#'));
    expect(sources.filter((url) => !url.startsWith('/') && url !== 'data:,')).toEqual([]);
    expect(sources).toContain('/ops/assets/console.js');
    // The 5.5 MB drawing library is fetched by console.js once the drawing is near the screen, never by the markup.
    expect(sources).not.toContain('/ops/assets/mermaid.min.js');
  });
});

describe('re-sending what the workflow did not send', () => {
  const orderId = 'unsent-1';

  beforeAll(async () => {
    await startOrder(orderId);
    await DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials })).send(
      new PutCommand({
        TableName: ordersTable,
        Item: { orderId, status: 'PLACED', orderConfirmationUnsentAt: '2026-01-01T09:40:00.000Z', timeline: [{ status: 'PLACED', at: '2026-01-01T09:00:00.000Z' }] },
      }),
    );
  });

  it('GIVEN an order whose confirmation was not sent WHEN its execution page is opened THEN "Not sent" lists it with a re-send link', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    expect(body).toContain('<h2 id="unsent-heading">Not sent</h2>');
    expect(body).toContain("The customer&#39;s order confirmation, given up at 2026-01-01T09:40:00.000Z");
    expect(body).toContain(`href="/ops/executions/order-${orderId}/resend/orderConfirmation"`);
  });

  it('GIVEN the re-send link WHEN it is opened THEN it asks for confirmation and re-sends nothing', async () => {
    const { status, body } = await get(`/ops/executions/order-${orderId}/resend/orderConfirmation`);

    expect(status).toBe(200);
    expect(body).toContain(`<form method="post" action="/ops/executions/order-${orderId}/resend/orderConfirmation">`);
    expect(resendRequests).toEqual([]);
  });

  it('GIVEN the confirmation page WHEN ops confirm THEN the re-send function is invoked once for that order and message, and ops go back to the execution', async () => {
    const response = await post(`/ops/executions/order-${orderId}/resend/orderConfirmation`);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/ops/executions/order-${orderId}`);
    expect(resendRequests).toEqual([{ orderId, message: 'orderConfirmation' }]);
  });

  it('GIVEN a form on another site WHEN it posts a re-send THEN the console refuses it', async () => {
    const before = resendRequests.length;

    const response = await post(`/ops/executions/order-${orderId}/resend/orderConfirmation`, { 'Sec-Fetch-Site': 'cross-site' });

    expect(response.status).toBe(403);
    expect(resendRequests).toHaveLength(before);
  });
});

describe('re-publishing order events the workflow did not publish', () => {
  const orderId = 'unpublished-1';
  const detail = { schemaVersion: 1, eventId: `${orderId}:OrderPlaced`, orderId, occurredAt: '2026-01-01T09:00:00.123Z', sequence: 1, productId: '<b>cake</b>', quantity: 1 };

  beforeAll(async () => {
    await startOrder(orderId);
    await DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials })).send(
      new PutCommand({
        TableName: ordersTable,
        Item: {
          orderId,
          status: 'PLACED',
          unpublishedEvents: new Set(['OrderPlaced', 'CakeFulfilled']),
          unpublishedEventDetails: { OrderPlaced: detail },
          timeline: [{ status: 'PLACED', at: '2026-01-01T09:00:00.000Z' }],
        },
      }),
    );
  });

  it('GIVEN an order whose OrderPlaced was not published WHEN its execution page is opened THEN "Not published" lists it with a re-publish link', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    expect(body).toContain('<h2 id="unpublished-heading">Not published</h2>');
    expect(body).toContain(`OrderPlaced, <code>${orderId}:OrderPlaced</code>, occurred at 2026-01-01T09:00:00.123Z`);
    expect(body).toContain(`href="/ops/executions/order-${orderId}/republish/OrderPlaced"`);
    expect(body).not.toContain('<b>cake</b>');
  });

  it('GIVEN an event listed without its recorded detail WHEN the page is opened THEN it is listed with no re-publish link', async () => {
    const { body } = await get(`/ops/executions/order-${orderId}`);

    expect(body).toContain('CakeFulfilled (its detail was not recorded');
    expect(body).not.toContain(`/republish/CakeFulfilled`);
  });

  it('GIVEN the re-publish link WHEN it is opened THEN it asks for confirmation and publishes nothing', async () => {
    const { status, body } = await get(`/ops/executions/order-${orderId}/republish/OrderPlaced`);

    expect(status).toBe(200);
    expect(body).toContain(`<form method="post" action="/ops/executions/order-${orderId}/republish/OrderPlaced">`);
    expect(republishRequests).toEqual([]);
  });

  it('GIVEN a form on another site WHEN it posts a re-publish THEN the console refuses it', async () => {
    const response = await post(`/ops/executions/order-${orderId}/republish/OrderPlaced`, { 'Sec-Fetch-Site': 'cross-site' });

    expect(response.status).toBe(403);
    expect(republishRequests).toEqual([]);
  });

  it('GIVEN the confirmation page WHEN ops confirm THEN the re-publish function is invoked for that order and event, and ops go back to the execution', async () => {
    const response = await post(`/ops/executions/order-${orderId}/republish/OrderPlaced`);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/ops/executions/order-${orderId}`);
    expect(republishRequests).toEqual([{ orderId, eventType: 'OrderPlaced' }]);
  });

  it('GIVEN OrderPlaced was re-published WHEN ops confirm again THEN the page says there was nothing to re-publish', async () => {
    const response = await post(`/ops/executions/order-${orderId}/republish/OrderPlaced`);

    expect(response.status).toBe(409);
    expect(await response.text()).toContain('Nothing to re-publish');
  });

  it('GIVEN a name that is no order event WHEN its re-publish page is opened THEN it is not found', async () => {
    const { status } = await get(`/ops/executions/order-${orderId}/republish/Nonsense`);

    expect(status).toBe(404);
  });
});

describe('stopping and redriving from the console', () => {
  it('GIVEN a running execution WHEN its stop confirmation page is opened THEN the execution keeps running', async () => {
    const arn = await startOrder('stop-get');

    const { status, body } = await get('/ops/executions/order-stop-get/stop');

    expect(status).toBe(200);
    expect(body).toContain('<form method="post" action="/ops/executions/order-stop-get/stop">');
    expect(await statusOf(arn)).toBe('RUNNING');
  });

  it('GIVEN a running execution WHEN the stop is confirmed THEN it is ABORTED and the browser returns to its page', async () => {
    const arn = await startOrder('stop-post');

    const response = await post('/ops/executions/order-stop-post/stop', { Origin: base });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ops/executions/order-stop-post');
    expect(await statusOf(arn)).toBe('ABORTED');
  });

  it('GIVEN a form on another site WHEN it posts a stop to the console THEN the console refuses and the execution keeps running', async () => {
    const arn = await startOrder('stop-cross-site');

    const response = await post('/ops/executions/order-stop-cross-site/stop', { Origin: 'http://shop.example', 'Sec-Fetch-Site': 'cross-site' });

    expect(response.status).toBe(403);
    expect(await statusOf(arn)).toBe('RUNNING');
  });

  it('GIVEN an execution that failed while the delivery company was down WHEN it is redriven after they are back THEN it completes', async () => {
    deliveryCompanyAnswers = false;
    const arn = await startOrder('redrive');
    await engine.sendTaskSuccess({ taskToken: tokens.get('redrive'), output: '{}' });
    await engine.whenIdle();
    expect(await statusOf(arn)).toBe('FAILED');
    deliveryCompanyAnswers = true;

    const response = await post('/ops/executions/order-redrive/redrive', { Origin: base });
    await engine.whenIdle();

    expect(response.status).toBe(303);
    expect(await statusOf(arn)).toBe('SUCCEEDED');
  });

  it('GIVEN an execution that already succeeded WHEN a redrive is posted THEN the console answers 409 saying why', async () => {
    const response = await post('/ops/executions/order-redrive/redrive', { Origin: base });

    expect(response.status).toBe(409);
    expect(await response.text()).toContain('Could not redrive order-redrive');
  });
});

describe('routing', () => {
  it('GIVEN a path that is neither the shop page nor /ops WHEN it is requested THEN the console leaves it to the caller', async () => {
    expect((await get('/order/123')).status).toBe(418);
  });

  it('GIVEN an unknown path under /ops WHEN it is requested THEN the console answers 404', async () => {
    expect((await get('/ops/nothing-here')).status).toBe(404);
  });

  it('GIVEN an execution name that is badly encoded or that no execution can have WHEN its page is requested THEN the console answers 404', async () => {
    expect((await get('/ops/executions/%E0%A4%A')).status).toBe(404);
    expect((await get('/ops/executions/order%3Aa%3Ab')).status).toBe(404);
  });

  it('GIVEN a page under /ops WHEN something other than GET is sent THEN the console answers 405 naming the allowed method', async () => {
    const response = await post('/ops', { Origin: base });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});

describeInBrowser('the execution page in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('GIVEN a running execution WHEN its page opens THEN Mermaid draws the workflow with the waiting state marked current and nothing is blocked', async () => {
    await startOrder('drawn');
    const page = await browser.newPage();
    const problems = watchConsole(page);

    await page.goto(`${base}/ops/executions/order-drawn`);
    await page.waitForSelector('#graph[data-rendered]');

    expect(await page.getAttribute('#graph', 'data-rendered')).toBe('true');
    expect(await page.locator('#graph svg g.node.current').count()).toBe(1);
    expect(await page.locator('#graph svg g.node.current').textContent()).toContain('Ask Cake Maker');
    expect(problems).toEqual([]);
    await screenshot(page, 'console-execution-running');
    await page.close();
  });

  it('GIVEN a running execution page WHEN the execution moves on THEN the page updates itself', async () => {
    const arn = await startOrder('live');
    const page = await browser.newPage();
    await page.goto(`${base}/ops/executions/order-live`);
    await page.waitForSelector('#graph[data-rendered]');

    await engine.sendTaskSuccess({ taskToken: tokens.get('live'), output: '{}' });
    await engine.whenIdle();
    await page.waitForSelector('.status-succeeded');

    expect(await statusOf(arn)).toBe('SUCCEEDED');
    expect(await page.textContent('#path-text')).toContain('Ask Cake Maker → Notify Delivery Company → Order Completed');
    await page.close();
  });

  it('GIVEN an execution page on a short phone screen, its drawing below the fold WHEN it opens THEN the drawing library is fetched only once the reader scrolls to the drawing, which is then drawn', async () => {
    await startOrder('lazy');
    const page = await browser.newPage({ viewport: { width: phone.width, height: 160 } });
    const fetched: string[] = [];
    page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    await page.goto(`${base}/ops/executions/order-lazy`, { waitUntil: 'load' });
    await page.waitForSelector('#graph[data-drawing="waiting"]', { state: 'attached' });
    // Two frames: the observer has had its first look at where the drawing is.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    const beforeScrolling = fetched.filter((path) => path.endsWith('/mermaid.min.js')).length;

    await page.locator('#graph').scrollIntoViewIfNeeded();
    await page.waitForSelector('#graph[data-rendered="true"]');

    expect(beforeScrolling).toBe(0);
    expect(fetched.filter((path) => path.endsWith('/mermaid.min.js'))).toHaveLength(1);
    await page.close();
  });

  it('GIVEN a phone 360 px wide WHEN the list and an execution page open THEN neither page scrolls sideways', async () => {
    const page = await browser.newPage({ viewport: phone });

    for (const [path, name] of [
      ['/ops', 'console-list-phone'],
      ['/ops/executions/order-page-1', 'console-execution-phone'],
    ]) {
      await page.goto(`${base}${path}`);
      if (path !== '/ops') await page.waitForSelector('#graph[data-rendered]');

      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
      await screenshot(page, name);
    }
    await page.close();
  });
});

describe('an execution started before the workflow was updated', () => {
  const renamed = {
    ...workflow,
    States: {
      'Ask Cake Maker': { ...workflow.States['Ask Cake Maker'], Next: 'Tell Courier' },
      'Tell Courier': { ...workflow.States['Notify Delivery Company'] },
      'Order Completed': workflow.States['Order Completed'],
    },
  };

  afterAll(async () => {
    await engine.updateStateMachine({ stateMachineArn: machineArn, definition: JSON.stringify(workflow) });
  });

  it('GIVEN an order started on the first definition WHEN the workflow is updated and its page opened THEN the graph draws the definition it ran', async () => {
    await startOrder('before-update');

    await engine.updateStateMachine({ stateMachineArn: machineArn, definition: JSON.stringify(renamed) });
    const { body } = await get('/ops/executions/order-before-update');

    const source = /<pre id="graph-source" hidden>([\s\S]*?)<\/pre>/.exec(body)?.[1] ?? '';
    expect(source).toContain('Notify Delivery Company');
    expect(source).not.toContain('Tell Courier');
  });
});
