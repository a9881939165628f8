import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ManualClock, openEngine, startStepFunctionsServer, type Engine, type StepFunctionsServer } from '../../infra/local/engine';
import { callbackTask, invokeTask, NamedError, ROLE_ARN, tokenInbox } from './support/engine-harness';

const definition = JSON.stringify({
  StartAt: 'Ask Baker',
  States: {
    'Ask Baker': callbackTask('ask', { HeartbeatSeconds: 600, ResultPath: '$.answer', Next: 'Deliver' }),
    Deliver: invokeTask('deliver', { ResultSelector: { 'note.$': '$.Payload' }, ResultPath: '$.delivery', End: true }),
  },
});

describe('Step Functions HTTP API, driven by @aws-sdk/client-sfn', () => {
  let engine: Engine;
  let server: StepFunctionsServer;
  let sfn: SFNClient;
  let inbox: ReturnType<typeof tokenInbox>;
  let deliveryFails: boolean;
  let stateMachineArn: string;

  const post = (target: string, body: unknown) =>
    fetch(server.url, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target }, body: JSON.stringify(body) });
  const idle = () => engine.whenIdle();
  const start = async (name: string, input = { orderId: name }) =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }))).executionArn!;

  beforeEach(async () => {
    inbox = tokenInbox();
    deliveryFails = false;
    engine = await openEngine({
      store: 'memory',
      clock: new ManualClock(),
      lambdas: {
        ask: inbox.handler,
        deliver: () => {
          if (deliveryFails) throw new NamedError('VanBrokenDown', 'No van today');
          return 'on its way';
        },
      },
    });
    server = await startStepFunctionsServer(engine, { port: 0 });
    sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'orders', definition, roleArn: ROLE_ARN }))).stateMachineArn!;
  });

  afterEach(async () => {
    sfn.destroy();
    await server.close();
    await engine.close();
  });

  test('CreateStateMachine, DescribeStateMachine and ListStateMachines speak of the same ARN as AWS shapes it', async () => {
    // GIVEN the machine created in beforeEach / WHEN it is described and listed
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const listed = await sfn.send(new ListStateMachinesCommand({}));

    // THEN the ARN is AWS-shaped and both views agree, with dates parsed by the SDK
    expect(stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:orders');
    expect(described).toMatchObject({ name: 'orders', definition, roleArn: ROLE_ARN, type: 'STANDARD', status: 'ACTIVE' });
    expect(described.creationDate).toBeInstanceOf(Date);
    expect(listed.stateMachines!.map((machine) => machine.stateMachineArn)).toEqual([stateMachineArn]);
  });

  test('CreateStateMachine with an invalid definition answers InvalidDefinition', async () => {
    // GIVEN a definition whose StartAt names no state / WHEN it is created
    const creating = sfn.send(new CreateStateMachineCommand({ name: 'broken', definition: JSON.stringify({ StartAt: 'Nowhere', States: {} }), roleArn: ROLE_ARN }));

    // THEN the SDK raises AWS's error
    await expect(creating).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });

  test('DeleteStateMachine removes the machine: describing it then answers StateMachineDoesNotExist', async () => {
    // GIVEN the machine / WHEN it is deleted
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));

    // THEN it is gone
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist', $metadata: { httpStatusCode: 400 } });
  });

  test('StartExecution, SendTaskSuccess and DescribeExecution carry an order from start to success', async () => {
    // GIVEN a started order waiting for the baker
    const executionArn = await start('order-1');
    await idle();

    // WHEN the baker answers through the API
    await sfn.send(new SendTaskSuccessCommand({ taskToken: inbox.latest(), output: JSON.stringify({ accepted: true }) }));
    await idle();

    // THEN the execution succeeded with the answer and the delivery note
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:orders:order-1');
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ orderId: 'order-1', answer: { accepted: true }, delivery: { note: 'on its way' } });
    expect(described.startDate).toBeInstanceOf(Date);
  });

  test('StartExecution of a name in use with other input answers ExecutionAlreadyExists', async () => {
    // GIVEN a running execution
    await start('order-2');

    // WHEN the name is reused with other input / THEN the SDK raises AWS's error
    await expect(start('order-2', { orderId: 'other' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  test('SendTaskFailure fails the task with the error the caller names', async () => {
    // GIVEN a waiting execution
    const executionArn = await start('order-3');
    await idle();

    // WHEN the baker declines
    await sfn.send(new SendTaskFailureCommand({ taskToken: inbox.latest(), error: 'OrderCancelled', cause: 'Fully booked' }));
    await idle();

    // THEN the execution failed with that error
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'FAILED', error: 'OrderCancelled', cause: 'Fully booked' });
  });

  test('SendTaskHeartbeat keeps a task alive, and an unknown token answers InvalidToken', async () => {
    // GIVEN a waiting execution
    await start('order-4');
    await idle();

    // WHEN a heartbeat is sent with its token and another with a forged one
    const beat = await sfn.send(new SendTaskHeartbeatCommand({ taskToken: inbox.latest() }));
    const forged = sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'B'.repeat(64) }));

    // THEN the first is accepted and the second rejected as AWS does
    expect(beat.$metadata.httpStatusCode).toBe(200);
    await expect(forged).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  test('SendTaskSuccess with a spent token answers TaskTimedOut', async () => {
    // GIVEN a token already used
    await start('order-5');
    await idle();
    const taskToken = inbox.latest();
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));

    // WHEN it is used again / THEN AWS's error comes back
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut', $metadata: { httpStatusCode: 400 } });
  });

  test('ListExecutions filters by status and pages with nextToken', async () => {
    // GIVEN three waiting executions and one stopped
    for (const name of ['a', 'b', 'c', 'd']) await start(name);
    await sfn.send(new StopExecutionCommand({ executionArn: `arn:aws:states:us-east-1:000000000000:execution:orders:d` }));

    // WHEN running ones are listed two per page
    const first = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 2 }));
    const second = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 2, nextToken: first.nextToken }));

    // THEN the pages hold the three running executions
    const names = [...first.executions!, ...second.executions!].map((execution) => execution.name).sort();
    expect(names).toEqual(['a', 'b', 'c']);
    expect(second.nextToken).toBeUndefined();
  });

  test('GetExecutionHistory returns AWS event types with their detail fields, in both orders', async () => {
    // GIVEN a finished execution
    const executionArn = await start('order-6');
    await idle();
    await sfn.send(new SendTaskSuccessCommand({ taskToken: inbox.latest(), output: '{"accepted":true}' }));
    await idle();

    // WHEN its history is read forwards and backwards
    const forwards = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    const backwards = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }))).events!;

    // THEN the SDK parses AWS's shapes
    expect(forwards[0]).toMatchObject({ id: 1, previousEventId: 0, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{"orderId":"order-6"}', roleArn: ROLE_ARN } });
    expect(forwards[0].timestamp).toBeInstanceOf(Date);
    expect(forwards.find((event) => event.type === 'TaskScheduled')!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'us-east-1', heartbeatInSeconds: 600 });
    expect(forwards.find((event) => event.type === 'TaskStateEntered')!.stateEnteredEventDetails).toMatchObject({ name: 'Ask Baker' });
    expect(backwards.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'TaskStateExited']);
  });

  test('StopExecution aborts a running execution with the given error and cause', async () => {
    // GIVEN a waiting execution
    const executionArn = await start('order-9');
    await idle();

    // WHEN it is stopped through the API
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn, error: 'Ops', cause: 'Oven on fire' }));

    // THEN it is ABORTED with them, and the stop date matches
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Ops', cause: 'Oven on fire' });
    expect(described.stopDate).toEqual(stopped.stopDate);
  });

  test('RedriveExecution restarts a failed execution from its failed state', async () => {
    // GIVEN an execution that failed at Deliver
    deliveryFails = true;
    const executionArn = await start('order-7');
    await idle();
    await sfn.send(new SendTaskSuccessCommand({ taskToken: inbox.latest(), output: '{}' }));
    await idle();
    const failed = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    // WHEN delivery works again and the execution is redriven
    deliveryFails = false;
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    await idle();

    // THEN it succeeded without asking the baker again
    expect(failed).toMatchObject({ status: 'FAILED', error: 'VanBrokenDown', redriveStatus: 'REDRIVABLE' });
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(inbox.tokens).toHaveLength(1);
  });

  test('DescribeExecution of an unknown execution answers ExecutionDoesNotExist, and a malformed ARN InvalidArn', async () => {
    // GIVEN no such execution / WHEN they are described
    const unknown = sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:orders:nobody' }));
    const malformed = sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' }));

    // THEN each gets its AWS error
    await expect(unknown).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(malformed).rejects.toMatchObject({ name: 'InvalidArn' });
  });

  test('errors come back in the JSON protocol shape: status 400 and {"__type", "message"}', async () => {
    // GIVEN an unknown action / WHEN it is posted
    const response = await post('AWSStepFunctions.Bake', {});

    // THEN the body and headers are AWS's error shape
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    const body = await response.json();
    expect(body).toEqual({ __type: 'UnknownOperationException', message: expect.stringContaining('AWSStepFunctions.Bake') });
  });

  test('a GET changes nothing and is refused', async () => {
    // GIVEN the endpoint / WHEN it is fetched with GET
    const response = await fetch(server.url, { headers: { 'X-Amz-Target': 'AWSStepFunctions.StartExecution' } });

    // THEN it is refused and no execution was started
    expect(response.status).toBe(405);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions).toEqual([]);
  });

  test('LocalStepFunctions.AdvanceClock moves a test clock, so a heartbeat timeout can be reached from another process', async () => {
    // GIVEN a waiting execution with a 600 s heartbeat
    const executionArn = await start('order-8');
    await idle();

    // WHEN the clock is moved 600 s through the endpoint
    const before = (await (await post('LocalStepFunctions.GetClock', {})).json()) as { now: number };
    const advanced = await post('LocalStepFunctions.AdvanceClock', { seconds: 600 });

    // THEN the clock moved and the task timed out
    expect(advanced.status).toBe(200);
    expect(((await advanced.json()) as { now: number }).now - before.now).toBe(600);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
  });

  test('ListStateMachines and GetExecutionHistory page with nextToken', async () => {
    // GIVEN three state machines and a finished execution
    for (const name of ['cakes', 'pies']) await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE_ARN }));
    const executionArn = await start('order-10');
    await idle();
    await sfn.send(new SendTaskSuccessCommand({ taskToken: inbox.latest(), output: '{}' }));
    await idle();

    // WHEN each is read two at a time
    const machines: string[] = [];
    const eventIds: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken }));
      machines.push(...page.stateMachines!.map((machine) => machine.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 2, nextToken }));
      eventIds.push(...page.events!.map((event) => event.id!));
      nextToken = page.nextToken;
    } while (nextToken);

    // THEN the pages hold every machine and every event once, in order
    expect(machines).toEqual(['cakes', 'orders', 'pies']);
    expect(eventIds).toEqual(eventIds.map((_, index) => index + 1));
    expect(eventIds.length).toBeGreaterThan(4);
  });

  describe('every error comes back as the SDK exception AWS names', () => {
    const otherDefinition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    const missingExecution = 'arn:aws:states:us-east-1:000000000000:execution:orders:nobody';
    const missingMachine = 'arn:aws:states:us-east-1:000000000000:stateMachine:nothing';

    /** Starts an execution and returns the token its callback task is waiting on. */
    const waitingToken = async (name: string) => {
      await start(name);
      await idle();
      return inbox.latest();
    };
    /** Runs an execution to its callback and returns its spent token, answered or timed out. */
    const spentToken = async (how: 'answered' | 'timed out') => {
      const taskToken = await waitingToken(`order-${how.replace(' ', '-')}`);
      if (how === 'answered') await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
      else await engine.advanceClock(600);
      return taskToken;
    };

    test.each<[string, string, () => Promise<unknown>]>([
      ['CreateStateMachine of a name in use with another definition', 'StateMachineAlreadyExists', () => sfn.send(new CreateStateMachineCommand({ name: 'orders', definition: otherDefinition, roleArn: ROLE_ARN }))],
      ['CreateStateMachine with a name holding a space', 'InvalidName', () => sfn.send(new CreateStateMachineCommand({ name: 'cake orders', definition, roleArn: ROLE_ARN }))],
      ['CreateStateMachine of an EXPRESS machine', 'StateMachineTypeNotSupported', () => sfn.send(new CreateStateMachineCommand({ name: 'quick', definition, roleArn: ROLE_ARN, type: 'EXPRESS' }))],
      ['DescribeStateMachine of a malformed ARN', 'InvalidArn', () => sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'orders' }))],
      ['DeleteStateMachine of a malformed ARN', 'InvalidArn', () => sfn.send(new DeleteStateMachineCommand({ stateMachineArn: 'orders' }))],
      ['ListStateMachines with a forged nextToken', 'InvalidToken', () => sfn.send(new ListStateMachinesCommand({ nextToken: 'not-a-page' }))],
      ['ListStateMachines with maxResults over 1000', 'ValidationException', () => sfn.send(new ListStateMachinesCommand({ maxResults: 1001 }))],
      ['StartExecution of an unknown state machine', 'StateMachineDoesNotExist', () => sfn.send(new StartExecutionCommand({ stateMachineArn: missingMachine, input: '{}' }))],
      ['StartExecution with input that is not JSON', 'InvalidExecutionInput', () => sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{orderId' }))],
      ['StartExecution with input over 256 KiB', 'InvalidExecutionInput', () => sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ note: 'x'.repeat(262_144) }) }))],
      ['StartExecution with a name holding a slash', 'InvalidName', () => sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'order/1', input: '{}' }))],
      ['ListExecutions of an unknown state machine', 'StateMachineDoesNotExist', () => sfn.send(new ListExecutionsCommand({ stateMachineArn: missingMachine }))],
      ['GetExecutionHistory of an unknown execution', 'ExecutionDoesNotExist', () => sfn.send(new GetExecutionHistoryCommand({ executionArn: missingExecution }))],
      ['GetExecutionHistory with a forged nextToken', 'InvalidToken', async () => sfn.send(new GetExecutionHistoryCommand({ executionArn: await start('order-11'), nextToken: 'forged' }))],
      ['StopExecution of an unknown execution', 'ExecutionDoesNotExist', () => sfn.send(new StopExecutionCommand({ executionArn: missingExecution }))],
      ['RedriveExecution of a running execution', 'ExecutionNotRedrivable', async () => sfn.send(new RedriveExecutionCommand({ executionArn: await start('order-12') }))],
      ['RedriveExecution of an unknown execution', 'ExecutionDoesNotExist', () => sfn.send(new RedriveExecutionCommand({ executionArn: missingExecution }))],
      ['SendTaskSuccess with output that is not JSON', 'InvalidOutput', async () => sfn.send(new SendTaskSuccessCommand({ taskToken: await waitingToken('order-13'), output: 'yes' }))],
      ['SendTaskSuccess with a token that was never issued', 'InvalidToken', () => sfn.send(new SendTaskSuccessCommand({ taskToken: 'C'.repeat(64), output: '{}' }))],
      ['SendTaskFailure with an answered token', 'TaskTimedOut', async () => sfn.send(new SendTaskFailureCommand({ taskToken: await spentToken('answered'), error: 'Late' }))],
      ['SendTaskFailure with a malformed token', 'InvalidToken', () => sfn.send(new SendTaskFailureCommand({ taskToken: 'not a token', error: 'Late' }))],
      ['SendTaskHeartbeat with the token of a timed-out task', 'TaskTimedOut', async () => sfn.send(new SendTaskHeartbeatCommand({ taskToken: await spentToken('timed out') }))],
      ['SendTaskSuccess with the token of a timed-out task', 'TaskTimedOut', async () => sfn.send(new SendTaskSuccessCommand({ taskToken: await spentToken('timed out'), output: '{}' }))],
    ])('%s answers %s', async (_action, errorName, call) => {
      // GIVEN the machine of beforeEach / WHEN the call is made / THEN the SDK raises AWS's exception, status 400
      await expect(call()).rejects.toMatchObject({ name: errorName, $fault: 'client', $metadata: { httpStatusCode: 400 } });
    });
  });
});

describe('Step Functions HTTP API on the system clock', () => {
  test('LocalStepFunctions.AdvanceClock answers UnknownOperationException without a test clock', async () => {
    // GIVEN an engine on the system clock
    const engine = await openEngine({ store: 'memory', lambdas: {} });
    const server = await startStepFunctionsServer(engine, { port: 0 });
    try {
      // WHEN a client tries to move time
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'LocalStepFunctions.AdvanceClock' },
        body: JSON.stringify({ seconds: 60 }),
      });

      // THEN the hook does not exist
      expect(response.status).toBe(400);
      expect(((await response.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    } finally {
      await server.close();
      await engine.close();
    }
  });
});
