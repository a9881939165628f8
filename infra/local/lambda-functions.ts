import * as path from 'node:path';
import { functionDefaults, powertoolsServiceName, repositoryRoot } from '../function-defaults';
import { commonEnv } from '../../functions/lib/config';
import { settings as settingSpecs, settingsEnvironment, type Settings } from '../settings';
import { tables, type TableName } from '../tables';
import { handlers, type Access, type HandlerName, type HandlerSpec } from '../wiring';
import { localAccessKeyId } from './iam';
import { LambdaFunction } from './lambda-runner';

/** The account and region every local ARN uses. */
export const localIdentity = { region: 'us-east-1', accountId: '123456789012' } as const;

/** The local resources that stand in for what CDK creates, by the names the handlers' variables carry. */
export interface LocalResources {
  tableNames: Record<TableName, string>;
  stateMachineArn: string;
  publicBaseUrl: string;
  webhookSecretArn: string;
  settings: Settings;
}

export function localTableNames(): Record<TableName, string> {
  const names = {} as Record<TableName, string>;
  for (const name of Object.keys(tables) as TableName[]) names[name] = `cake-shop-${name}`;
  return names;
}

export function localFunctionName(name: HandlerName): string {
  return `cake-shop-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Each access kind sets the same variable the matching `bind*` call of ShopFunction sets in CDK. */
function accessEnvironment(access: Access, resources: LocalResources): Record<string, string> {
  switch (access) {
    case 'orders:read':
    case 'orders:write':
      return { [tables.orders.env]: resources.tableNames.orders };
    case 'idempotency':
      return { [tables.idempotency.env]: resources.tableNames.idempotency };
    case 'workflow:start':
      return { [commonEnv.stateMachineArn]: resources.stateMachineArn };
    case 'webhook:secret':
      return { [commonEnv.webhookSecretArn]: resources.webhookSecretArn };
    case 'email':
      return { [settingSpecs.senderEmail.env]: resources.settings.senderEmail };
    case 'workflow:callback':
      return {};
  }
}

/** The variables one handler gets in AWS, derived from infra/wiring.ts, infra/tables.ts and infra/settings.ts. */
export function handlerEnvironment(spec: HandlerSpec, resources: LocalResources): Record<string, string> {
  const environment: Record<string, string> = {
    POWERTOOLS_SERVICE_NAME: powertoolsServiceName,
    [commonEnv.publicBaseUrl]: resources.publicBaseUrl,
  };
  for (const access of spec.access) Object.assign(environment, accessEnvironment(access, resources));
  return { ...environment, ...settingsEnvironment(resources.settings, spec.settings ?? []) };
}

export interface ServiceEndpoints {
  dynamodb: string;
  stepFunctions: string;
  email: string;
}

/**
 * How handlers reach the local services without knowing they are local: the SDK's standard per-service endpoint
 * variables, dummy credentials and a region, as a developer would set them for any AWS emulator.
 */
export function sdkEnvironment(endpoints: ServiceEndpoints): Record<string, string> {
  return {
    AWS_REGION: localIdentity.region,
    AWS_DEFAULT_REGION: localIdentity.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
    AWS_ENDPOINT_URL_SESV2: endpoints.email,
  };
}

export interface LocalFunctionsOptions {
  resources: LocalResources;
  endpoints: ServiceEndpoints;
  /** Each function's bundle goes to `<codeRoot>/<function name>/index.js`. */
  codeRoot: string;
  /** Invocations in flight per function before Lambda throttles; see defaultConcurrency. */
  concurrency?: number;
  idleSeconds?: number;
  /** Counts every function's invocations and throttles, e.g. for the stack's usage meter. */
  meter?: { lambdaInvoked(durationMs: number, memorySizeMb: number): void; lambdaThrottled(): void };
}

/**
 * One LambdaFunction per handler of infra/wiring.ts, with the CDK defaults. Each runs in sandboxes of its own with
 * exactly the environment CDK gives it, plus the SDK's local endpoints, so a handler that reads a variable it was
 * never given fails here as it would on AWS.
 */
export function createLambdaFunctions(options: LocalFunctionsOptions): Record<HandlerName, LambdaFunction> {
  const functions = {} as Record<HandlerName, LambdaFunction>;
  const { meter } = options;
  for (const [name, spec] of Object.entries(handlers) as [HandlerName, HandlerSpec][]) {
    const functionName = localFunctionName(name);
    functions[name] = new LambdaFunction({
      functionName,
      entry: path.join(repositoryRoot, spec.entry),
      timeoutSeconds: spec.timeoutSeconds ?? functionDefaults.timeoutSeconds,
      memorySizeMb: functionDefaults.memorySizeMb,
      region: localIdentity.region,
      accountId: localIdentity.accountId,
      environment: {
        ...sdkEnvironment(options.endpoints),
        AWS_ACCESS_KEY_ID: localAccessKeyId(functionName),
        ...handlerEnvironment(spec, options.resources),
      },
      codeDirectory: path.join(options.codeRoot, functionName),
      concurrency: options.concurrency,
      idleSeconds: options.idleSeconds,
      observer: meter && {
        invoked: (durationMs) => meter.lambdaInvoked(durationMs, functionDefaults.memorySizeMb),
        throttled: () => meter.lambdaThrottled(),
      },
    });
  }
  return functions;
}
