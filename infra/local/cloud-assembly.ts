import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import NodeEvaluator = require('cfn-resolver-lib');
import { CakeShopStack } from '../cake-shop-stack';
import { repositoryRoot } from '../function-defaults';
import type { Settings } from '../settings';
import type { TableName } from '../tables';
import { handlers, type HandlerName } from '../wiring';
import type { PolicyDocument } from './iam';

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

export interface LocalRoles {
  functions: Record<HandlerName, LocalRole>;
  stateMachine: LocalRole;
}

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/**
 * The roles `npx cdk deploy` would create, read from the CakeShop stack synthesized in this process (without
 * bundling, which the local sandboxes do on their own): each function's role and the state machine's, with every
 * policy statement CDK's grants wrote, its Refs and GetAtts resolved to the local resources. So a grant missing from
 * infra/ is missing here too. The email identity is the local sender's; the local email service delivers to any
 * address, as an account with SES production access does.
 */
export function localRoles(settings: Settings, names: LocalNames): LocalRoles {
  // Synthesizing takes seconds; the roles depend only on infra/, the workflow and the inputs, so they are kept
  // between starts under a hash of those.
  const cacheFile = path.join(repositoryRoot, 'node_modules', '.cache', 'cake-shop-local', `roles-${inputsHash(settings, names)}.json`);
  if (fs.existsSync(cacheFile)) return JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as LocalRoles;
  const roles = synthesizeRoles(settings, names);
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  fs.writeFileSync(`${cacheFile}.${process.pid}`, JSON.stringify(roles));
  fs.renameSync(`${cacheFile}.${process.pid}`, cacheFile);
  return roles;
}

/** What the synthesized roles depend on: the CDK app's sources (not the local target's), the workflow and the inputs. */
function inputsHash(settings: Settings, names: LocalNames): string {
  const hash = createHash('sha256').update(JSON.stringify({ settings, names }));
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return file === path.join(repositoryRoot, 'infra', 'local') ? [] : files(file);
      return [file];
    });
  const sources = [...files(path.join(repositoryRoot, 'infra')), ...files(path.join(repositoryRoot, 'statemachines')), ...['functions/lib/config.ts', 'package-lock.json'].map((file) => path.join(repositoryRoot, file))];
  for (const file of sources.sort()) hash.update(file).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function synthesizeRoles(settings: Settings, names: LocalNames): LocalRoles {
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
  const workflowRole = stack.workflow.stateMachine.role as Construct;
  attributes[id(workflowRole)] = { Arn: roleArn(names, id(workflowRole)) };

  // Only the policies are resolved: the rest of the template names things (log groups, alarms) with no local twin.
  const policies = Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Policy'));
  const resolved = new NodeEvaluator({ Parameters: {}, Resources: policies }, { RefResolvers: refs, 'Fn::GetAttResolvers': attributes }).evaluateNodes() as Template;
  const roleOf = (roleId: string): LocalRole => ({
    roleArn: roleArn(names, roleId),
    policies: Object.entries(policies)
      .filter(([, resource]) => (resource.Properties.Roles as { Ref?: string }[]).some((role) => role.Ref === roleId))
      .map(([policyId]) => resolved.Resources[policyId].Properties.PolicyDocument as PolicyDocument),
  });
  const functions = {} as Record<HandlerName, LocalRole>;
  for (const name of Object.keys(handlers) as HandlerName[]) functions[name] = roleOf(id(stack.functions[name].role as Construct));
  return { functions, stateMachine: roleOf(id(workflowRole)) };
}

function roleArn(names: LocalNames, roleLogicalId: string): string {
  return `arn:aws:iam::${names.accountId}:role/CakeShop-${roleLogicalId}`.slice(0, 64 + `arn:aws:iam::${names.accountId}:role/`.length);
}
