import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

jest.setTimeout(180_000);

const root = resolve(__dirname, '../..');
const machineArn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
const executionArn = (machine: string, name: string) => `arn:aws:states:us-east-1:000000000000:execution:${machine}:${name}`;
const BURST = 40;
const CHAIN = 20;
const SLOW_STEP = 10;

const invoke = (functionName: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  ResultSelector: { 'result.$': '$.Payload' },
});

const handOver = {
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: 'hand-over', Payload: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' } },
};

const machines = {
  callback: {
    StartAt: 'Ask Cake Maker',
    States: {
      'Ask Cake Maker': { ...handOver, ResultPath: '$.answer', Next: 'Accepted' },
      Accepted: { Type: 'Succeed' },
    },
  },
  wait: {
    StartAt: 'Let Dough Rise',
    States: { 'Let Dough Rise': { Type: 'Wait', Seconds: 3600, Next: 'Risen' }, Risen: { Type: 'Succeed' } },
  },
  retry: {
    StartAt: 'Send Email',
    States: {
      'Send Email': {
        ...invoke('flaky'),
        Retry: [{ ErrorEquals: ['DependencyUnavailable'], IntervalSeconds: 3600, BackoffRate: 1, MaxAttempts: 2, JitterStrategy: 'NONE' }],
        End: true,
      },
    },
  },
  cut: {
    StartAt: 'Slow Task',
    States: {
      'Slow Task': { ...invoke('hang-once'), End: true },
    },
  },
  heartbeat: {
    StartAt: 'Ask Cake Maker',
    States: { 'Ask Cake Maker': { ...handOver, HeartbeatSeconds: 3600, TimeoutSeconds: 86400, End: true } },
  },
  timeout: {
    StartAt: 'Ask Cake Maker',
    States: { 'Ask Cake Maker': { ...handOver, TimeoutSeconds: 3600, End: true } },
  },
  // Pass states either side of a slow task: every execution of the burst is stuck half-way when the process dies.
  chain: {
    StartAt: 'Step 0',
    States: Object.fromEntries(
      Array.from({ length: CHAIN }, (_, i) => {
        const next = i === CHAIN - 1 ? { End: true } : { Next: `Step ${i + 1}` };
        const step =
          i === SLOW_STEP
            ? { ...invoke('hang-once'), ResultPath: '$.slow' }
            : { Type: 'Pass', Result: i, ResultPath: '$.step' };
        return [`Step ${i}`, { ...step, ...next }];
      }),
    ),
  },
};

/** The engine as its own process: `node --import tsx infra/local/engine/main.ts` on a manual clock. */
class EngineProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static start(work: string): Promise<EngineProcess> {
    const args = ['--import', 'tsx', 'infra/local/engine/main.ts', '--data-dir', join(work, 'db'), '--lambdas', 'test/engine/fixtures/durable-lambdas.ts'];
    for (const name of Object.keys(machines)) args.push('--state-machine', `${name}=${join(work, `${name}.asl.json`)}`);
    args.push('--port', '0', '--manual-clock', '--clock-start', '2026-01-01T00:00:00Z');
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, DURABILITY_DIR: work }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let output = '';
      let errors = '';
      child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((candidate) => candidate.startsWith('{"listening"'));
        if (line) resolve(new EngineProcess(child, (JSON.parse(line) as { listening: string }).listening));
      });
      child.once('exit', (code) => reject(new Error(`engine exited with ${code}: ${errors}`)));
    });
  }

  client(): SFNClient {
    return new SFNClient({ endpoint: this.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }

  async advanceClock(seconds: number): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'LocalStepFunctions.AdvanceClock' },
      body: JSON.stringify({ seconds }),
    });
    if (response.status !== 200) throw new Error(`AdvanceClock answered ${response.status}: ${await response.text()}`);
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}

/** Polls until `check` holds; the engine runs in another process, so there is nothing to await directly. */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Gave up waiting until ${what}`);
}

const callCount = (work: string, log: string, orderId: string) => {
  const file = join(work, `${log}-${orderId}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;
};

describe('durability of the local Step Functions engine across SIGKILL', () => {
  let work: string;
  let engine: EngineProcess | undefined;
  let sfn: SFNClient;
  let token: string;
  const status = async (machine: string, name: string) => (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(machine, name) }))).status;
  const chainsAtSlowStep = () => Array.from({ length: BURST }, (_, i) => callCount(work, 'hang', `chain-${i}`)).filter((calls) => calls === 1).length;
  const start = (machine: string, name: string, input: object) =>
    sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn(machine), name, input: JSON.stringify(input) }));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'engine-durability-'));
    for (const [name, definition] of Object.entries(machines)) writeFileSync(join(work, `${name}.asl.json`), JSON.stringify(definition));

    // GIVEN an engine process with executions in every kind of wait
    engine = await EngineProcess.start(work);
    sfn = engine.client();
    await start('callback', 'order-cb', { orderId: 'cb' });
    await start('wait', 'order-wait', { orderId: 'wait' });
    await start('retry', 'order-retry', { orderId: 'retry' });
    await start('heartbeat', 'order-heartbeat', { orderId: 'heartbeat' });
    await start('timeout', 'order-timeout', { orderId: 'timeout' });
    const tokenFile = join(work, 'tokens', 'cb');
    token = await eventually(() => (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8') : undefined), 'the callback task handed out its token');
    await eventually(() => callCount(work, 'flaky', 'retry') === 1, 'the flaky task failed once');
    // Half of the one-hour Wait and of the one-hour back-off pass before the crash.
    await engine.advanceClock(1800);
    await start('cut', 'order-cut', { orderId: 'cut' });
    await eventually(() => callCount(work, 'hang', 'cut') === 1, 'the slow task was invoked');
    await Promise.all(Array.from({ length: BURST }, (_, i) => start('chain', `order-chain-${i}`, { orderId: `chain-${i}`, n: i })));
    await eventually(() => chainsAtSlowStep() === BURST, 'every execution of the burst is half-way, in its slow step');

    // WHEN the process is killed outright, mid-flight, and started again on the same data
    await engine.kill('SIGKILL');
    sfn.destroy();
    engine = await EngineProcess.start(work);
    sfn = engine.client();
  });

  afterAll(async () => {
    sfn?.destroy();
    await engine?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });

  test('a Wait, a retry back-off, a task timeout and a heartbeat keep their original deadlines: none fires a second early, all on the hour', async () => {
    const timers = async () => {
      const described = await Promise.all(
        ['wait', 'retry', 'heartbeat', 'timeout'].map((machine) => sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(machine, `order-${machine}`) }))),
      );
      return described.map(({ status, error }) => (error ? `${status} ${error}` : status));
    };

    // THEN a second before the hour all four still wait
    await engine!.advanceClock(1799);
    expect(await timers()).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);

    // AND at the hour all went on: the retry with a second call, the tasks timed out as their settings say
    await engine!.advanceClock(1);
    expect(await timers()).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED States.HeartbeatTimeout', 'FAILED States.Timeout']);
    expect(callCount(work, 'flaky', 'retry')).toBe(2);
  });

  test('a task waiting on a token keeps it: the token handed out before the crash completes it', async () => {
    // WHEN the baker answers with the token from before the crash
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ accepted: true }) }));

    // THEN the execution finished with the answer
    await eventually(async () => (await status('callback', 'order-cb')) === 'SUCCEEDED', 'the callback execution succeeded');
    const output = (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn('callback', 'order-cb') }))).output!;
    expect(JSON.parse(output)).toEqual({ orderId: 'cb', answer: { accepted: true } });
  });

  test('an invocation cut off by the crash is invoked again', async () => {
    // THEN the slow task was called a second time and the execution finished with its result
    await eventually(async () => (await status('cut', 'order-cut')) === 'SUCCEEDED', 'the cut-off execution succeeded');
    expect(callCount(work, 'hang', 'cut')).toBe(2);
    const output = (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn('cut', 'order-cut') }))).output!;
    expect(JSON.parse(output)).toEqual({ result: 'finished' });
  });

  test('executions caught half-way finish once, through each state once, with the output they would have had', async () => {
    // THEN each slow step was invoked again after the restart (it was cut off before), and only it
    await eventually(() => Array.from({ length: BURST }, (_, i) => callCount(work, 'hang', `chain-${i}`)).every((calls) => calls === 2), 'every slow step ran again');
    for (let i = 0; i < BURST; i++) {
      const arn = executionArn('chain', `order-chain-${i}`);
      await eventually(async () => (await status('chain', `order-chain-${i}`)) === 'SUCCEEDED', `order-chain-${i} succeeded`);
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }));
      const entered = events!.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
      expect(entered).toEqual(Array.from({ length: CHAIN }, (_, step) => `Step ${step}`));
      expect(events!.filter((event) => event.type === 'ExecutionSucceeded')).toHaveLength(1);
      expect(events!.map((event) => event.id)).toEqual(events!.map((_, index) => index + 1));
      const output = (await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).output!;
      expect(JSON.parse(output)).toEqual({ orderId: `chain-${i}`, n: i, step: CHAIN - 1, slow: { result: 'finished' } });
    }
  });
});
