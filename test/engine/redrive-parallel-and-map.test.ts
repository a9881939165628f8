import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineHarness, invokeTask, NamedError, type Harness } from './support/engine-harness';

const packEach = {
  StartAt: 'Pack Each Cake',
  States: {
    'Pack Each Cake': {
      Type: 'Map',
      ItemsPath: '$.cakes',
      MaxConcurrency: 1,
      Iterator: { StartAt: 'Pack', States: { Pack: invokeTask('pack', { OutputPath: '$.Payload', End: true }) } },
      End: true,
    },
  },
};

/** A packer that cannot pack the lemon cake until `fixed` is set, and notes every cake it was given. */
function lemonFailsUntilFixed() {
  const packer = {
    fixed: false,
    calls: [] as string[],
    pack: (cake: unknown) => {
      packer.calls.push(cake as string);
      if (cake === 'lemon' && !packer.fixed) throw new NamedError('BoxTooSmall', 'No box fits the lemon cake');
      return `boxed ${cake as string}`;
    },
  };
  return packer;
}

describe('RedriveExecution: for an Inline Map or Parallel state, only the iterations and branches that failed or aborted are redriven', () => {
  let harness: Harness;
  let dataDir: string | undefined;
  afterEach(async () => {
    await harness?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  test('a redriven inline Map reruns only its failed and aborted iterations and keeps the results of those that succeeded', async () => {
    // GIVEN a Map over three cakes that failed at the second, so the third never ran
    const packer = lemonFailsUntilFixed();
    harness = await engineHarness({ pack: packer.pack });
    const machine = await harness.machine(packEach);
    const execution = await harness.run(machine, { cakes: ['apple', 'lemon', 'plum'] });
    expect((await harness.describe(execution)).status).toBe('FAILED');

    // WHEN the packer is fixed and the execution redriven
    packer.fixed = true;
    packer.calls.length = 0;
    await harness.engine.redriveExecution({ executionArn: execution });
    await harness.engine.whenIdle();

    // THEN only the lemon and plum iterations ran again, and the output keeps the apple result in its place
    expect(packer.calls).toEqual(['lemon', 'plum']);
    const redriven = await harness.describe(execution);
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(redriven.output!)).toEqual(['boxed apple', 'boxed lemon', 'boxed plum']);
  });

  test('a redriven Parallel state reruns only its failed branch and keeps the output of the branch that succeeded', async () => {
    // GIVEN a Parallel state whose apple branch succeeded, and whose lemon branch, packed after the cake cooled, failed
    const packer = lemonFailsUntilFixed();
    harness = await engineHarness({ pack: packer.pack });
    const pack = (cake: string) => ({ ...invokeTask('pack', { OutputPath: '$.Payload', End: true }), Parameters: { FunctionName: 'pack', Payload: cake } });
    const machine = await harness.machine({
      StartAt: 'Pack Both',
      States: {
        'Pack Both': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Pack Apple', States: { 'Pack Apple': pack('apple') } },
            { StartAt: 'Cool Lemon', States: { 'Cool Lemon': { Type: 'Wait', Seconds: 60, Next: 'Pack Lemon' }, 'Pack Lemon': pack('lemon') } },
          ],
          End: true,
        },
      },
    });
    const execution = await harness.run(machine);
    await harness.advance(60);
    expect((await harness.describe(execution)).status).toBe('FAILED');

    // WHEN the packer is fixed and the execution redriven
    packer.fixed = true;
    packer.calls.length = 0;
    await harness.engine.redriveExecution({ executionArn: execution });
    await harness.advance(60);

    // THEN only the lemon branch ran again, and the output holds both branches' results
    expect(packer.calls).toEqual(['lemon']);
    const redriven = await harness.describe(execution);
    expect(redriven.status).toBe('SUCCEEDED');
    expect(JSON.parse(redriven.output!)).toEqual(['boxed apple', 'boxed lemon']);
  });

  test('the results a redrive keeps survive an engine restart', async () => {
    // GIVEN a durable engine whose Map failed at the second cake, and which is then restarted
    dataDir = mkdtempSync(join(tmpdir(), 'sfn-redrive-'));
    const packer = lemonFailsUntilFixed();
    harness = await engineHarness({ pack: packer.pack }, { dataDir });
    const machine = await harness.machine(packEach);
    const execution = await harness.run(machine, { cakes: ['apple', 'lemon'] });
    const clock = harness.clock;
    await harness.close();
    harness = await engineHarness({ pack: packer.pack }, { dataDir, clock });

    // WHEN the packer is fixed and the execution redriven on the restarted engine
    packer.fixed = true;
    packer.calls.length = 0;
    await harness.engine.redriveExecution({ executionArn: execution });
    await harness.engine.whenIdle();

    // THEN only the failed iteration ran again, and the apple result from before the restart is in the output
    expect(packer.calls).toEqual(['lemon']);
    expect(JSON.parse((await harness.describe(execution)).output!)).toEqual(['boxed apple', 'boxed lemon']);
  });
});
