/** The state machine alias actions of the Step Functions API, over the Catalogue. */
import type {
  CreateStateMachineAliasInput,
  CreateStateMachineAliasOutput,
  DeleteStateMachineAliasInput,
  DescribeStateMachineAliasInput,
  DescribeStateMachineAliasOutput,
  ListStateMachineAliasesInput,
  ListStateMachineAliasesOutput,
  UpdateStateMachineAliasInput,
  UpdateStateMachineAliasOutput,
} from '@aws-sdk/client-sfn';
import { apiError } from './api-errors';
import { paginate } from './api-input';
import { parseStateMachineTarget, qualifiedArn } from './arns';
import type { Catalogue } from './catalogue';
import type { AliasRecord, RoutingEntry } from './model';
import { assertDescription } from './state-machines';

const MAX_ALIASES = 100;
// AWS's pattern: at least one non-digit, so an alias ARN never reads as a version ARN.
const ALIAS_NAME = /^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$/;

export async function createStateMachineAlias(catalogue: Catalogue, input: CreateStateMachineAliasInput): Promise<CreateStateMachineAliasOutput> {
  if (typeof input.name !== 'string' || !ALIAS_NAME.test(input.name)) {
    throw apiError('InvalidName', `Invalid alias name ${JSON.stringify(input.name)}: 1 to 80 letters, digits, '-', '_' or '.', and not only digits`);
  }
  assertDescription(input.description, 'description');
  const { machineName, routes } = routingOf(catalogue, input.routingConfiguration);
  const existing = catalogue.alias(machineName, input.name);
  if (existing) {
    // Idempotent on name, description and routing, as AWS documents; anything else is a clash.
    if (existing.description === input.description && sameRoutes(existing.routingConfiguration, routes)) {
      return { stateMachineAliasArn: existing.arn, creationDate: new Date(existing.creationDate) };
    }
    throw apiError('ConflictException', `Alias already exists with a different configuration: '${existing.arn}'`, 409);
  }
  if (catalogue.aliases(machineName).length >= MAX_ALIASES) {
    throw apiError('ServiceQuotaExceededException', `A state machine can have at most ${MAX_ALIASES} aliases: delete unused ones with DeleteStateMachineAlias`, 402);
  }
  const now = catalogue.clock.now();
  const record: AliasRecord = {
    stateMachineName: machineName,
    name: input.name,
    arn: qualifiedArn(catalogue.partition, machineName, input.name),
    description: input.description,
    routingConfiguration: routes,
    creationDate: now,
    updateDate: now,
  };
  catalogue.saveAlias(record);
  await catalogue.store.flush();
  return { stateMachineAliasArn: record.arn, creationDate: new Date(now) };
}

export function describeStateMachineAlias(catalogue: Catalogue, input: DescribeStateMachineAliasInput): DescribeStateMachineAliasOutput {
  const alias = catalogue.aliasOf(input.stateMachineAliasArn);
  return {
    stateMachineAliasArn: alias.arn,
    name: alias.name,
    description: alias.description,
    routingConfiguration: alias.routingConfiguration.map((route) => ({ ...route })),
    creationDate: new Date(alias.creationDate),
    updateDate: new Date(alias.updateDate),
  };
}

export async function updateStateMachineAlias(catalogue: Catalogue, input: UpdateStateMachineAliasInput): Promise<UpdateStateMachineAliasOutput> {
  const alias = catalogue.aliasOf(input.stateMachineAliasArn);
  if (input.description === undefined && input.routingConfiguration === undefined) {
    throw apiError('ValidationException', 'Either the description or the routingConfiguration must be specified');
  }
  assertDescription(input.description, 'description');
  const routes = input.routingConfiguration === undefined ? alias.routingConfiguration : routingOf(catalogue, input.routingConfiguration, alias.stateMachineName).routes;
  const description = input.description ?? alias.description;
  if (description !== alias.description || !sameRoutes(routes, alias.routingConfiguration)) {
    catalogue.saveAlias({ ...alias, description, routingConfiguration: routes, updateDate: catalogue.clock.now() });
    await catalogue.store.flush();
  }
  return { updateDate: new Date(catalogue.alias(alias.stateMachineName, alias.name)!.updateDate) };
}

export async function deleteStateMachineAlias(catalogue: Catalogue, input: DeleteStateMachineAliasInput): Promise<Record<string, never>> {
  catalogue.deleteAlias(catalogue.aliasOf(input.stateMachineAliasArn));
  await catalogue.store.flush();
  return {};
}

/** A machine's aliases, or (given a version ARN) those that route to that version; newest first. */
export function listStateMachineAliases(catalogue: Catalogue, input: ListStateMachineAliasesInput): ListStateMachineAliasesOutput {
  const target = parseStateMachineTarget(catalogue.partition, input.stateMachineArn);
  if (target.alias !== undefined) throw apiError('InvalidArn', `Invalid Arn: '${input.stateMachineArn}': expected a state machine or version ARN`);
  catalogue.machineNamed(target.name, input.stateMachineArn);
  let aliases = catalogue.aliases(target.name);
  if (target.version !== undefined) {
    const version = catalogue.versionOf(input.stateMachineArn, 'ResourceNotFound');
    aliases = aliases.filter((alias) => alias.routingConfiguration.some((route) => route.stateMachineVersionArn === version.arn));
  }
  aliases.sort((a, b) => b.creationDate - a.creationDate || a.name.localeCompare(b.name));
  const { page, nextToken } = paginate(aliases, input.maxResults, input.nextToken);
  return { stateMachineAliases: page.map((alias) => ({ stateMachineAliasArn: alias.arn, creationDate: new Date(alias.creationDate) })), nextToken };
}

/** Checks a routing configuration: 1 or 2 distinct, existing versions of one machine, whole weights summing to 100. */
function routingOf(catalogue: Catalogue, routing: unknown, machineName?: string): { machineName: string; routes: RoutingEntry[] } {
  if (!Array.isArray(routing) || routing.length < 1 || routing.length > 2) {
    throw apiError('ValidationException', 'routingConfiguration must list 1 or 2 state machine versions');
  }
  const routes: RoutingEntry[] = [];
  let owner = machineName;
  for (const entry of routing as Partial<RoutingEntry>[]) {
    const weight = entry?.weight;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw apiError('ValidationException', `Invalid weight ${JSON.stringify(weight)}: each weight must be an integer from 0 to 100`);
    }
    const target = parseStateMachineTarget(catalogue.partition, entry.stateMachineVersionArn);
    if (target.version === undefined) throw apiError('ValidationException', `Invalid version ARN '${String(entry.stateMachineVersionArn)}': an alias routes to versions only`);
    if (owner !== undefined && target.name !== owner) {
      throw apiError('ValidationException', `Version '${String(entry.stateMachineVersionArn)}' belongs to another state machine: every version of an alias must belong to ${owner}`);
    }
    owner = target.name;
    const version = catalogue.versionOf(entry.stateMachineVersionArn, 'ResourceNotFound');
    if (routes.some((route) => route.stateMachineVersionArn === version.arn)) {
      throw apiError('ValidationException', `Version '${version.arn}' appears twice in routingConfiguration`);
    }
    routes.push({ stateMachineVersionArn: version.arn, weight });
  }
  const total = routes.reduce((sum, route) => sum + route.weight, 0);
  if (total !== 100) throw apiError('ValidationException', `The weights in routingConfiguration must add up to 100, not ${total}`);
  return { machineName: owner!, routes };
}

const sameRoutes = (a: RoutingEntry[], b: RoutingEntry[]) =>
  a.length === b.length && a.every((route, i) => route.stateMachineVersionArn === b[i].stateMachineVersionArn && route.weight === b[i].weight);
