import { DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { postJson } from '../fixtures/api-events';
import { lambdaContext } from '../fixtures/lambda-context';
import type { Handlers } from '../fixtures/order-journey';
import { loadHandlers } from '../fixtures/order-journey';
import { orderRequest } from '../fixtures/orders';
import type { TestShop } from '../fixtures/test-shop';
import { captureLogLines, publicBaseUrl, startTestShop } from '../fixtures/test-shop';

let shop: TestShop;
let handlers: Handlers;
let logs: ReturnType<typeof captureLogLines>;

beforeAll(async () => {
  shop = await startTestShop();
  handlers = await loadHandlers();
});
afterAll(async () => shop.stop());
beforeEach(() => {
  shop.sfn.reset();
  logs = captureLogLines();
});
afterEach(() => logs.restore());

async function storedOrderCount(): Promise<number> {
  const client = new DynamoDBClient({ endpoint: shop.endpoint });
  const result = await client.send(new ScanCommand({ TableName: shop.tableNames.orders, Select: 'COUNT' }));
  client.destroy();
  return result.Count ?? 0;
}

async function forgetIdempotencyRecords(): Promise<void> {
  const client = new DynamoDBClient({ endpoint: shop.endpoint });
  const { Items = [] } = await client.send(new ScanCommand({ TableName: shop.tableNames.idempotency }));
  for (const item of Items) await client.send(new DeleteItemCommand({ TableName: shop.tableNames.idempotency, Key: { id: item.id } }));
  client.destroy();
}

function place(body: unknown, headers: Record<string, string> = {}) {
  return handlers.placeOrder(postJson('/order', body, headers), lambdaContext());
}

function parse(body: string | undefined): Record<string, unknown> {
  return JSON.parse(body ?? '{}') as Record<string, unknown>;
}

describe('POST /order', () => {
  it('GIVEN a valid order WHEN it is posted THEN it answers 201 PLACED with a Location and starts order-<orderId>', async () => {
    const response = await place(orderRequest());

    expect(response.statusCode).toBe(201);
    const body = parse(response.body);
    expect(body).toMatchObject({ status: 'PLACED', quantity: 2, cake: { productId: 'lemon-drizzle', name: 'Lemon drizzle cake' } });
    expect(body.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers?.Location).toBe(`${publicBaseUrl}/order/${String(body.orderId)}`);
    const [start] = shop.sfn.commandCalls(StartExecutionCommand);
    expect(start?.args[0].input).toEqual({
      stateMachineArn: process.env.STATE_MACHINE_ARN,
      name: `order-${String(body.orderId)}`,
      // What the order's OrderPlaced event needs, and nothing about the customer
      input: JSON.stringify({ orderId: body.orderId, productId: 'lemon-drizzle', quantity: 2 }),
    });
  });

  it('GIVEN a placed order WHEN the response is read THEN it carries no contact details', async () => {
    const response = await place(orderRequest());

    expect(response.body).not.toContain('ada@example.com');
    expect(response.body).not.toContain('St James');
  });

  it.each([
    ['name', { name: '' }],
    ['name', { name: 'x'.repeat(101) }],
    ['email', { email: 'not-an-email' }],
    ['email', { email: undefined }],
    ['address', { address: '   ' }],
    ['address', { address: 'a'.repeat(501) }],
    ['productId', { productId: 'wedding-cake-deluxe' }],
    ['quantity', { quantity: 0 }],
    ['quantity', { quantity: 21 }],
    ['quantity', { quantity: 1.5 }],
    ['quantity', { quantity: '2' }],
    ['message', { message: 'm'.repeat(201) }],
    ['message', { message: 42 }],
  ])('GIVEN a bad %s (%j) WHEN the order is posted THEN it answers 400 naming that field and stores nothing', async (field, override) => {
    const before = await storedOrderCount();

    const response = await place(orderRequest(override));

    expect(response.statusCode).toBe(400);
    const body = parse(response.body);
    expect(body.errors).toEqual([expect.objectContaining({ field })]);
    expect(await storedOrderCount()).toBe(before);
    expect(shop.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('GIVEN several bad fields WHEN the order is posted THEN each one is named', async () => {
    const response = await place({ quantity: 99 });

    const fields = (parse(response.body).errors as { field: string }[]).map((error) => error.field);
    expect(fields).toEqual(['name', 'email', 'address', 'productId', 'quantity']);
  });

  it('GIVEN a text/plain body WHEN the order is posted THEN it answers 415', async () => {
    const event = postJson('/order', orderRequest(), { 'content-type': 'text/plain' });

    const response = await handlers.placeOrder(event, lambdaContext());

    expect(response.statusCode).toBe(415);
  });

  it('GIVEN a body over 16 KiB WHEN the order is posted THEN it answers 413 and stores nothing', async () => {
    const before = await storedOrderCount();

    const response = await place(orderRequest({ padding: 'x'.repeat(16 * 1024) }));

    expect(response.statusCode).toBe(413);
    expect(await storedOrderCount()).toBe(before);
  });

  it('GIVEN a body that is not JSON WHEN the order is posted THEN it answers 400', async () => {
    const response = await place('{"name": "Ada"');

    expect(response.statusCode).toBe(400);
    expect(parse(response.body).message).toMatch(/not valid JSON/);
  });

  it('GIVEN a base64-encoded body from API Gateway WHEN the order is posted THEN it is decoded and placed', async () => {
    const event = postJson('/order', orderRequest());
    event.body = Buffer.from(event.body ?? '').toString('base64');
    event.isBase64Encoded = true;

    const response = await handlers.placeOrder(event, lambdaContext());

    expect(response.statusCode).toBe(201);
  });

  it('GIVEN an order placed with an Idempotency-Key WHEN the same request is replayed THEN the same response comes back and nothing new is created', async () => {
    const key = `key-${Date.now()}-replay`;
    const first = await place(orderRequest(), { 'Idempotency-Key': key });
    const count = await storedOrderCount();

    const replay = await place(orderRequest(), { 'Idempotency-Key': key });

    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(await storedOrderCount()).toBe(count);
    expect(shop.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('GIVEN an Idempotency-Key already used WHEN a different order is posted with it THEN it answers 409 and creates nothing', async () => {
    const key = `key-${Date.now()}-conflict`;
    await place(orderRequest(), { 'Idempotency-Key': key });
    const count = await storedOrderCount();

    const response = await place(orderRequest({ quantity: 3 }), { 'Idempotency-Key': key });

    expect(response.statusCode).toBe(409);
    expect(parse(response.body).errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await storedOrderCount()).toBe(count);
  });

  it('GIVEN an order still being placed WHEN the client retries with the same Idempotency-Key THEN it answers 409 with Retry-After, and the retry after it gets the order', async () => {
    const key = `key-${Date.now()}-in-flight`;
    let startExecution: () => void = () => undefined;
    shop.sfn.on(StartExecutionCommand).callsFake(() => new Promise((resolve) => (startExecution = () => resolve({}))));
    const first = place(orderRequest(), { 'Idempotency-Key': key });
    while (shop.sfn.commandCalls(StartExecutionCommand).length === 0) await new Promise((resolve) => setImmediate(resolve));
    const count = await storedOrderCount();

    const whileInFlight = await place(orderRequest(), { 'Idempotency-Key': key });

    expect(whileInFlight.statusCode).toBe(409);
    expect(whileInFlight.headers?.['Retry-After']).toBe('1');
    expect(parse(whileInFlight.body).errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await storedOrderCount()).toBe(count);
    startExecution();
    const placed = await first;
    const retry = await place(orderRequest(), { 'Idempotency-Key': key });
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(placed.body);
    expect(shop.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('GIVEN a placement cut off by a crash after the order was stored WHEN the client retries with the same Idempotency-Key THEN it gets that order, not a second one', async () => {
    const key = `key-${Date.now()}-crash`;
    const first = await place(orderRequest(), { 'Idempotency-Key': key });
    const count = await storedOrderCount();
    // A crash leaves the Powertools record in progress until it expires; then it is as good as gone.
    await forgetIdempotencyRecords();

    const retry = await place(orderRequest(), { 'Idempotency-Key': key });

    expect(retry.statusCode).toBe(201);
    expect(parse(retry.body)).toEqual(parse(first.body));
    expect(await storedOrderCount()).toBe(count);
    const starts = shop.sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(starts).toEqual([`order-${String(parse(first.body).orderId)}`, `order-${String(parse(first.body).orderId)}`]);
  });

  it('GIVEN the same Idempotency-Key WHEN two different customers post orders with it after its record expired THEN they get different order ids', async () => {
    const key = `key-${Date.now()}-shared`;
    const first = await place(orderRequest({ email: 'first@example.com' }), { 'Idempotency-Key': key });
    await forgetIdempotencyRecords();

    const second = await place(orderRequest({ email: 'second@example.com' }), { 'Idempotency-Key': key });

    expect(second.statusCode).toBe(201);
    expect(parse(second.body).orderId).not.toBe(parse(first.body).orderId);
  });

  it('GIVEN Step Functions refuses to start WHEN the order is posted THEN it answers 503 and the stored order is removed', async () => {
    shop.sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const before = await storedOrderCount();

    const response = await place(orderRequest());

    expect(response.statusCode).toBe(503);
    expect(await storedOrderCount()).toBe(before);
  });

  it('GIVEN a failed start with an Idempotency-Key WHEN the client retries with the same key THEN the order is placed', async () => {
    const key = `key-${Date.now()}-retry`;
    shop.sfn.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('down'), { name: 'ServiceUnavailable' })).resolves({});
    await place(orderRequest(), { 'Idempotency-Key': key });

    const retry = await place(orderRequest(), { 'Idempotency-Key': key });

    expect(retry.statusCode).toBe(201);
  });

  it('GIVEN a customer with contact details WHEN the order is placed THEN no log line contains the email or address', async () => {
    await place(orderRequest({ email: 'private.person@example.org', address: '1 Secret Lane' }));

    const output = logs.lines.join('');
    expect(output).toContain('Order placed');
    expect(output).not.toContain('private.person@example.org');
    expect(output).not.toContain('Secret Lane');
  });
});
