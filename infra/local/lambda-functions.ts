import * as path from 'node:path';
import { commonEnv } from '../../functions/lib/config';
import { repositoryRoot } from '../function-defaults';
import { routes } from '../routes';
import { tables, type TableName } from '../tables';
import { handlers, type HandlerName, type HandlerSpec } from '../wiring';
import type { LocalFunctionDeployment } from './cloud-assembly';
import { localAccessKeyId } from './iam';
import { LambdaFunction } from './lambda-runner';

/** The account and region every local ARN uses. */
export const localIdentity = { region: 'us-east-1', accountId: '123456789012' } as const;

export function localTableNames(): Record<TableName, string> {
  const names = {} as Record<TableName, string>;
  for (const name of Object.keys(tables) as TableName[]) names[name] = `cake-shop-${name}`;
  return names;
}

export function localFunctionName(name: HandlerName): string {
  return `cake-shop-${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

export interface ServiceEndpoints {
  dynamodb: string;
  stepFunctions: string;
  email: string;
  secretsManager: string;
  /** For handlers that put events; none of the workflow's tasks does, the workflow publishes itself. */
  eventBridge?: string;
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
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    ...(endpoints.eventBridge === undefined ? {} : { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge }),
  };
}

export interface LocalFunctionsOptions {
  /** Each function's environment, timeout and memory, from the synthesized stack (cloud-assembly.ts). */
  deployment: Record<HandlerName, Pick<LocalFunctionDeployment, 'environment' | 'timeoutSeconds' | 'memorySizeMb'>>;
  endpoints: ServiceEndpoints;
  /** Each function's bundle goes to `<codeRoot>/<function name>/index.js`. */
  codeRoot: string;
  /** The local ops console, which the handlers flagged linksToOpsConsole in infra/wiring.ts link to. */
  opsConsoleUrl?: string;
  /** Invocations in flight per function before Lambda throttles; see defaultConcurrency. */
  concurrency?: number;
  idleSeconds?: number;
  /** Counts every function's invocations and throttles, e.g. for the stack's usage meter. */
  meter?: { lambdaInvoked(durationMs: number, memorySizeMb: number): void; lambdaThrottled(): void };
}

/**
 * One LambdaFunction per handler of infra/wiring.ts, as the synthesized stack defines it. Each runs in sandboxes of
 * its own with exactly the environment CDK gives it, plus the SDK's local endpoints and its own credentials, so a
 * handler that reads a variable it was never given fails here as it would on AWS.
 */
export function createLambdaFunctions(options: LocalFunctionsOptions): Record<HandlerName, LambdaFunction> {
  const functions = {} as Record<HandlerName, LambdaFunction>;
  const { meter } = options;
  for (const [name, spec] of Object.entries(handlers) as [HandlerName, HandlerSpec][]) {
    const functionName = localFunctionName(name);
    const { environment, timeoutSeconds, memorySizeMb } = options.deployment[name];
    functions[name] = new LambdaFunction({
      functionName,
      entry: path.join(repositoryRoot, spec.entry),
      timeoutSeconds,
      memorySizeMb,
      region: localIdentity.region,
      accountId: localIdentity.accountId,
      environment: {
        ...sdkEnvironment(options.endpoints),
        AWS_ACCESS_KEY_ID: localAccessKeyId(functionName),
        ...environment,
        ...('linksToOpsConsole' in spec && options.opsConsoleUrl ? { [commonEnv.opsConsoleUrl]: options.opsConsoleUrl } : {}),
      },
      codeDirectory: path.join(options.codeRoot, functionName),
      concurrency: options.concurrency,
      background: !routes.some((route) => route.handler === name),
      idleSeconds: options.idleSeconds,
      observer: meter && {
        invoked: (durationMs) => meter.lambdaInvoked(durationMs, memorySizeMb),
        throttled: () => meter.lambdaThrottled(),
      },
    });
  }
  return functions;
}
