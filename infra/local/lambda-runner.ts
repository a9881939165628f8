import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Context, Handler } from 'aws-lambda';

export interface LambdaFunctionConfig {
  functionName: string;
  /** Absolute path of the handler module; its `handler` export is invoked. */
  entry: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  region: string;
  accountId: string;
  /**
   * Modules under this directory are loaded afresh for this function, as each Lambda function has its own
   * sandbox: module-scope state in shared code (clients, idempotency stores keyed by function name) must not
   * leak between handlers that share this process.
   */
  isolatedRoot?: string;
}

/** The error Lambda reports when a handler outlives its timeout; Step Functions sees it as `Sandbox.Timedout`. */
export class LambdaTimeout extends Error {
  override name = 'Sandbox.Timedout' as const;

  constructor(requestId: string, timeoutSeconds: number) {
    super(`RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  }
}

export function functionArn(config: Pick<LambdaFunctionConfig, 'functionName' | 'region' | 'accountId'>): string {
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

  constructor(config: LambdaFunctionConfig, awsRequestId: string, startedAt: number) {
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

/**
 * Loads a module so that everything it pulls in from `isolatedRoot` is a fresh copy, then drops those copies from
 * the require cache so the next function loads its own. The environment must be complete before this runs:
 * handlers read it at module scope, as they do in a Lambda cold start.
 */
function requireIsolated(entry: string, isolatedRoot: string | undefined): Record<string, unknown> {
  const forget = () => {
    if (!isolatedRoot) return;
    const prefix = isolatedRoot.endsWith(path.sep) ? isolatedRoot : isolatedRoot + path.sep;
    for (const key of Object.keys(require.cache)) {
      if (key.startsWith(prefix)) delete require.cache[key];
    }
  };
  forget();
  // require, not import(): the ESM loader keeps its own cache, which could not be cleared between functions.
  const loaded = require(entry) as Record<string, unknown>;
  forget();
  return loaded;
}

/** As the Node.js runtime does: an async handler's promise wins; a callback handler settles through its callback. */
function runHandler(handler: Handler, payload: unknown, context: Context): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const returned = handler(payload, context, (error, result) => (error ? reject(error) : resolve(result))) as
      | PromiseLike<unknown>
      | undefined;
    if (typeof returned?.then === 'function') returned.then(resolve, reject);
  });
}

/** One Lambda function: loads its handler once (the cold start) and runs each invocation with a context and timeout. */
export class LambdaFunction {
  readonly arn: string;
  #handler: Handler | undefined;

  constructor(readonly config: LambdaFunctionConfig) {
    this.arn = functionArn(config);
  }

  /**
   * Imports the handler module. Powertools snapshots AWS_LAMBDA_FUNCTION_NAME at module scope to prefix idempotency
   * keys, so the variable names this function only while its module graph loads.
   */
  load(): Handler {
    if (this.#handler) return this.#handler;
    const previousName = process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.AWS_LAMBDA_FUNCTION_NAME = this.config.functionName;
    try {
      const loaded = requireIsolated(this.config.entry, this.config.isolatedRoot);
      if (typeof loaded.handler !== 'function') {
        throw new Error(`${this.config.entry} has no exported function named handler`);
      }
      this.#handler = loaded.handler as Handler;
      return this.#handler;
    } finally {
      if (previousName === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      else process.env.AWS_LAMBDA_FUNCTION_NAME = previousName;
    }
  }

  /**
   * Runs the handler with a JSON copy of the event, as Lambda passes the payload over the wire. Errors the
   * handler throws come back unwrapped so callers see their `name`, as Step Functions does. A handler past its
   * timeout fails the invocation; it cannot be stopped in-process, so its late result is dropped.
   */
  async invoke(event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    const handler = this.load();
    const context = new LambdaContext(this.config, requestId, Date.now());
    const payload = event === undefined ? null : JSON.parse(JSON.stringify(event));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LambdaTimeout(requestId, this.config.timeoutSeconds)), this.config.timeoutSeconds * 1000);
    });
    try {
      const result = await Promise.race([runHandler(handler, payload, context), timedOut]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } finally {
      clearTimeout(timer);
    }
  }
}
