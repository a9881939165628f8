import { apiError } from './api-errors';
import { parseStateMachineTarget, type Partition } from './arns';
import type { Clock } from './clock';
import { hash as hashOf, programOf, type Program } from './core';
import { parseDefinition } from './api-input';
import { keys, type AliasRecord, type StateMachineRecord, type VersionRecord } from './model';
import type { Store } from './store';

/** What an execution runs: the definition, role and revision of a machine, a version, or the version an alias picked. */
export interface Revision {
  machine: StateMachineRecord;
  definition: string;
  definitionHash: string;
  roleArn: string;
  revisionId?: string;
  revisionDate: number;
  version?: VersionRecord;
  alias?: AliasRecord;
}

/**
 * The state machines, their versions and aliases: held in memory, written through to the store, loaded again by
 * `load` after a restart. The API actions on them live in state-machines.ts and aliases.ts.
 */
export class Catalogue {
  readonly machines = new Map<string, StateMachineRecord>();
  private readonly versionsByMachine = new Map<string, Map<number, VersionRecord>>();
  private readonly aliasesByMachine = new Map<string, Map<string, AliasRecord>>();
  /** Validated definitions by hash: asl-validator is slow, so each definition is checked once. */
  readonly programs = new Map<string, Program>();

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly partition: Partition,
    readonly defaultRoleArn: string,
    /** Picks a version by weight when an execution starts on an alias. */
    readonly random: () => number,
  ) {}

  async load(): Promise<void> {
    for await (const [, value] of this.store.scan(keys.stateMachines)) {
      const record = JSON.parse(value) as StateMachineRecord;
      this.machines.set(record.name, record);
    }
    for await (const [, value] of this.store.scan(keys.versions)) this.remember(JSON.parse(value) as VersionRecord);
    for await (const [, value] of this.store.scan(keys.aliases)) this.rememberAlias(JSON.parse(value) as AliasRecord);
  }

  /** Validates a definition once and remembers it, so later starts and restarts never validate it again. */
  validate(definition: unknown): string {
    if (typeof definition !== 'string') throw apiError('InvalidDefinition', 'definition must be a string of Amazon States Language JSON');
    const definitionHash = hashOf(definition);
    if (!this.programs.has(definitionHash)) this.programs.set(definitionHash, programOf(parseDefinition(definition)));
    this.store.put(keys.definition(definitionHash), definition);
    return definitionHash;
  }

  // ---- Lookups ----

  /** The state machine of an unqualified ARN. */
  machine(arn: unknown): StateMachineRecord {
    const target = parseStateMachineTarget(this.partition, arn);
    if (target.version !== undefined || target.alias !== undefined) {
      throw apiError('ValidationException', `Invalid Arn: '${String(arn)}': expected an unqualified state machine ARN, without a version or alias`);
    }
    return this.machineNamed(target.name, arn);
  }

  machineNamed(name: string, arn: unknown): StateMachineRecord {
    const record = this.machines.get(name);
    if (!record) throw apiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return record;
  }

  versions(machineName: string): VersionRecord[] {
    return [...(this.versionsByMachine.get(machineName)?.values() ?? [])];
  }

  version(machineName: string, version: number): VersionRecord | undefined {
    return this.versionsByMachine.get(machineName)?.get(version);
  }

  aliases(machineName: string): AliasRecord[] {
    return [...(this.aliasesByMachine.get(machineName)?.values() ?? [])];
  }

  alias(machineName: string, name: string): AliasRecord | undefined {
    return this.aliasesByMachine.get(machineName)?.get(name);
  }

  /** The version of a version ARN; `missing` names the error when there is none. */
  versionOf(arn: unknown, missing: string): VersionRecord {
    const target = parseStateMachineTarget(this.partition, arn);
    if (target.version === undefined) throw apiError('ValidationException', `Invalid Arn: '${String(arn)}': expected a state machine version ARN, <state machine ARN>:<version>`);
    const found = this.version(target.name, target.version);
    if (!found) throw apiError(missing, `${missing === 'StateMachineDoesNotExist' ? 'State Machine Does Not Exist' : 'Resource not found'}: '${String(arn)}'`);
    return found;
  }

  aliasOf(arn: unknown): AliasRecord {
    const target = parseStateMachineTarget(this.partition, arn);
    if (target.alias === undefined) throw apiError('ValidationException', `Invalid Arn: '${String(arn)}': expected a state machine alias ARN, <state machine ARN>:<alias>`);
    const found = this.alias(target.name, target.alias);
    if (!found) throw apiError('ResourceNotFound', `Resource not found: '${String(arn)}'`);
    return found;
  }

  /** What StartExecution runs for a bare, version or alias ARN; an alias picks one of its versions by weight. */
  revisionFor(arn: unknown): Revision {
    const target = parseStateMachineTarget(this.partition, arn);
    const machine = this.machineNamed(target.name, arn);
    if (target.version === undefined && target.alias === undefined) {
      const { definition, definitionHash, roleArn, revisionId } = machine;
      return { machine, definition, definitionHash, roleArn, revisionId, revisionDate: machine.updateDate ?? machine.creationDate };
    }
    const alias = target.alias === undefined ? undefined : this.alias(target.name, target.alias);
    if (target.alias !== undefined && !alias) throw apiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    const versionArn = alias ? pickRoute(alias, this.random()) : String(arn);
    const version = this.versionOf(versionArn, 'StateMachineDoesNotExist');
    const { definition, definitionHash, roleArn, revisionId, revisionDate } = version;
    return { machine, definition, definitionHash, roleArn, revisionId, revisionDate, version, alias };
  }

  // ---- Writes (each caller flushes the store before it answers) ----

  saveMachine(record: StateMachineRecord): void {
    this.machines.set(record.name, record);
    this.store.put(keys.stateMachine(record.name), JSON.stringify(record));
  }

  /** Deletes a machine with its versions and aliases, as AWS does; running executions keep their definition. */
  deleteMachine(name: string): void {
    if (!this.machines.delete(name)) return;
    this.store.del(keys.stateMachine(name));
    for (const version of this.versions(name)) this.store.del(keys.version(name, version.version));
    for (const alias of this.aliases(name)) this.store.del(keys.alias(name, alias.name));
    this.versionsByMachine.delete(name);
    this.aliasesByMachine.delete(name);
  }

  saveVersion(record: VersionRecord): void {
    this.remember(record);
    this.store.put(keys.version(record.stateMachineName, record.version), JSON.stringify(record));
  }

  deleteVersion(record: VersionRecord): void {
    this.versionsByMachine.get(record.stateMachineName)?.delete(record.version);
    this.store.del(keys.version(record.stateMachineName, record.version));
  }

  saveAlias(record: AliasRecord): void {
    this.rememberAlias(record);
    this.store.put(keys.alias(record.stateMachineName, record.name), JSON.stringify(record));
  }

  deleteAlias(record: AliasRecord): void {
    this.aliasesByMachine.get(record.stateMachineName)?.delete(record.name);
    this.store.del(keys.alias(record.stateMachineName, record.name));
  }

  private remember(record: VersionRecord): void {
    let versions = this.versionsByMachine.get(record.stateMachineName);
    if (!versions) this.versionsByMachine.set(record.stateMachineName, (versions = new Map()));
    versions.set(record.version, record);
  }

  private rememberAlias(record: AliasRecord): void {
    let aliases = this.aliasesByMachine.get(record.stateMachineName);
    if (!aliases) this.aliasesByMachine.set(record.stateMachineName, (aliases = new Map()));
    aliases.set(record.name, record);
  }
}

/** The version a draw in [0, 1) lands on: the first route takes the first `weight` percent. */
export function pickRoute(alias: AliasRecord, draw: number): string {
  let threshold = 0;
  for (const route of alias.routingConfiguration) {
    threshold += route.weight;
    if (draw * 100 < threshold) return route.stateMachineVersionArn;
  }
  return alias.routingConfiguration[alias.routingConfiguration.length - 1].stateMachineVersionArn;
}
