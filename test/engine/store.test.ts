import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../infra/local/engine';
import { callbackTask, engineHarness, START, tokenInbox } from './support/engine-harness';

describe('local Step Functions engine on its LevelDB store', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'engine-store-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('a closed and reopened engine rebuilds running executions from the store, with their tokens and history', async () => {
    // GIVEN an execution waiting on a token, and the engine closed
    const inbox = tokenInbox();
    const first = await engineHarness({ ask: inbox.handler }, { dataDir, clock: new ManualClock(START) });
    const machine = await first.machine({ StartAt: 'Ask Baker', States: { 'Ask Baker': callbackTask('ask', { ResultPath: '$.answer', End: true }) } }, 'orders');
    const execution = await first.run(machine, { orderId: 'o-1' });
    await first.close();

    // WHEN a new engine opens the same directory and the token is used
    const second = await engineHarness({ ask: inbox.handler }, { dataDir, clock: new ManualClock(START) });
    const running = second.engine.runningExecutions;
    await second.engine.sendTaskSuccess({ taskToken: inbox.latest(), output: '{"accepted":true}' });
    await second.engine.whenIdle();

    // THEN the execution was live again, finished, and its history continues without a gap
    try {
      expect(running).toBe(1);
      expect(JSON.parse((await second.describe(execution)).output!)).toEqual({ orderId: 'o-1', answer: { accepted: true } });
      const ids = (await second.history(execution)).map((event) => event.id);
      expect(ids).toEqual(ids.map((_, index) => index + 1));
      expect(inbox.tokens).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  test('a finished execution is not kept in memory', async () => {
    // GIVEN an engine on disk
    const harness = await engineHarness({}, { dataDir });
    try {
      const machine = await harness.machine({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });

      // WHEN executions finish
      for (let i = 0; i < 5; i++) await harness.run(machine);

      // THEN none is held as running, yet each can still be described from the store
      expect(harness.engine.runningExecutions).toBe(0);
      const { executions } = await harness.engine.listExecutions({ stateMachineArn: machine });
      expect(executions!.map((execution) => execution.status)).toEqual(Array(5).fill('SUCCEEDED'));
    } finally {
      await harness.close();
    }
  });
});
