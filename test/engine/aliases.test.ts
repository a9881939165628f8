import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  StartExecutionCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { ROLE_ARN } from './support/engine-harness';
import { failure, sfnWorld, type SfnWorld } from './support/sfn-server';

const recipe = (cake: string) => JSON.stringify({ StartAt: 'Bake', States: { Bake: { Type: 'Pass', Result: { cake }, End: true } } });

describe('state machine aliases, through @aws-sdk/client-sfn', () => {
  let world: SfnWorld;
  let draws: number[];
  let stateMachineArn: string;
  let v1: string;
  let v2: string;

  const send: SfnWorld['sfn']['send'] = (command: never) => world.sfn.send(command);
  const alias = (name: string, routingConfiguration: { stateMachineVersionArn: string; weight: number }[], description?: string) =>
    send(new CreateStateMachineAliasCommand({ name, routingConfiguration, description }));

  beforeEach(async () => {
    draws = [];
    // The alias draws from the engine's random source: a test queues the draws it wants.
    world = await sfnWorld({ random: () => draws.shift() ?? 0 });
    stateMachineArn = (await send(new CreateStateMachineCommand({ name: 'cakes', definition: recipe('sponge'), roleArn: ROLE_ARN, publish: true }))).stateMachineArn!;
    v1 = `${stateMachineArn}:1`;
    v2 = (await send(new UpdateStateMachineCommand({ stateMachineArn, definition: recipe('carrot'), publish: true }))).stateMachineVersionArn!;
  });

  afterEach(() => world.close());

  test('CreateStateMachineAlias, DescribeStateMachineAlias and ListStateMachineAliases agree; creating it again is idempotent', async () => {
    // GIVEN versions 1 and 2 / WHEN an alias splits 80/20 between them, and is created again the same way
    const created = await alias('PROD', [{ stateMachineVersionArn: v1, weight: 80 }, { stateMachineVersionArn: v2, weight: 20 }], 'canary');
    const again = await alias('PROD', [{ stateMachineVersionArn: v1, weight: 80 }, { stateMachineVersionArn: v2, weight: 20 }], 'canary');

    // THEN its ARN is the machine's and the name, and every view shows the same configuration
    expect(created.stateMachineAliasArn).toBe(`${stateMachineArn}:PROD`);
    expect(again).toEqual(expect.objectContaining({ stateMachineAliasArn: created.stateMachineAliasArn, creationDate: created.creationDate }));
    const described = await send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: created.stateMachineAliasArn }));
    expect(described).toMatchObject({
      name: 'PROD',
      description: 'canary',
      routingConfiguration: [
        { stateMachineVersionArn: v1, weight: 80 },
        { stateMachineVersionArn: v2, weight: 20 },
      ],
    });
    const listed = await send(new ListStateMachineAliasesCommand({ stateMachineArn }));
    expect(listed.stateMachineAliases!.map((item) => item.stateMachineAliasArn)).toEqual([created.stateMachineAliasArn]);
    expect((await send(new ListStateMachineAliasesCommand({ stateMachineArn: v2 }))).stateMachineAliases).toHaveLength(1);
  });

  test('an execution on an alias runs the version its weights pick, and names both alias and version', async () => {
    // GIVEN an alias sending 80% to version 1 and 20% to version 2
    const { stateMachineAliasArn } = await alias('PROD', [{ stateMachineVersionArn: v1, weight: 80 }, { stateMachineVersionArn: v2, weight: 20 }]);

    // WHEN two executions start, one drawing inside the first 80% and one past it
    draws.push(0.79, 0.8);
    const first = (await send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn, name: 'first' }))).executionArn!;
    const second = (await send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn, name: 'second' }))).executionArn!;
    await world.engine.whenIdle();

    // THEN the first ran version 1 and the second version 2, each recorded with the alias
    const one = await send(new DescribeExecutionCommand({ executionArn: first }));
    const two = await send(new DescribeExecutionCommand({ executionArn: second }));
    expect(one).toMatchObject({ stateMachineArn, stateMachineAliasArn, stateMachineVersionArn: v1, output: '{"cake":"sponge"}' });
    expect(two).toMatchObject({ stateMachineArn, stateMachineAliasArn, stateMachineVersionArn: v2, output: '{"cake":"carrot"}' });
    const byAlias = await send(new ListExecutionsCommand({ stateMachineArn: stateMachineAliasArn }));
    expect(byAlias.executions!.map((execution) => execution.name).sort()).toEqual(['first', 'second']);
    expect((await send(new ListExecutionsCommand({ stateMachineArn: v2 }))).executions!.map((execution) => execution.name)).toEqual(['second']);
  });

  test('UpdateStateMachineAlias moves the traffic; DeleteStateMachineVersion is refused while an alias routes to it', async () => {
    // GIVEN an alias on version 1
    const { stateMachineAliasArn } = await alias('PROD', [{ stateMachineVersionArn: v1, weight: 100 }]);

    // WHEN version 1 is deleted, then the alias moves to version 2 and version 1 is deleted again
    const refused = await failure(send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 })));
    world.clock.advance(1000);
    const updated = await send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }] }));
    await send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 }));

    // THEN the first delete conflicts, naming the alias; afterwards the alias runs version 2
    expect(refused.name).toBe('ConflictException');
    expect(refused.message).toBe('Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [PROD]');
    const described = await send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }));
    expect(described.updateDate).toEqual(updated.updateDate);
    expect(described.updateDate!.getTime()).toBeGreaterThan(described.creationDate!.getTime());
    const executionArn = (await send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn }))).executionArn!;
    await world.engine.whenIdle();
    expect((await send(new DescribeExecutionCommand({ executionArn }))).stateMachineVersionArn).toBe(v2);
  });

  test('DeleteStateMachineAlias removes it: describing or starting it then fails', async () => {
    // GIVEN an alias / WHEN it is deleted
    const { stateMachineAliasArn } = await alias('PROD', [{ stateMachineVersionArn: v1, weight: 100 }]);
    await send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn }));

    // THEN it is gone, and its version stays
    expect((await failure(send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn })))).name).toBe('ResourceNotFound');
    expect((await failure(send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn })))).name).toBe('StateMachineDoesNotExist');
    expect((await failure(send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn })))).name).toBe('ResourceNotFound');
    expect((await send(new ListStateMachineAliasesCommand({ stateMachineArn }))).stateMachineAliases).toEqual([]);
  });

  test.each([
    ['weights that do not add up to 100', () => [{ stateMachineVersionArn: v1, weight: 50 }, { stateMachineVersionArn: v2, weight: 40 }], 'ValidationException'],
    ['three versions', () => [{ stateMachineVersionArn: v1, weight: 50 }, { stateMachineVersionArn: v2, weight: 50 }, { stateMachineVersionArn: v2, weight: 0 }], 'ValidationException'],
    ['no version', () => [], 'ValidationException'],
    ['the same version twice', () => [{ stateMachineVersionArn: v1, weight: 50 }, { stateMachineVersionArn: v1, weight: 50 }], 'ValidationException'],
    ['a bare state machine ARN', () => [{ stateMachineVersionArn: stateMachineArn, weight: 100 }], 'ValidationException'],
    ['a version that does not exist', () => [{ stateMachineVersionArn: `${stateMachineArn}:9`, weight: 100 }], 'ResourceNotFound'],
  ])('CreateStateMachineAlias refuses %s', async (_, routing, code) => {
    // GIVEN versions 1 and 2 / WHEN an alias is created with this routing / THEN it is refused with AWS's error name
    expect((await failure(alias('PROD', routing()))).name).toBe(code);
  });

  test('CreateStateMachineAlias refuses a name of digits, and a second configuration under the same name', async () => {
    // GIVEN an alias PROD / WHEN an alias named 7 is created, and PROD again with other weights
    await alias('PROD', [{ stateMachineVersionArn: v1, weight: 100 }]);
    const digits = await failure(alias('7', [{ stateMachineVersionArn: v1, weight: 100 }]));
    const clash = await failure(alias('PROD', [{ stateMachineVersionArn: v2, weight: 100 }]));

    // THEN the name is invalid (it would read as a version), and the clash conflicts
    expect(digits.name).toBe('InvalidName');
    expect(clash.name).toBe('ConflictException');
  });

  test('UpdateStateMachineAlias needs a description or a routing configuration', async () => {
    // GIVEN an alias / WHEN it is updated with neither
    const { stateMachineAliasArn } = await alias('PROD', [{ stateMachineVersionArn: v1, weight: 100 }]);
    const error = await failure(send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn })));

    // THEN the update is refused
    expect(error.name).toBe('ValidationException');
  });
});
