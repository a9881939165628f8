import { SFNClient } from '@aws-sdk/client-sfn';
import { ManualClock, openEngine, startStepFunctionsServer, type Engine, type LambdaRegistry, type StepFunctionsServer } from '../../../infra/local/engine';

export interface SfnWorld {
  engine: Engine;
  server: StepFunctionsServer;
  sfn: SFNClient;
  clock: ManualClock;
  close(): Promise<void>;
}

/** An engine (in memory, or durable in `dataDir`) behind its HTTP server, and an SDK client pointed at it. */
export async function sfnWorld(options: { lambdas?: LambdaRegistry; dataDir?: string; clock?: ManualClock; random?: () => number } = {}): Promise<SfnWorld> {
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  const lambdas = options.lambdas ?? {};
  const engine = await openEngine(
    options.dataDir ? { dataDir: options.dataDir, clock, lambdas, random: options.random } : { store: 'memory', clock, lambdas, random: options.random },
  );
  const server = await startStepFunctionsServer(engine, { port: 0 });
  // TestState (like StartSyncExecution) is sent to host `sync-<endpoint>` unless host prefixes are off.
  const sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, disableHostPrefix: true });
  return {
    engine,
    server,
    sfn,
    clock,
    async close() {
      sfn.destroy();
      await server.close();
      await engine.close();
    },
  };
}

/** The error an SDK call rejects with, for asserting its name and message. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}
