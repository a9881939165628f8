import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import NodeEvaluator = require('cfn-resolver-lib');
import { CakeShopStack } from '../cake-shop-stack';
import type { Route } from '../routes';
import { repositoryRoot } from '../function-defaults';
import type { Settings } from '../settings';
import type { TableName } from '../tables';
import { handlers, type HandlerName } from '../wiring';
import type { PolicyDocument } from './iam';
import type { LocalSecretSpec } from './secrets-manager';

/** The local names that stand in for what CloudFormation would create. */
export interface LocalNames {
  region: string;
  accountId: string;
  tableNames: Record<TableName, string>;
  functionArns: Record<HandlerName, string>;
  stateMachineArn: string;
  webhookSecretArn: string;
  publicBaseUrl: string;
}

/** A role of the synthesized stack, with the policies CloudFormation would attach to it, resolved to local names. */
export interface LocalRole {
  roleArn: string;
  policies: PolicyDocument[];
}

/** One function as the template defines it. */
export interface LocalFunctionDeployment {
  role: LocalRole;
  /** Its configured variables, every Ref and GetAtt resolved to the local resources. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySizeMb: number;
}

/** What `npx cdk deploy` would create, as the local stack runs it. */
/** The HTTP API's CORS configuration as API Gateway applies it (`CorsConfiguration` of AWS::ApiGatewayV2::Api). */
export interface LocalCors {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  maxAgeSeconds?: number;
}

/** A rule of the template on an event bus, with its targets. */
export interface LocalEventRule {
  /** The rule's logical id: CloudFormation would name it after the stack and this id. */
  name: string;
  eventPattern: string;
  state: 'ENABLED' | 'DISABLED';
  targets: { id: string; arn: string; retryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number }; deadLetterArn?: string }[];
}

/** An event bus of the template, with the archives that keep its events and the rules that route them. */
export interface LocalEventBus {
  name: string;
  arn: string;
  archives: { name: string; eventPattern?: string; retentionDays?: number }[];
  rules: LocalEventRule[];
}

export interface LocalDeployment {
  functions: Record<HandlerName, LocalFunctionDeployment>;
  /** Each route of the HTTP API with the function its integration invokes, and CORS when configured. */
  api: { routes: Route[]; cors?: LocalCors };
  /** The secrets CloudFormation would generate, as their GenerateSecretString says. */
  secrets: LocalSecretSpec[];
  eventBuses: LocalEventBus[];
  stateMachine: {
    role: LocalRole;
    /** The definition with its substitutions made, as CloudFormation makes them. */
    definition: string;
  };
}

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

/**
 * The CakeShop stack as `npx cdk deploy` would create it, read from the stack synthesized in this process
 * (without bundling, which the local sandboxes do on their own): each function's environment, timeout, memory and
 * role, and the state machine's definition and role, with every Ref and GetAtt resolved to the local resources.
 * The two targets cannot drift: a variable or a grant missing from infra/ is missing here too. The email identity is
 * the local sender's; the local email service delivers to any address, as an account with SES production access does.
 */
export function localDeployment(settings: Settings, names: LocalNames): LocalDeployment {
  // Synthesizing takes seconds; the result depends only on infra/, the workflow and the inputs, so it is kept
  // between starts under a hash of those. The shop's URL is left out of the hash, since every stack on other
  // ports would otherwise synthesize afresh: it is synthesized as a placeholder and put in on the way out.
  const placeheld = { ...names, publicBaseUrl: publicBaseUrlPlaceholder };
  const cacheDir = path.join(repositoryRoot, 'node_modules', '.cache', 'cake-shop-local');
  const cacheFile = path.join(cacheDir, `deployment-${inputsHash(settings, placeheld)}.json`);
  let kept = fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile, 'utf8') : undefined;
  if (kept === undefined) {
    kept = JSON.stringify(synthesize(settings, placeheld));
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(`${cacheFile}.${process.pid}`, kept);
    fs.renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    pruneCache(cacheDir);
  }
  return JSON.parse(kept.replaceAll(publicBaseUrlPlaceholder, names.publicBaseUrl)) as LocalDeployment;
}

const publicBaseUrlPlaceholder = 'https://public-base-url.cake-shop.invalid';

/** Keeps the newest synthesized deployments, so the cache does not grow with every change to infra/. */
function pruneCache(cacheDir: string, keep = 20): void {
  const entries = fs
    .readdirSync(cacheDir)
    .filter((name) => /^deployment-[0-9a-f]+\.json$/.test(name))
    .map((name) => ({ file: path.join(cacheDir, name), modified: fs.statSync(path.join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.modified - a.modified);
  for (const { file } of entries.slice(keep)) fs.rmSync(file, { force: true });
}

/** What the synthesized stack depends on: the CDK app's sources (not the local target's), the workflow and the inputs. */
function inputsHash(settings: Settings, names: LocalNames): string {
  const hash = createHash('sha256').update(JSON.stringify({ settings, names }));
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return file === path.join(repositoryRoot, 'infra', 'local') ? [] : files(file);
      return [file];
    });
  // This file too: what it reads from the template is part of what is kept.
  const sources = [
    ...files(path.join(repositoryRoot, 'infra')),
    ...files(path.join(repositoryRoot, 'statemachines')),
    ...['functions/lib/config.ts', 'package-lock.json', 'infra/local/cloud-assembly.ts'].map((file) => path.join(repositoryRoot, file)),
  ];
  for (const file of sources.sort()) hash.update(file).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function synthesize(settings: Settings, names: LocalNames): LocalDeployment {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CakeShopStack(app, 'CakeShop', {
    env: { account: names.accountId, region: names.region },
    settings,
    email: { account: 'production', senderIdentity: 'existing', testCustomerEmails: [] },
    verifyEmailAddresses: false,
  });
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  const id = (construct: Construct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

  const refs: Record<string, string> = {
    'AWS::Region': names.region,
    'AWS::AccountId': names.accountId,
    'AWS::Partition': 'aws',
    [id(stack.workflow.stateMachine)]: names.stateMachineArn,
    [id(stack.webhookSecret)]: names.webhookSecretArn,
    [id(stack.email.configurationSet)]: 'cake-shop-local',
  };
  const attributes: Record<string, Record<string, string>> = {
    [id(stack.api.httpApi)]: { ApiEndpoint: names.publicBaseUrl },
  };
  for (const [name, table] of Object.entries(stack.tables) as [TableName, Construct & { tableArn: string }][]) {
    refs[id(table)] = names.tableNames[name];
    attributes[id(table)] = { Arn: `arn:aws:dynamodb:${names.region}:${names.accountId}:table/${names.tableNames[name]}` };
  }
  for (const name of Object.keys(handlers) as HandlerName[]) {
    const fn = stack.functions[name];
    refs[id(fn)] = names.functionArns[name].split(':').pop() as string;
    attributes[id(fn)] = { Arn: names.functionArns[name] };
    const role = fn.role as Construct;
    attributes[id(role)] = { Arn: roleArn(names, id(role)) };
  }
  const busName = stack.orderEvents.bus.node.defaultChild as CfnElement & { name: string };
  const busArn = (name: string) => `arn:aws:events:${names.region}:${names.accountId}:event-bus/${name}`;
  refs[id(stack.orderEvents.bus)] = busName.name;
  attributes[id(stack.orderEvents.bus)] = { Arn: busArn(busName.name), Name: busName.name };
  // The subscriptions' dead-letter queues have no local twin: undeliverable events go to the local dead-letter store.
  for (const subscription of [stack.salesView, stack.orderStuck]) {
    attributes[id(subscription.deadLetterQueue)] = { Arn: `arn:aws:sqs:${names.region}:${names.accountId}:${id(subscription.deadLetterQueue)}` };
  }
  const workflowRole = stack.workflow.stateMachine.role as Construct;
  attributes[id(workflowRole)] = { Arn: roleArn(names, id(workflowRole)) };

  // Only what the local stack runs is resolved: the rest of the template names things (log groups, alarms) with no
  // local twin.
  const wanted: Record<string, readonly string[]> = {
    'AWS::IAM::Policy': ['PolicyDocument', 'Roles'],
    'AWS::Lambda::Function': ['Environment', 'Timeout', 'MemorySize'],
    'AWS::StepFunctions::StateMachine': ['DefinitionString', 'DefinitionSubstitutions'],
    'AWS::SecretsManager::Secret': ['Description', 'GenerateSecretString'],
    'AWS::ApiGatewayV2::Api': ['CorsConfiguration'],
    'AWS::ApiGatewayV2::Route': ['RouteKey', 'Target'],
    'AWS::ApiGatewayV2::Integration': ['IntegrationUri'],
    'AWS::Events::EventBus': ['Name'],
    'AWS::Events::Archive': ['SourceArn', 'EventPattern', 'RetentionDays'],
    'AWS::Events::Rule': ['EventBusName', 'EventPattern', 'State', 'Targets'],
  };
  const picked: Record<string, Resource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const keep = wanted[resource.Type];
    if (!keep) continue;
    const properties = Object.fromEntries(keep.map((key) => [key, resource.Properties[key]]));
    if (properties.EventPattern !== undefined) properties.EventPattern = pinned(properties.EventPattern);
    picked[logicalId] = { Type: resource.Type, Properties: properties };
  }
  const resolved = (new NodeEvaluator({ Parameters: {}, Resources: picked }, { RefResolvers: refs, 'Fn::GetAttResolvers': attributes }).evaluateNodes() as Template).Resources;
  const eventPatternOf = (resourceId: string) => {
    const pattern = resolved[resourceId].Properties.EventPattern;
    return pattern === undefined ? undefined : JSON.stringify(unpinned(pattern));
  };

  const roleOf = (roleId: string): LocalRole => ({
    roleArn: roleArn(names, roleId),
    policies: Object.entries(picked)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy' && (resource.Properties.Roles as { Ref?: string }[]).some((role) => role.Ref === roleId))
      .map(([policyId]) => resolved[policyId].Properties.PolicyDocument as PolicyDocument),
  });
  const functions = {} as Record<HandlerName, LocalFunctionDeployment>;
  for (const name of Object.keys(handlers) as HandlerName[]) {
    const fn = stack.functions[name];
    const properties = resolved[id(fn)].Properties as { Environment?: { Variables?: Record<string, string> }; Timeout: number; MemorySize: number };
    functions[name] = {
      role: roleOf(id(fn.role as Construct)),
      environment: properties.Environment?.Variables ?? {},
      timeoutSeconds: properties.Timeout,
      memorySizeMb: properties.MemorySize,
    };
  }
  const machine = resolved[id(stack.workflow.stateMachine)].Properties as { DefinitionString: string; DefinitionSubstitutions?: Record<string, string | number> };
  const substitutions = machine.DefinitionSubstitutions ?? {};
  const definition = machine.DefinitionString.replace(/\$\{([\w]+)\}/g, (placeholder, key: string) => (key in substitutions ? String(substitutions[key]) : placeholder));
  const secret = resolved[id(stack.webhookSecret)].Properties as { Description?: string; GenerateSecretString: { PasswordLength?: number; ExcludePunctuation?: boolean } };
  const secrets = [
    {
      arn: names.webhookSecretArn,
      description: secret.Description,
      // Secrets Manager's defaults when the template leaves them out.
      passwordLength: secret.GenerateSecretString.PasswordLength ?? 32,
      excludePunctuation: secret.GenerateSecretString.ExcludePunctuation ?? false,
    },
  ];
  // The template's buses, and the default bus every account has, where AWS services such as Step Functions send.
  const busNames = [
    'default',
    ...Object.values(resolved)
      .filter((resource) => resource.Type === 'AWS::Events::EventBus')
      .map(({ Properties }) => Properties.Name as string),
  ];
  const eventBuses = busNames
    .map((name): LocalEventBus => {
      const archives = Object.entries(resolved)
        .filter(([, resource]) => resource.Type === 'AWS::Events::Archive' && resource.Properties.SourceArn === busArn(name))
        .map(([archiveId, { Properties: archive }]) => ({ name: archiveId, eventPattern: eventPatternOf(archiveId), retentionDays: archive.RetentionDays as number | undefined }));
      type RuleTarget = { Id: string; Arn: string; RetryPolicy?: LocalEventRule['targets'][number]['retryPolicy']; DeadLetterConfig?: { Arn?: string } };
      const rules = Object.entries(resolved)
        .filter(([, resource]) => resource.Type === 'AWS::Events::Rule' && (resource.Properties.EventBusName ?? 'default') === name)
        .map(([ruleId, { Properties: rule }]): LocalEventRule => ({
          name: ruleId.slice(0, 64),
          eventPattern: eventPatternOf(ruleId) as string,
          state: rule.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
          targets: ((rule.Targets ?? []) as RuleTarget[]).map((target) => ({
            id: target.Id,
            arn: target.Arn,
            retryPolicy: target.RetryPolicy,
            deadLetterArn: target.DeadLetterConfig?.Arn,
          })),
        }));
      return { name, arn: busArn(name), archives, rules };
    })
    .filter((bus) => bus.name !== 'default' || bus.rules.length > 0);
  return { functions, api: localApi(picked, resolved, names), secrets, eventBuses, stateMachine: { role: roleOf(id(workflowRole)), definition } };
}

// cfn-resolver-lib reads an object whose one key holds an array, like {"source": [...]}, as if it were an intrinsic
// function and replaces it by the array; an event pattern is full of them. Each of its objects gets a second key for
// the resolution, then loses it.
const pin = '__cake-shop-local-pin';
const pinned = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(pinned) : typeof value === 'object' && value !== null && !isIntrinsic(value) ? { ...mapValues(value, pinned), [pin]: true } : value;
const unpinned = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(unpinned)
    : typeof value === 'object' && value !== null
      ? mapValues(Object.fromEntries(Object.entries(value).filter(([key]) => key !== pin)), unpinned)
      : value;
const isIntrinsic = (value: object) => Object.keys(value).length === 1 && /^(Ref|Fn::\w+)$/.test(Object.keys(value)[0]);
const mapValues = (value: object, fn: (item: unknown) => unknown) => Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fn(item)]));

/** The routes and CORS of the template's HTTP API, each route's integration traced to the handler it invokes. */
function localApi(picked: Record<string, Resource>, resolved: Record<string, Resource>, names: LocalNames): LocalDeployment['api'] {
  const handlerOf = Object.fromEntries(Object.entries(names.functionArns).map(([handler, arn]) => [arn, handler as HandlerName]));
  const routes = Object.entries(picked)
    .filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map(([routeId]): Route => {
      const { RouteKey, Target } = resolved[routeId].Properties as { RouteKey: string; Target: string };
      const integrationId = ((picked[routeId].Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1]).Ref;
      const functionArn = resolved[integrationId].Properties.IntegrationUri as string;
      const [method, path] = RouteKey.split(' ');
      if (!Target.startsWith('integrations/') || !handlerOf[functionArn]) throw new Error(`Route ${RouteKey} invokes no function of the shop`);
      return { method: method as Route['method'], path, handler: handlerOf[functionArn] };
    });
  const api = Object.values(resolved).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Api');
  const cors = api?.Properties.CorsConfiguration as { AllowOrigins?: string[]; AllowMethods?: string[]; AllowHeaders?: string[]; MaxAge?: number } | undefined;
  return {
    routes,
    cors: cors && {
      allowOrigins: cors.AllowOrigins ?? [],
      allowMethods: cors.AllowMethods ?? [],
      allowHeaders: cors.AllowHeaders ?? [],
      maxAgeSeconds: cors.MaxAge,
    },
  };
}

/** As CloudFormation names a role it creates: the stack, then the logical id, within IAM's 64 characters. */
function roleArn(names: LocalNames, roleLogicalId: string): string {
  return `arn:aws:iam::${names.accountId}:role/${`CakeShop-${roleLogicalId}`.slice(0, 64)}`;
}
