import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListStateMachineVersionsCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { ManualClock } from '../../infra/local/engine';
import { ROLE_ARN, START } from './support/engine-harness';
import { sfnWorld } from './support/sfn-server';

jest.setTimeout(60_000);

const root = resolve(__dirname, '../..');

/** The engine as its own process on a manual clock, as durability.test.ts runs it, so it can be killed outright. */
async function engineProcess(work: string): Promise<{ child: ChildProcess; url: string }> {
  const args = ['--import', 'tsx', 'infra/local/engine/main.ts', '--data-dir', join(work, 'db'), '--lambdas', 'test/engine/fixtures/durable-lambdas.ts'];
  args.push('--port', '0', '--manual-clock', '--clock-start', '2026-01-01T00:00:00Z');
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, DURABILITY_DIR: work }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"listening"'));
      if (line) resolvePromise({ child, url: (JSON.parse(line) as { listening: string }).listening });
    });
    child.once('exit', (code) => reject(new Error(`engine exited with ${code}`)));
  });
}

const killed = (child: ChildProcess, signal: NodeJS.Signals) => new Promise<void>((done) => child.once('exit', () => done()).kill(signal));
const client = (url: string) => new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

const slowRecipe = (cake: string) =>
  JSON.stringify({ StartAt: 'Rise', States: { Rise: { Type: 'Wait', Seconds: 60, Next: 'Bake' }, Bake: { Type: 'Pass', Result: { cake }, End: true } } });

describe('versions, aliases and the definition each execution runs survive a restart', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sfn-versions-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('after a restart, versions and aliases are as they were, and a running execution finishes the revision it started', async () => {
    // GIVEN a durable engine with versions 1 and 2, an alias on version 1, and an execution on the alias waiting in Rise
    const clock = new ManualClock(START);
    const first = await sfnWorld({ dataDir, clock });
    const { stateMachineArn } = await first.sfn.send(new CreateStateMachineCommand({ name: 'cakes', definition: slowRecipe('sponge'), roleArn: ROLE_ARN, publish: true }));
    const { stateMachineAliasArn } = await first.sfn.send(
      new CreateStateMachineAliasCommand({ name: 'PROD', description: 'live', routingConfiguration: [{ stateMachineVersionArn: `${stateMachineArn}:1`, weight: 100 }] }),
    );
    const { executionArn } = await first.sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn, name: 'rising' }));
    const { revisionId } = await first.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: slowRecipe('carrot'), publish: true }));
    await first.engine.whenIdle();

    // WHEN the engine restarts on the same store and the wait ends
    await first.close();
    const second = await sfnWorld({ dataDir, clock });
    try {
      await second.engine.advanceClock(60);

      // THEN the versions, the alias and the machine's revision are back, and the execution ran version 1
      const versions = await second.sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn }));
      expect(versions.stateMachineVersions!.map((version) => version.stateMachineVersionArn)).toEqual([`${stateMachineArn}:2`, `${stateMachineArn}:1`]);
      expect(await second.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }))).toMatchObject({
        description: 'live',
        routingConfiguration: [{ stateMachineVersionArn: `${stateMachineArn}:1`, weight: 100 }],
      });
      expect(await second.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).toMatchObject({ definition: slowRecipe('carrot'), revisionId });
      expect(await second.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
        status: 'SUCCEEDED',
        output: '{"cake":"sponge"}',
        stateMachineVersionArn: `${stateMachineArn}:1`,
        stateMachineAliasArn,
      });
      expect((await second.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }))).definition).toBe(slowRecipe('sponge'));

      // AND a new version number continues from where it was
      const third = await second.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: slowRecipe('lemon'), publish: true }));
      expect(third.stateMachineVersionArn).toBe(`${stateMachineArn}:3`);
    } finally {
      await second.close();
    }
  });

  test('a SIGKILL loses no version, alias or execution revision the API had answered for', async () => {
    // GIVEN an engine process that published two versions, made an alias and started an execution on it
    let engine = await engineProcess(dataDir);
    let sfn = client(engine.url);
    try {
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'cakes', definition: slowRecipe('sponge'), roleArn: ROLE_ARN, publish: true }));
      await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: slowRecipe('carrot'), publish: true }));
      const { stateMachineAliasArn } = await sfn.send(
        new CreateStateMachineAliasCommand({ name: 'PROD', routingConfiguration: [{ stateMachineVersionArn: `${stateMachineArn}:1`, weight: 100 }] }),
      );
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn, name: 'rising' }));

      // WHEN the process is killed outright and started again on the same store
      await killed(engine.child, 'SIGKILL');
      sfn.destroy();
      engine = await engineProcess(dataDir);
      sfn = client(engine.url);

      // THEN both versions and the alias are there, and the execution still runs version 1 on the alias
      const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn }));
      expect(versions.stateMachineVersions).toHaveLength(2);
      expect((await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }))).routingConfiguration).toEqual([{ stateMachineVersionArn: `${stateMachineArn}:1`, weight: 100 }]);
      expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'RUNNING', stateMachineVersionArn: `${stateMachineArn}:1`, stateMachineAliasArn });
      expect((await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }))).definition).toBe(slowRecipe('sponge'));
    } finally {
      sfn.destroy();
      await killed(engine.child, 'SIGTERM');
    }
  });
});
