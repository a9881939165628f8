import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineHarness, START } from './support/engine-harness';
import { ManualClock } from '../../infra/local/engine';

// asl-validator compiles its schemas on every call, so the engine may call it only when a state machine is created.
const mockValidations = jest.fn();
jest.mock('asl-validator', () => {
  const validator = jest.requireActual('asl-validator') as (definition: unknown, options?: unknown) => unknown;
  return (definition: unknown, options?: unknown) => {
    mockValidations();
    return validator(definition, options);
  };
});

describe('local Step Functions engine: definition validation', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'engine-validation-'));
    mockValidations.mockClear();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('a definition is validated once, by CreateStateMachine: not by each execution, nor by a restart', async () => {
    // GIVEN a state machine created on a durable store
    const clock = new ManualClock(START);
    const first = await engineHarness({}, { dataDir, clock });
    const machine = await first.machine({ StartAt: 'Rest', States: { Rest: { Type: 'Wait', Seconds: 60, End: true } } });

    // WHEN executions start, the engine restarts with them running, and more start
    await first.run(machine, {}, 'order-1');
    await first.run(machine, {}, 'order-2');
    await first.close();
    const second = await engineHarness({}, { dataDir, clock });
    await second.run(machine, {}, 'order-3');
    await second.advance(60);

    // THEN asl-validator ran once, and every execution ran to the end
    try {
      expect(mockValidations).toHaveBeenCalledTimes(1);
      const { executions } = await second.engine.listExecutions({ stateMachineArn: machine, statusFilter: 'SUCCEEDED' });
      expect(executions).toHaveLength(3);
    } finally {
      await second.close();
    }
  });
});
