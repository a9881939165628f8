/** The state machine and version actions of the Step Functions API, over the Catalogue. */
import { randomUUID } from 'node:crypto';
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DeleteStateMachineVersionInput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  ListStateMachineVersionsInput,
  ListStateMachineVersionsOutput,
  PublishStateMachineVersionInput,
  PublishStateMachineVersionOutput,
  UpdateStateMachineInput,
  UpdateStateMachineOutput,
} from '@aws-sdk/client-sfn';
import { apiError } from './api-errors';
import { paginate } from './api-input';
import { assertName, parseStateMachineTarget, qualifiedArn, stateMachineArn } from './arns';
import type { Catalogue } from './catalogue';
import type { StateMachineRecord, VersionRecord } from './model';

const MAX_VERSIONS = 1000;
const MAX_DESCRIPTION = 256;

export type CreateInput = Omit<CreateStateMachineInput, 'roleArn'> & { roleArn?: string };

export async function createStateMachine(catalogue: Catalogue, input: CreateInput): Promise<CreateStateMachineOutput> {
  assertName(input.name, 'state machine');
  if (input.type !== undefined && input.type !== 'STANDARD') {
    throw apiError('StateMachineTypeNotSupported', `The local engine runs STANDARD state machines only, not ${input.type}`);
  }
  assertVersionDescription(input.publish, input.versionDescription);
  const definitionHash = catalogue.validate(input.definition);
  const roleArn = input.roleArn ?? catalogue.defaultRoleArn;
  const existing = catalogue.machines.get(input.name);
  if (existing) {
    // AWS makes creation idempotent: the same name and definition return the machine that exists.
    if (existing.definition === input.definition && existing.roleArn === roleArn) {
      const published = input.publish ? catalogue.versions(existing.name).find((version) => version.revisionId === existing.revisionId) : undefined;
      return { stateMachineArn: existing.stateMachineArn, creationDate: new Date(existing.creationDate), stateMachineVersionArn: published?.arn };
    }
    throw apiError('StateMachineAlreadyExists', `State Machine Already Exists: '${existing.stateMachineArn}'`);
  }
  const record: StateMachineRecord = {
    stateMachineArn: stateMachineArn(catalogue.partition, input.name),
    name: input.name,
    definition: input.definition!,
    definitionHash,
    roleArn,
    creationDate: catalogue.clock.now(),
  };
  catalogue.saveMachine(record);
  const version = input.publish ? publishRevision(catalogue, record, input.versionDescription) : undefined;
  await catalogue.store.flush();
  return { stateMachineArn: record.stateMachineArn, creationDate: new Date(record.creationDate), stateMachineVersionArn: version?.arn };
}

/** A bare ARN describes the machine's current revision; a version ARN describes that version. */
export function describeStateMachine(catalogue: Catalogue, input: DescribeStateMachineInput): DescribeStateMachineOutput {
  const target = parseStateMachineTarget(catalogue.partition, input.stateMachineArn);
  if (target.alias !== undefined) throw apiError('InvalidArn', `Invalid Arn: '${input.stateMachineArn}': describe an alias with DescribeStateMachineAlias`);
  const machine = catalogue.machineNamed(target.name, input.stateMachineArn);
  const common = {
    name: machine.name,
    status: 'ACTIVE' as const,
    type: 'STANDARD' as const,
    loggingConfiguration: { level: 'OFF' as const, includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
  if (target.version !== undefined) {
    const version = catalogue.versionOf(input.stateMachineArn, 'StateMachineDoesNotExist');
    return {
      ...common,
      stateMachineArn: version.arn,
      definition: version.definition,
      roleArn: version.roleArn,
      creationDate: new Date(version.creationDate),
      revisionId: version.revisionId,
      description: version.description,
    };
  }
  return {
    ...common,
    stateMachineArn: machine.stateMachineArn,
    definition: machine.definition,
    roleArn: machine.roleArn,
    creationDate: new Date(machine.creationDate),
    revisionId: machine.revisionId,
  };
}

export function listStateMachines(catalogue: Catalogue, input: ListStateMachinesInput): ListStateMachinesOutput {
  const all = [...catalogue.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
  const { page, nextToken } = paginate(all, input.maxResults, input.nextToken);
  return {
    stateMachines: page.map((record) => ({
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      type: 'STANDARD',
      creationDate: new Date(record.creationDate),
    })),
    nextToken,
  };
}

/**
 * A new definition and/or role makes a new revision (a new revisionId); running executions keep the revision they
 * started with. `publish` then publishes it as a version, as PublishStateMachineVersion would.
 */
export async function updateStateMachine(catalogue: Catalogue, input: UpdateStateMachineInput): Promise<UpdateStateMachineOutput> {
  const machine = catalogue.machine(input.stateMachineArn);
  if (input.definition === undefined && input.roleArn === undefined) {
    throw apiError('MissingRequiredParameter', 'Either the definition or the roleArn must be specified');
  }
  assertVersionDescription(input.publish, input.versionDescription);
  const definitionHash = input.definition === undefined ? machine.definitionHash : catalogue.validate(input.definition);
  const definition = input.definition ?? machine.definition;
  const roleArn = input.roleArn ?? machine.roleArn;
  if (definition !== machine.definition || roleArn !== machine.roleArn) {
    catalogue.saveMachine({ ...machine, definition, definitionHash, roleArn, revisionId: randomUUID(), updateDate: catalogue.clock.now() });
  }
  const current = catalogue.machines.get(machine.name)!;
  const version = input.publish ? publishRevision(catalogue, current, input.versionDescription) : undefined;
  await catalogue.store.flush();
  return { updateDate: new Date(current.updateDate ?? current.creationDate), revisionId: current.revisionId, stateMachineVersionArn: version?.arn };
}

export async function publishStateMachineVersion(catalogue: Catalogue, input: PublishStateMachineVersionInput): Promise<PublishStateMachineVersionOutput> {
  const machine = catalogue.machine(input.stateMachineArn);
  assertDescription(input.description, 'description');
  // INITIAL stands for the revision of a machine never updated, which has no revision id.
  const expected = input.revisionId === 'INITIAL' ? undefined : input.revisionId;
  if (input.revisionId !== undefined && expected !== machine.revisionId) {
    throw apiError(
      'ConflictException',
      `Failed to publish the State Machine version for revision ${input.revisionId}. The current State Machine revision is ${machine.revisionId ?? 'INITIAL'}.`,
      409,
    );
  }
  const version = publishRevision(catalogue, machine, input.description);
  await catalogue.store.flush();
  return { stateMachineVersionArn: version.arn, creationDate: new Date(version.creationDate) };
}

/** Newest first, as AWS sorts them: by creation, which is also by number. */
export function listStateMachineVersions(catalogue: Catalogue, input: ListStateMachineVersionsInput): ListStateMachineVersionsOutput {
  const machine = catalogue.machine(input.stateMachineArn);
  const versions = catalogue.versions(machine.name).sort((a, b) => b.version - a.version);
  const { page, nextToken } = paginate(versions, input.maxResults, input.nextToken);
  return { stateMachineVersions: page.map((version) => ({ stateMachineVersionArn: version.arn, creationDate: new Date(version.creationDate) })), nextToken };
}

/** Deleting a version that does not exist succeeds; one that an alias routes to is refused, as on AWS. */
export async function deleteStateMachineVersion(catalogue: Catalogue, input: DeleteStateMachineVersionInput): Promise<Record<string, never>> {
  const target = parseStateMachineTarget(catalogue.partition, input.stateMachineVersionArn);
  if (target.version === undefined) {
    throw apiError('ValidationException', `Invalid Arn: '${input.stateMachineVersionArn}': expected a state machine version ARN, <state machine ARN>:<version>`);
  }
  const version = catalogue.version(target.name, target.version);
  if (!version) return {};
  const routing = catalogue.aliases(target.name).filter((alias) => alias.routingConfiguration.some((route) => route.stateMachineVersionArn === version.arn));
  if (routing.length > 0) {
    throw apiError(
      'ConflictException',
      `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${routing.map((alias) => alias.name).join(', ')}]`,
      409,
    );
  }
  catalogue.deleteVersion(version);
  await catalogue.store.flush();
  return {};
}

/** Publishes the machine's current revision, or returns the version that already holds it (publishing is idempotent). */
function publishRevision(catalogue: Catalogue, machine: StateMachineRecord, description: string | undefined): VersionRecord {
  const versions = catalogue.versions(machine.name);
  const existing = versions.find((version) => version.revisionId === machine.revisionId);
  if (existing) return existing;
  if (versions.length >= MAX_VERSIONS) {
    throw apiError('ServiceQuotaExceededException', `A state machine can have at most ${MAX_VERSIONS} versions: delete unused ones with DeleteStateMachineVersion`, 402);
  }
  const number = machine.nextVersion ?? 1;
  catalogue.saveMachine({ ...machine, nextVersion: number + 1 });
  const record: VersionRecord = {
    stateMachineName: machine.name,
    version: number,
    arn: qualifiedArn(catalogue.partition, machine.name, number),
    definition: machine.definition,
    definitionHash: machine.definitionHash,
    roleArn: machine.roleArn,
    revisionId: machine.revisionId,
    revisionDate: machine.updateDate ?? machine.creationDate,
    description,
    creationDate: catalogue.clock.now(),
  };
  catalogue.saveVersion(record);
  return record;
}

function assertVersionDescription(publish: boolean | undefined, description: string | undefined): void {
  if (description !== undefined && publish !== true) {
    throw apiError('ValidationException', 'Version description can only be set when publish is true');
  }
  assertDescription(description, 'versionDescription');
}

export function assertDescription(description: unknown, field: string): void {
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION)) {
    throw apiError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIPTION}`);
  }
}
