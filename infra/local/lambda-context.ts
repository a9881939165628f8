/**
 * What both sides of a Lambda sandbox share: the context a handler receives and the messages between the pool,
 * on the stack's thread, and the runtime inside the sandbox's worker thread. Nothing here may import more than
 * types, since this module is bundled into the sandbox runtime.
 */
import type { Context } from 'aws-lambda';

/** The function settings a handler's context reports. */
export interface ContextConfig {
  functionName: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  region: string;
  accountId: string;
}

export function functionArn(config: Pick<ContextConfig, 'functionName' | 'region' | 'accountId'>): string {
  return `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.functionName}`;
}

/** The second argument a handler receives, with the fields Powertools and our handlers read. */
export class LambdaContext implements Context {
  readonly callbackWaitsForEmptyEventLoop = true;
  readonly functionName: string;
  readonly functionVersion = '$LATEST';
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly #deadline: number;

  constructor(config: ContextConfig, awsRequestId: string, startedAt: number) {
    this.functionName = config.functionName;
    this.invokedFunctionArn = functionArn(config);
    this.memoryLimitInMB = String(config.memorySizeMb);
    this.awsRequestId = awsRequestId;
    this.logGroupName = `/aws/lambda/${config.functionName}`;
    this.logStreamName = `${new Date(startedAt).toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${awsRequestId.replace(/-/g, '')}`;
    this.#deadline = startedAt + config.timeoutSeconds * 1000;
  }

  getRemainingTimeInMillis(): number {
    return Math.max(0, this.#deadline - Date.now());
  }

  // The callback-era methods are part of the Context type; async handlers never call them.
  done(): void {
    throw new Error('context.done is not supported: return a promise from the handler');
  }

  fail(): void {
    throw new Error('context.fail is not supported: throw from the handler');
  }

  succeed(): void {
    throw new Error('context.succeed is not supported: return from the handler');
  }
}

/** An error as the Lambda runtime reports it over its API: the handler's error name is the `errorType`. */
export interface RuntimeError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export function toRuntimeError(thrown: unknown): RuntimeError {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  return { errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
}

/** What the sandbox is started with, besides its environment. */
export interface SandboxData {
  /** The bundled handler module, as Lambda unpacks it into /var/task. */
  handlerFile: string;
  context: ContextConfig;
  /** The Linux nice value of the sandbox's thread; see LambdaFunctionConfig.background. */
  niceness: number;
}

/** Pool to sandbox: run one invocation. The payload travels as JSON text, as it does to a Lambda sandbox. */
export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  payload: string;
}

/** Sandbox to pool. `fatal` errors end the sandbox: the runtime exits right after reporting them, as Lambda's does. */
export type SandboxMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: RuntimeError }
  | { type: 'result'; requestId: string; payload: string | undefined }
  | { type: 'error'; requestId: string; error: RuntimeError; fatal: boolean }
  | { type: 'warning'; name: string; message: string };
