import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { ManualClock, openEngine, type Engine, type EngineOptions, type LambdaRegistry } from '../../../infra/local/engine';

export const ROLE_ARN = 'arn:aws:iam::000000000000:role/test';
export const START = Date.UTC(2026, 0, 1);
export const functionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

export interface Harness {
  engine: Engine;
  clock: ManualClock;
  /** Creates a state machine from a definition object and returns its ARN. */
  machine(definition: object, name?: string): Promise<string>;
  /** Starts an execution and waits until it can go no further without time passing or a callback. */
  run(stateMachineArn: string, input?: unknown, name?: string): Promise<string>;
  /** Moves the test clock on and waits for what became due. */
  advance(seconds: number): Promise<void>;
  describe(executionArn: string): ReturnType<Engine['describeExecution']>;
  history(executionArn: string): Promise<HistoryEvent[]>;
  /** Names of the states the execution entered, in order. */
  statesEntered(executionArn: string): Promise<string[]>;
  close(): Promise<void>;
}

let counter = 0;

/** A fresh engine on the in-memory store and a manual clock: the same code path as the durable one. */
export async function engineHarness(
  lambdas: LambdaRegistry,
  options: { dataDir?: string; clock?: ManualClock } & Pick<EngineOptions, 'eventBridge' | 'executionStatus'> = {},
): Promise<Harness> {
  const clock = options.clock ?? new ManualClock(START);
  const ports = { eventBridge: options.eventBridge, executionStatus: options.executionStatus };
  const engine = await openEngine(options.dataDir ? { dataDir: options.dataDir, clock, lambdas, ...ports } : { store: 'memory', clock, lambdas, ...ports, random: () => 0.5 });
  const harness: Harness = {
    engine,
    clock,
    async machine(definition, name = `machine-${++counter}`) {
      const { stateMachineArn } = await engine.createStateMachine({ name, definition: JSON.stringify(definition), roleArn: ROLE_ARN });
      return stateMachineArn!;
    },
    async run(stateMachineArn, input = {}, name) {
      const { executionArn } = await engine.startExecution({ stateMachineArn, input: JSON.stringify(input), name });
      await engine.whenIdle();
      return executionArn!;
    },
    async advance(seconds) {
      await engine.advanceClock(seconds);
    },
    describe: (executionArn) => engine.describeExecution({ executionArn }),
    async history(executionArn) {
      const { events } = await engine.getExecutionHistory({ executionArn, maxResults: 1000 });
      return events!;
    },
    async statesEntered(executionArn) {
      return (await harness.history(executionArn)).flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name!] : []));
    },
    close: () => engine.close(),
  };
  return harness;
}

/** A callback Lambda that hands out its task token, as a human-in-the-loop step would by email. */
export function tokenInbox() {
  const tokens: string[] = [];
  const handler = (payload: unknown) => {
    tokens.push((payload as { taskToken: string }).taskToken);
    return { sent: true };
  };
  return { tokens, handler, latest: () => tokens[tokens.length - 1] };
}

export const callbackTask = (functionName: string, extra: object = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: functionName, Payload: { 'taskToken.$': '$$.Task.Token', 'input.$': '$' } },
  ...extra,
});

export const invokeTask = (functionName: string, extra: object = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  ...extra,
});

export class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
