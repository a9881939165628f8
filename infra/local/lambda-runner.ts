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
   * Modules under this directory are loaded afresh for each sandbox of this function, as each Lambda sandbox has
   * its own: module-scope state in shared code (clients, idempotency stores keyed by function name, log keys) must
   * not leak between handlers, or between invocations, that share this process.
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
 * the require cache so the next sandbox loads its own. The environment must be complete before this runs:
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

/**
 * One Lambda function. Like Lambda, it runs each invocation in a sandbox that serves one invocation at a time, and
 * cold-starts another sandbox when every one is busy: the handlers keep per-invocation state at module scope (the
 * Logger's keys, the Lambda context registered for idempotency), which concurrent invocations in one module copy
 * would overwrite. A sandbox is its own copy of the modules under `isolatedRoot`, so no invocation ever waits for
 * another, and a handler that calls the shop's API, which invokes other handlers, cannot deadlock.
 */
export class LambdaFunction {
  readonly arn: string;
  #idle: Handler[] = [];

  constructor(readonly config: LambdaFunctionConfig) {
    this.arn = functionArn(config);
  }

  /** Cold-starts a sandbox now unless one is idle, so a broken handler fails at start-up and not at first use. */
  load(): void {
    if (this.#idle.length === 0) this.#idle.push(this.#coldStart());
  }

  /**
   * Imports the handler module. Powertools snapshots AWS_LAMBDA_FUNCTION_NAME at module scope to prefix idempotency
   * keys, so the variable names this function only while its module graph loads.
   */
  #coldStart(): Handler {
    const previousName = process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.AWS_LAMBDA_FUNCTION_NAME = this.config.functionName;
    try {
      const loaded = requireIsolated(this.config.entry, this.config.isolatedRoot);
      if (typeof loaded.handler !== 'function') {
        throw new Error(`${this.config.entry} has no exported function named handler`);
      }
      return loaded.handler as Handler;
    } finally {
      if (previousName === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      else process.env.AWS_LAMBDA_FUNCTION_NAME = previousName;
    }
  }

  /**
   * Runs the handler with a JSON copy of the event, as Lambda passes the payload over the wire. Errors the
   * handler throws come back unwrapped so callers see their `name`, as Step Functions does. A handler past its
   * timeout fails the invocation; it cannot be stopped in-process, so its late result is dropped and its sandbox,
   * still busy, is never used again.
   */
  async invoke(event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    const sandbox = this.#idle.pop() ?? this.#coldStart();
    const context = new LambdaContext(this.config, requestId, Date.now());
    const payload = event === undefined ? null : JSON.parse(JSON.stringify(event));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LambdaTimeout(requestId, this.config.timeoutSeconds)), this.config.timeoutSeconds * 1000);
    });
    let result: unknown;
    try {
      result = await Promise.race([runHandler(sandbox, payload, context), timedOut]);
    } catch (error) {
      if (!(error instanceof LambdaTimeout)) this.#idle.push(sandbox);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.#idle.push(sandbox);
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  }
}
