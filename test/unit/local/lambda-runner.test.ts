import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LambdaFunction, TooManyRequestsException, type LambdaFunctionConfig } from '../../../infra/local/lambda-runner';
import { invokeFunction, LambdaFunctionError } from '../../../infra/local/engine/lambda';

jest.setTimeout(30_000);

const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.ts`);

let workDir: string;
const opened: LambdaFunction[] = [];

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-runner-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((fn) => fn.close()));
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** A function running `name` from the fixtures, closed after each test. */
function lambdaFunction(name: string, overrides: Partial<LambdaFunctionConfig> = {}): LambdaFunction {
  const functionName = overrides.functionName ?? 'cake-shop-ask-cake-maker';
  const fn = new LambdaFunction({
    functionName,
    entry: fixture(name),
    timeoutSeconds: 10,
    memorySizeMb: 256,
    region: 'us-east-1',
    accountId: '123456789012',
    environment: {},
    codeDirectory: fs.mkdtempSync(path.join(workDir, `${name}-`)),
    ...overrides,
  });
  opened.push(fn);
  return fn;
}

/** A file a fixture creates or waits for, unique to the call. */
const marker = (() => {
  let next = 0;
  return (label: string) => path.join(workDir, `${label}-${(next += 1)}`);
})();

async function fileAppears(file: string): Promise<void> {
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('LambdaFunction', () => {
  test('gives the handler a Lambda context that names the function and counts down from its timeout', async () => {
    // GIVEN a function with a 10 second timeout
    const fn = lambdaFunction('context-handler');

    // WHEN it is invoked
    const result = (await fn.invoke({ input: 'cake' })) as Record<string, unknown>;

    // THEN the handler saw the event and a context like Lambda's
    expect(result).toMatchObject({
      input: 'cake',
      functionName: 'cake-shop-ask-cake-maker',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cake-shop-ask-cake-maker',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/cake-shop-ask-cake-maker',
    });
    expect(result.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.remainingTimeInMillis).toBeGreaterThan(0);
    expect(result.remainingTimeInMillis).toBeLessThanOrEqual(10_000);
  });

  test('names the function in AWS_LAMBDA_FUNCTION_NAME while the handler module loads', async () => {
    // GIVEN a handler that reads AWS_LAMBDA_FUNCTION_NAME at module scope, as Powertools idempotency does
    const fn = lambdaFunction('import-name-handler', { functionName: 'cake-shop-place-order' });

    // WHEN it is loaded by its first invocation
    const result = (await fn.invoke({})) as Record<string, unknown>;

    // THEN the module saw its own function name
    expect(result.functionNameAtImport).toBe('cake-shop-place-order');
  });

  test('gives the handler its configured variables and Lambda\'s own, and nothing of the stack\'s environment', async () => {
    // GIVEN a variable in the stack's process, and a function configured with a table name
    process.env.CAKE_SHOP_STACK_ONLY = 'not for handlers';
    const fn = lambdaFunction('environment-handler', { environment: { ORDERS_TABLE_NAME: 'cake-shop-orders' } });

    // WHEN the handler reads its environment
    const environment = (await fn.invoke({})) as Record<string, string>;
    delete process.env.CAKE_SHOP_STACK_ONLY;

    // THEN it has its own variables and the reserved ones Lambda sets, and not the stack's
    expect(environment).toMatchObject({
      ORDERS_TABLE_NAME: 'cake-shop-orders',
      AWS_LAMBDA_FUNCTION_NAME: 'cake-shop-ask-cake-maker',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    });
    expect(environment).not.toHaveProperty('CAKE_SHOP_STACK_ONLY');
  });

  test('passes a thrown error through unwrapped, so Step Functions can catch it by name', async () => {
    // GIVEN a handler that throws OrderCancelled
    const fn = lambdaFunction('failing-handler');

    // WHEN it is invoked
    const invocation = fn.invoke({});

    // THEN the caller sees the handler's own error
    await expect(invocation).rejects.toMatchObject({ name: 'OrderCancelled', message: 'The customer cancelled order 42.' });
    // AND its stack names the TypeScript line, as --enable-source-maps does on Lambda
    await expect(invocation).rejects.toMatchObject({ stack: expect.stringContaining(`${path.join(__dirname, 'fixtures', 'failing-handler.ts')}:6`) });
  });

  test('fails a load whose handler module throws, with the module\'s own message', async () => {
    // GIVEN a handler that throws while its module loads, as one missing its configuration does
    const fn = lambdaFunction('broken-handler');

    // WHEN the function is loaded, as npm start loads every function
    const loading = fn.load();

    // THEN loading fails with the handler's message
    await expect(loading).rejects.toThrow('ORDERS_TABLE_NAME is not set');
  });

  test('fails an invocation that outlives the timeout with Sandbox.Timedout', async () => {
    // GIVEN a handler that never answers, and a timeout of 50 ms
    const fn = lambdaFunction('slow-handler', { timeoutSeconds: 0.05 });

    // WHEN it is invoked
    const invocation = fn.invoke({});

    // THEN the invocation fails as Lambda reports a timeout
    await expect(invocation).rejects.toMatchObject({ name: 'Sandbox.Timedout', message: expect.stringContaining('Task timed out after 0.05 seconds') });
  });

  test('does not count the cold start against the timeout, as Lambda counts only the handler\'s own time', async () => {
    // GIVEN a handler whose module takes 1.5 s to load, and a timeout of 1 s
    const fn = lambdaFunction('slow-import-handler', { timeoutSeconds: 1 });

    // WHEN its first invocation cold-starts a sandbox
    const result = await fn.invoke({});

    // THEN the invocation succeeds
    expect(result).toEqual({ answered: true });
  });

  test('stops a timed-out handler for good: nothing it was doing goes on after Sandbox.Timedout', async () => {
    // GIVEN a handler that appends to a file in an endless synchronous loop, and a timeout of 200 ms
    const file = marker('side-effects');
    const fn = lambdaFunction('side-effect-handler', { timeoutSeconds: 0.2 });

    // WHEN its invocation times out
    await expect(fn.invoke({ file })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });

    // THEN the file no longer grows, across another whole invocation of the function
    const sizeAtTimeout = fs.statSync(file).size;
    expect(sizeAtTimeout).toBeGreaterThan(0);
    await expect(lambdaFunction('callback-handler').invoke({ orderId: '42' })).resolves.toBeTruthy();
    expect(fs.statSync(file).size).toBe(sizeAtTimeout);
    // AND its sandbox is gone from the pool
    expect(fn.sandboxes).toBe(0);
  });

  test('hands the handler a copy of the event, as Lambda passes JSON over the wire', async () => {
    // GIVEN an event object and a handler that changes what it receives
    const event = { items: ['sponge'] };
    const fn = lambdaFunction('mutating-handler');

    // WHEN it is invoked
    const result = await fn.invoke(event);

    // THEN the caller's object is untouched, and an empty result arrives as null
    expect(event.items).toEqual(['sponge']);
    expect(result).toBeNull();
  });

  test('settles a callback-style handler through its callback', async () => {
    // GIVEN a handler that answers through the callback
    const fn = lambdaFunction('callback-handler');

    // WHEN it is invoked
    const result = await fn.invoke({ orderId: '42' });

    // THEN its callback value is the result
    expect(result).toEqual({ orderId: '42', answeredBy: 'callback' });
  });

  test('loads shared modules afresh for each function, as separate Lambda sandboxes would', async () => {
    // GIVEN two functions whose handlers import the same module with module-scope state
    const first = lambdaFunction('isolated-handler', { functionName: 'cake-shop-first' });
    const second = lambdaFunction('isolated-handler', { functionName: 'cake-shop-second' });

    // WHEN both are invoked
    const answers = await Promise.all([first.invoke({}), second.invoke({})]);

    // THEN each function has its own copy of that state
    expect(answers).toEqual([{ sharedStateLoadedFor: 'cake-shop-first' }, { sharedStateLoadedFor: 'cake-shop-second' }]);
  });
});

describe('LambdaFunction sandboxes', () => {
  test('runs invocations that overlap in separate sandboxes, so neither sees the other\'s order', async () => {
    // GIVEN a function with no sandbox yet, whose handler keeps the current order at module scope
    const fn = lambdaFunction('per-invocation-state-handler');

    // WHEN it is invoked for orders o-1 and o-2 at once
    const answers = await Promise.all([fn.invoke({ orderId: 'o-1' }), fn.invoke({ orderId: 'o-2' })]);

    // THEN each invocation read back its own order, each in a freshly started sandbox
    expect(answers).toEqual([
      { orderId: 'o-1', loggedFor: 'o-1', invocationOfSandbox: 1 },
      { orderId: 'o-2', loggedFor: 'o-2', invocationOfSandbox: 1 },
    ]);
  });

  test('reuses an idle sandbox for the next invocation, as a warm Lambda does', async () => {
    // GIVEN a function whose sandbox has answered once
    const fn = lambdaFunction('per-invocation-state-handler');
    await fn.invoke({ orderId: 'o-1' });

    // WHEN it is invoked for order o-2
    const answer = await fn.invoke({ orderId: 'o-2' });

    // THEN the invocation ran in the sandbox that had served before
    expect(answer).toEqual({ orderId: 'o-2', loggedFor: 'o-2', invocationOfSandbox: 2 });
    expect(fn.sandboxes).toBe(1);
  });

  test('drops a sandbox left idle past its idle time', async () => {
    // GIVEN a function whose sandboxes may idle for 50 ms, and a sandbox that has answered
    const fn = lambdaFunction('per-invocation-state-handler', { idleSeconds: 0.05 });
    await fn.invoke({ orderId: 'o-1' });

    // WHEN it is invoked again once that sandbox is gone
    while (fn.sandboxes > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const answer = await fn.invoke({ orderId: 'o-2' });

    // THEN a new sandbox cold-started for it
    expect(answer).toMatchObject({ invocationOfSandbox: 1 });
  });

  test('never reuses the sandbox of a timed-out invocation', async () => {
    // GIVEN a function whose only invocation, for order o-1, outlived its timeout
    const fn = lambdaFunction('per-invocation-state-handler', { timeoutSeconds: 0.05 });
    await expect(fn.invoke({ orderId: 'o-1', hang: true })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });

    // WHEN it is invoked for order o-2
    const answer = await fn.invoke({ orderId: 'o-2' });

    // THEN the invocation after the timeout got a new sandbox
    expect(answer).toEqual({ orderId: 'o-2', loggedFor: 'o-2', invocationOfSandbox: 1 });
  });
});

describe('a sandbox that dies mid-invocation', () => {
  test.each([
    ['calls process.exit', 'exit', { name: 'Runtime.ExitError', message: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: exit status 3$/) }],
    ['throws where nothing catches it', 'throw-later', { name: 'TypeError', message: 'Cannot read properties of undefined (reading "orderId")' }],
    ['leaves a promise rejection unhandled', 'reject-later', { name: 'Runtime.UnhandledPromiseRejection', message: 'Error: Nobody caught this' }],
  ])('is reported as Lambda reports it when the handler %s, and replaced by a new sandbox', async (_, how, reported) => {
    // GIVEN a warm function
    const fn = lambdaFunction('dying-handler');
    await expect(fn.invoke({})).resolves.toEqual({ invocationOfSandbox: 1 });

    // WHEN an invocation ends its sandbox
    const dying = fn.invoke({ how });

    // THEN the invocation fails with the error Lambda would report
    await expect(dying).rejects.toMatchObject(reported);
    // AND the next invocation runs in a new sandbox
    await expect(fn.invoke({})).resolves.toEqual({ invocationOfSandbox: 1 });
  });
});

describe('the concurrency limit', () => {
  test('throttles the invocation beyond it at once, as Lambda does, and serves again once a sandbox is free', async () => {
    // GIVEN a function limited to 2 invocations at once, with 2 in flight
    const fn = lambdaFunction('waiting-handler', { concurrency: 2 });
    const releaseFile = marker('release');
    const started = [marker('started'), marker('started')];
    const inFlight = started.map((startedFile) => fn.invoke({ startedFile, releaseFile }));
    await Promise.all(started.map(fileAppears));

    // WHEN a third invocation arrives
    const third = fn.invoke({ startedFile: marker('started'), releaseFile });

    // THEN it is throttled without running
    await expect(third).rejects.toBeInstanceOf(TooManyRequestsException);
    await expect(third).rejects.toMatchObject({ name: 'TooManyRequestsException', reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    // AND once the two finish, the function serves again from its warm sandboxes
    fs.writeFileSync(releaseFile, '');
    await expect(Promise.all(inFlight)).resolves.toEqual([{ released: true }, { released: true }]);
    await expect(fn.invoke({ startedFile: marker('started'), releaseFile })).resolves.toEqual({ released: true });
    expect(fn.sandboxes).toBe(2);
  });

  test('reaches a workflow Task as Lambda.TooManyRequestsException, with the cause Step Functions reports', async () => {
    // GIVEN a function limited to 1 invocation at once, busy, registered with the engine's Lambda invoker
    const fn = lambdaFunction('waiting-handler', { concurrency: 1 });
    const releaseFile = marker('release');
    const startedFile = marker('started');
    const busy = fn.invoke({ startedFile, releaseFile });
    await fileAppears(startedFile);
    const registry = { [fn.arn]: (payload: unknown, invocation: { awsRequestId: string }) => fn.invoke(payload, invocation.awsRequestId) };

    // WHEN a Task invokes it
    const task = invokeFunction(registry, { region: 'us-east-1', accountId: '123456789012' }, fn.arn, { startedFile: marker('started'), releaseFile });

    // THEN the Task fails with the throttle, which the workflow's Retry names
    await expect(task).rejects.toBeInstanceOf(LambdaFunctionError);
    await expect(task).rejects.toMatchObject({
      error: 'Lambda.TooManyRequestsException',
      cause: expect.stringMatching(/^Rate Exceeded\. \(Service: Lambda, Status Code: 429, Request ID: [0-9a-f-]{36}\)$/),
    });
    fs.writeFileSync(releaseFile, '');
    await busy;
  });

  test('lets a caller that may wait (the API front door) take the next free sandbox instead of being throttled', async () => {
    // GIVEN a function limited to 1 invocation at once, busy
    const fn = lambdaFunction('waiting-handler', { concurrency: 1 });
    const releaseFile = marker('release');
    const startedFile = marker('started');
    const busy = fn.invoke({ startedFile, releaseFile });
    await fileAppears(startedFile);

    // WHEN a caller that may wait 30 s invokes it, and then the busy invocation finishes
    const waiting = fn.invoke({ startedFile: marker('started'), releaseFile }, undefined, { waitForSandboxMs: 30_000 });
    fs.writeFileSync(releaseFile, '');

    // THEN both ran, in the one sandbox
    await expect(Promise.all([busy, waiting])).resolves.toEqual([{ released: true }, { released: true }]);
    expect(fn.sandboxes).toBe(1);
  });

  test('throttles a caller that may wait once its wait is over and no sandbox came free', async () => {
    // GIVEN a function limited to 1 invocation at once, busy until told otherwise
    const fn = lambdaFunction('waiting-handler', { concurrency: 1 });
    const releaseFile = marker('release');
    const startedFile = marker('started');
    const busy = fn.invoke({ startedFile, releaseFile });
    await fileAppears(startedFile);

    // WHEN a caller that may wait 50 ms invokes it
    const waiting = fn.invoke({ startedFile: marker('started'), releaseFile }, undefined, { waitForSandboxMs: 50 });

    // THEN it is throttled without running
    await expect(waiting).rejects.toBeInstanceOf(TooManyRequestsException);
    fs.writeFileSync(releaseFile, '');
    await busy;
  });
});


describe('CPU priority', () => {
  const linux = process.platform === 'linux' ? test : test.skip;

  linux('runs a background function (only workflow tasks invoke it) at a lower priority than one the API invokes', async () => {
    // GIVEN a function the API invokes and one only workflow tasks invoke
    const api = lambdaFunction('priority-handler', { functionName: 'cake-shop-place-order' });
    const background = lambdaFunction('priority-handler', { background: true });

    // WHEN each runs
    // THEN the background one's sandbox thread is niced, so a busy machine serves waiting customers first
    await expect(api.invoke({})).resolves.toEqual({ niceness: 0 });
    await expect(background.invoke({})).resolves.toEqual({ niceness: 10 });
  });
});
