import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { LambdaFunction, type LambdaFunctionConfig } from '../../../infra/local/lambda-runner';

const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.ts`);

const config = (name: string, overrides: Partial<LambdaFunctionConfig> = {}): LambdaFunctionConfig => ({
  functionName: 'cake-shop-ask-cake-maker',
  entry: fixture(name),
  timeoutSeconds: 10,
  memorySizeMb: 256,
  region: 'us-east-1',
  accountId: '123456789012',
  ...overrides,
});

describe('LambdaFunction', () => {
  test('gives the handler a Lambda context that names the function and counts down from its timeout', async () => {
    // GIVEN a function with a 10 second timeout
    const fn = new LambdaFunction(config('context-handler'));

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
    const fn = new LambdaFunction(config('import-name-handler', { functionName: 'cake-shop-place-order' }));

    // WHEN it is loaded by its first invocation
    const result = (await fn.invoke({})) as Record<string, unknown>;

    // THEN the module saw its own function name
    expect(result.functionNameAtImport).toBe('cake-shop-place-order');
  });

  test('passes a thrown error through unwrapped, so Step Functions can catch it by name', async () => {
    // GIVEN a handler that throws OrderCancelled
    const fn = new LambdaFunction(config('failing-handler'));

    // WHEN it is invoked
    const invocation = fn.invoke({});

    // THEN the caller sees the handler's own error
    await expect(invocation).rejects.toMatchObject({ name: 'OrderCancelled', message: 'The customer cancelled order 42.' });
  });

  test('fails an invocation that outlives the timeout with Sandbox.Timedout', async () => {
    // GIVEN a handler that never answers, and a timeout of 50 ms
    const fn = new LambdaFunction(config('slow-handler', { timeoutSeconds: 0.05 }));

    // WHEN it is invoked
    const invocation = fn.invoke({});

    // THEN the invocation fails as Lambda reports a timeout
    await expect(invocation).rejects.toMatchObject({ name: 'Sandbox.Timedout', message: expect.stringContaining('Task timed out after 0.05 seconds') });
  });

  test('hands the handler a copy of the event, as Lambda passes JSON over the wire', async () => {
    // GIVEN an event object and a handler that changes what it receives
    const event = { items: ['sponge'] };
    const fn = new LambdaFunction(config('mutating-handler'));

    // WHEN it is invoked
    const result = await fn.invoke(event);

    // THEN the caller's object is untouched, and an empty result arrives as null
    expect(event.items).toEqual(['sponge']);
    expect(result).toBeNull();
  });

  test('settles a callback-style handler through its callback', async () => {
    // GIVEN a handler that answers through the callback
    const fn = new LambdaFunction(config('callback-handler'));

    // WHEN it is invoked
    const result = await fn.invoke({ orderId: '42' });

    // THEN its callback value is the result
    expect(result).toEqual({ orderId: '42', answeredBy: 'callback' });
  });

  test('loads shared modules afresh for each function, as separate Lambda sandboxes would', () => {
    // GIVEN two functions whose handlers import the same module with module-scope state
    // WHEN both are loaded in one plain Node process
    const output = execFileSync(process.execPath, ['--import', 'tsx', fixture('load-two-functions')], {
      cwd: path.join(__dirname, '..', '..', '..'),
      encoding: 'utf8',
    });

    // THEN each function has its own copy of that state
    expect(JSON.parse(output)).toEqual({
      first: { sharedStateLoadedFor: 'cake-shop-first' },
      second: { sharedStateLoadedFor: 'cake-shop-second' },
    });
  });
});

describe('LambdaFunction sandboxes', () => {
  interface Answer {
    orderId: string;
    loggedFor: string;
    invocationOfSandbox: number;
  }
  let run: { concurrent: Answer[]; afterwards: Answer; timedOut: string; afterTimeout: Answer };

  // One plain Node run invokes a handler that keeps the current order id at module scope, as the shop's Logger
  // keys do: twice at once, then once more; and a second function that first times out, then once more.
  beforeAll(() => {
    run = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', fixture('invoke-in-sandboxes')], {
        cwd: path.join(__dirname, '..', '..', '..'),
        encoding: 'utf8',
      }),
    );
  });

  test('runs invocations that overlap in separate sandboxes, so neither sees the other\'s order', () => {
    // GIVEN a function with no sandbox yet
    // WHEN it is invoked for orders o-1 and o-2 at once
    // THEN each invocation read back its own order, each in a freshly started sandbox
    expect(run.concurrent).toEqual([
      { orderId: 'o-1', loggedFor: 'o-1', invocationOfSandbox: 1 },
      { orderId: 'o-2', loggedFor: 'o-2', invocationOfSandbox: 1 },
    ]);
  });

  test('reuses an idle sandbox for the next invocation, as a warm Lambda does', () => {
    // GIVEN the function whose two sandboxes have answered
    // WHEN it is invoked for order o-3
    // THEN the later invocation ran in a sandbox that had served one before
    expect(run.afterwards).toEqual({ orderId: 'o-3', loggedFor: 'o-3', invocationOfSandbox: 2 });
  });

  test('never reuses the sandbox of a timed-out invocation, which may still be running', () => {
    // GIVEN a function whose only invocation, for order o-4, outlived its timeout
    // WHEN it is invoked for order o-5
    // THEN the invocation after the timeout got a new sandbox
    expect(run.timedOut).toBe('Sandbox.Timedout');
    expect(run.afterTimeout).toEqual({ orderId: 'o-5', loggedFor: 'o-5', invocationOfSandbox: 1 });
  });
});
