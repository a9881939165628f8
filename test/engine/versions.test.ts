import {
  CreateStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  StartExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { ROLE_ARN } from './support/engine-harness';
import { failure, sfnWorld, type SfnWorld } from './support/sfn-server';

const recipe = (cake: string) => JSON.stringify({ StartAt: 'Bake', States: { Bake: { Type: 'Pass', Result: { cake }, End: true } } });
const slowRecipe = (cake: string) =>
  JSON.stringify({ StartAt: 'Rise', States: { Rise: { Type: 'Wait', Seconds: 60, Next: 'Bake' }, Bake: { Type: 'Pass', Result: { cake }, End: true } } });

describe('state machine versions, through @aws-sdk/client-sfn', () => {
  let world: SfnWorld;
  let stateMachineArn: string;

  const send: SfnWorld['sfn']['send'] = (command: never) => world.sfn.send(command);
  const outputOf = async (executionArn: string) => {
    await world.engine.whenIdle();
    return JSON.parse((await send(new DescribeExecutionCommand({ executionArn }))).output ?? 'null') as unknown;
  };

  beforeEach(async () => {
    world = await sfnWorld();
    stateMachineArn = (await send(new CreateStateMachineCommand({ name: 'cakes', definition: recipe('sponge'), roleArn: ROLE_ARN }))).stateMachineArn!;
  });

  afterEach(() => world.close());

  test('UpdateStateMachine makes a new revision and, with publish, a version numbered from 1', async () => {
    // GIVEN a machine never updated: it has no revision id
    expect((await send(new DescribeStateMachineCommand({ stateMachineArn }))).revisionId).toBeUndefined();

    // WHEN its definition is updated and published
    const updated = await send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe('carrot'), publish: true, versionDescription: 'carrot' }));

    // THEN the update names the new revision and version 1, and both descriptions agree
    expect(updated.updateDate).toBeInstanceOf(Date);
    expect(updated.revisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(updated.stateMachineVersionArn).toBe(`${stateMachineArn}:1`);
    const machine = await send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(machine).toMatchObject({ stateMachineArn, definition: recipe('carrot'), revisionId: updated.revisionId });
    const version = await send(new DescribeStateMachineCommand({ stateMachineArn: `${stateMachineArn}:1` }));
    expect(version).toMatchObject({ stateMachineArn: `${stateMachineArn}:1`, name: 'cakes', definition: recipe('carrot'), revisionId: updated.revisionId, description: 'carrot' });
  });

  test('UpdateStateMachine without a definition or role answers MissingRequiredParameter; a versionDescription without publish, ValidationException', async () => {
    // GIVEN the machine / WHEN it is updated with nothing to change, and with a description but no publish
    const nothing = await failure(send(new UpdateStateMachineCommand({ stateMachineArn })));
    const described = await failure(send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe('lemon'), versionDescription: 'lemon' })));
    const invalid = await failure(send(new UpdateStateMachineCommand({ stateMachineArn, definition: '{"StartAt":"Nowhere","States":{}}' })));

    // THEN each answers AWS's error name, and the machine keeps its definition
    expect(nothing.name).toBe('MissingRequiredParameter');
    expect(described).toMatchObject({ name: 'ValidationException', message: 'Version description can only be set when publish is true' });
    expect(invalid.name).toBe('InvalidDefinition');
    expect((await send(new DescribeStateMachineCommand({ stateMachineArn }))).definition).toBe(recipe('sponge'));
  });

  test('PublishStateMachineVersion is idempotent for a revision already published, and checks revisionId', async () => {
    // GIVEN the initial revision published as version 1
    const first = await send(new PublishStateMachineVersionCommand({ stateMachineArn, revisionId: 'INITIAL', description: 'sponge' }));

    // WHEN it is published again, then the machine is updated and published against a stale revision id
    const again = await send(new PublishStateMachineVersionCommand({ stateMachineArn }));
    const { revisionId } = await send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe('carrot') }));
    const stale = await failure(send(new PublishStateMachineVersionCommand({ stateMachineArn, revisionId: 'INITIAL' })));
    const second = await send(new PublishStateMachineVersionCommand({ stateMachineArn, revisionId }));

    // THEN the repeat returns version 1 unchanged, the stale id conflicts, and the current one becomes version 2
    expect(first.stateMachineVersionArn).toBe(`${stateMachineArn}:1`);
    expect(again).toMatchObject({ stateMachineVersionArn: first.stateMachineVersionArn, creationDate: first.creationDate });
    expect(stale.name).toBe('ConflictException');
    expect(stale.message).toContain(`The current State Machine revision is ${revisionId}`);
    expect(second.stateMachineVersionArn).toBe(`${stateMachineArn}:2`);
  });

  test('ListStateMachineVersions lists newest first, in pages; a deleted number is never reused', async () => {
    // GIVEN three published versions, the second of them deleted, then a fourth
    for (const cake of ['a', 'b', 'c']) {
      await send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe(cake), publish: true }));
      world.clock.advance(1000);
    }
    await send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${stateMachineArn}:2` }));
    const fourth = await send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe('d'), publish: true }));

    // WHEN they are listed two at a time
    const page1 = await send(new ListStateMachineVersionsCommand({ stateMachineArn, maxResults: 2 }));
    const page2 = await send(new ListStateMachineVersionsCommand({ stateMachineArn, maxResults: 2, nextToken: page1.nextToken }));

    // THEN the new one is 4, and the pages run 4, 3 then 1
    expect(fourth.stateMachineVersionArn).toBe(`${stateMachineArn}:4`);
    expect([...page1.stateMachineVersions!, ...page2.stateMachineVersions!].map((version) => version.stateMachineVersionArn)).toEqual(
      [4, 3, 1].map((n) => `${stateMachineArn}:${n}`),
    );
    expect(page2.nextToken).toBeUndefined();
  });

  test('an execution started on a version runs that version and says so; one on the bare ARN names no version', async () => {
    // GIVEN version 1 (sponge), then the machine updated to carrot
    await send(new PublishStateMachineVersionCommand({ stateMachineArn }));
    await send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe('carrot') }));

    // WHEN one execution starts on version 1 and one on the machine
    const onVersion = (await send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}:1`, name: 'v1' }))).executionArn!;
    const onMachine = (await send(new StartExecutionCommand({ stateMachineArn, name: 'latest' }))).executionArn!;

    // THEN the version runs sponge, the machine carrot, and DescribeExecution / ListExecutions tell them apart
    expect(onVersion).toBe('arn:aws:states:us-east-1:000000000000:execution:cakes:v1');
    expect(await outputOf(onVersion)).toEqual({ cake: 'sponge' });
    expect(await outputOf(onMachine)).toEqual({ cake: 'carrot' });
    const described = await send(new DescribeExecutionCommand({ executionArn: onVersion }));
    expect(described).toMatchObject({ stateMachineArn, stateMachineVersionArn: `${stateMachineArn}:1` });
    expect(described.stateMachineAliasArn).toBeUndefined();
    expect((await send(new DescribeExecutionCommand({ executionArn: onMachine }))).stateMachineVersionArn).toBeUndefined();
    const listed = await send(new ListExecutionsCommand({ stateMachineArn: `${stateMachineArn}:1` }));
    expect(listed.executions!.map((execution) => [execution.name, execution.stateMachineVersionArn])).toEqual([['v1', `${stateMachineArn}:1`]]);
    expect((await send(new ListExecutionsCommand({ stateMachineArn }))).executions).toHaveLength(2);
  });

  test('a running execution keeps its definition after an update, and DescribeStateMachineForExecution shows what it ran', async () => {
    // GIVEN an execution waiting inside the slow recipe
    const { revisionId: before } = await send(new UpdateStateMachineCommand({ stateMachineArn, definition: slowRecipe('sponge') }));
    const createdRevisionDate = world.clock.now();
    const executionArn = (await send(new StartExecutionCommand({ stateMachineArn, name: 'rising' }))).executionArn!;

    // WHEN the machine is updated while it waits, and the wait ends
    world.clock.advance(5000);
    const after = await send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe('carrot'), roleArn: 'arn:aws:iam::000000000000:role/other' }));
    await world.engine.advanceClock(60);

    // THEN it finished the recipe it started with, and the action returns that definition, role and revision
    expect(await outputOf(executionArn)).toEqual({ cake: 'sponge' });
    const ran = await send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(ran).toMatchObject({ stateMachineArn, name: 'cakes', definition: slowRecipe('sponge'), roleArn: ROLE_ARN, revisionId: before });
    expect(ran.updateDate).toEqual(new Date(createdRevisionDate));
    expect(after.revisionId).not.toBe(before);
  });

  test('versions answer AWS errors: a missing version, a version of a bare ARN, a bad ARN', async () => {
    // GIVEN no version published / WHEN a version that does not exist is started, described and deleted
    const started = await failure(send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}:7` })));
    const described = await failure(send(new DescribeStateMachineCommand({ stateMachineArn: `${stateMachineArn}:7` })));
    const badArn = await failure(send(new ListStateMachineVersionsCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:activity:cakes' })));
    const bare = await failure(send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: stateMachineArn })));

    // THEN each answers the error AWS documents; deleting a version that is not there is not an error
    expect(started).toMatchObject({ name: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${stateMachineArn}:7'` });
    expect(described.name).toBe('StateMachineDoesNotExist');
    expect(badArn.name).toBe('InvalidArn');
    expect(bare.name).toBe('ValidationException');
    await expect(send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${stateMachineArn}:7` }))).resolves.toBeDefined();
  });

  test('CreateStateMachine with publish publishes version 1', async () => {
    // GIVEN / WHEN a machine is created with publish
    const created = await send(new CreateStateMachineCommand({ name: 'pies', definition: recipe('apple'), roleArn: ROLE_ARN, publish: true, versionDescription: 'first' }));

    // THEN its version 1 exists with the description
    expect(created.stateMachineVersionArn).toBe(`${created.stateMachineArn}:1`);
    expect(await send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineVersionArn }))).toMatchObject({ description: 'first' });
  });
});
