import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { repositoryRoot } from '../function-defaults';
import { LambdaServiceException } from './engine';
import { installBundle } from './lambda-bundles';
import { functionArn, type ContextConfig } from './lambda-context';
import { Sandbox } from './lambda-sandbox';

export { functionArn, LambdaContext } from './lambda-context';
export { LambdaTimeout, RuntimeExitError, RuntimeOutOfMemory } from './lambda-sandbox';

/**
 * How many invocations of one function may run at once unless LOCAL_LAMBDA_CONCURRENCY says otherwise: sized for
 * a 2-core machine. The handlers mostly wait on DynamoDB, email and Step Functions, which share those two cores, so
 * a few sandboxes per function keep both busy; each one more costs a cold start (~100 ms of CPU), its own JIT
 * warm-up and ~25 MB, and takes CPU from the rest. Driving 300 full order flows from 50 clients, 4 per function
 * finished 11.3 flows/s in 1.5 GB; 8 finished 10.6 flows/s in 2.3 GB. What is over the limit is throttled, and
 * retried by the workflow or the client, rather than left to queue into timeouts.
 */
export const defaultConcurrency = 4;

/** A warm sandbox nobody has used for this long is dropped, giving its memory back, as Lambda reclaims idle ones. */
export const defaultIdleSeconds = 60;

/**
 * The nice value of a background function's sandboxes. Linux then gives a busy API sandbox about nine times the CPU
 * of a busy workflow-task sandbox: 400 orders from 50 clients, back to back, `POST /order` p99 2.9 s at the same
 * priority and 0.9 s with this, at the same full-flow rate.
 */
const backgroundNiceness = 10;

/** Lambda's init phase limit for on-demand functions. */
const initTimeoutSeconds = 10;

export interface LambdaFunctionConfig extends ContextConfig {
  /** The handler's TypeScript source; it is bundled as NodejsFunction bundles it, and its `handler` export invoked. */
  entry: string;
  /** The variables the function is configured with, as CDK sets them; Lambda's own (AWS_LAMBDA_*) are added here. */
  environment: Record<string, string>;
  /** Where the function's bundle is written: its /var/task. */
  codeDirectory: string;
  /** Invocations in flight at once; one more is throttled. */
  concurrency?: number;
  /**
   * Only workflow tasks invoke it, never a waiting HTTP client: its sandboxes run at a lower CPU priority, so on a
   * busy machine the API's functions are served first. Scheduling only; Lambda's behaviour is the same.
   */
  background?: boolean;
  idleSeconds?: number;
  /** Told of each invocation's billed work and of each throttle, as Lambda's metrics would count them. */
  observer?: InvocationObserver;
}

export interface InvokeOptions {
  /** How long to wait for a free slot when the function is at its limit before throttling; 0 throttles at once. */
  waitForSandboxMs?: number;
}

export interface InvocationObserver {
  /** An invocation ran in a sandbox for `durationMs`, whatever its outcome; the cold start is not counted. */
  invoked(durationMs: number): void;
  throttled(): void;
}

/**
 * What Lambda answers when a function is at its concurrency limit. The handler never ran. Step Functions sees
 * `Lambda.TooManyRequestsException`; the API Gateway emulator answers 503 with Retry-After.
 */
export class TooManyRequestsException extends LambdaServiceException {
  readonly reason = 'ReservedFunctionConcurrentInvocationLimitExceeded';
  readonly retryAfterSeconds = 1;

  constructor(readonly functionName: string, readonly concurrency: number) {
    super('TooManyRequestsException', 'Rate Exceeded.', 429);
  }
}

/**
 * One Lambda function, as a pool of sandboxes (serverless-offline's LambdaFunctionPool, per function). Each
 * sandbox is a worker thread that loads the function's bundle once and serves one invocation at a time, as a
 * Lambda execution environment does; the handlers keep per-invocation state at module scope (the Logger's keys,
 * the context registered for idempotency), and each sandbox has its own copy of every module. Warm sandboxes are
 * reused and dropped after `idleSeconds` unused; when `concurrency` invocations are in flight, the next is
 * throttled at once instead of queueing towards its timeout.
 */
export class LambdaFunction {
  readonly arn: string;
  readonly concurrency: number;
  #idle: Sandbox[] = [];
  #busy = new Set<Sandbox>();
  /** Invocations holding a slot, cold starts included. */
  #inFlight = 0;
  /** Callers waiting for a slot (InvokeOptions.waitForSandboxMs), first come first served. */
  #waiting: { grant: () => void; refuse: (error: Error) => void }[] = [];
  #idleTimers = new Map<Sandbox, NodeJS.Timeout>();
  #handlerFile: Promise<string> | undefined;
  #closed = false;

  constructor(readonly config: LambdaFunctionConfig) {
    this.arn = functionArn(config);
    this.concurrency = config.concurrency ?? defaultConcurrency;
  }

  /** A fault for tests: kills one sandbox mid-invocation, if one is busy. Resolves whether there was one. */
  async killBusySandbox(): Promise<boolean> {
    const [sandbox] = this.#busy;
    if (!sandbox) return false;
    await sandbox.kill();
    return true;
  }

  /** Sandboxes alive now, warm or busy. */
  get sandboxes(): number {
    return this.#idle.length + this.#busy.size;
  }

  /**
   * Bundles the handler and cold-starts a sandbox unless one is warm, so a broken handler fails at start-up with
   * its own message and not at first use.
   */
  async load(): Promise<void> {
    if (this.#idle.length > 0) return;
    this.#inFlight += 1;
    try {
      this.#park(await this.#coldStart());
    } finally {
      this.#release();
    }
  }

  /**
   * Runs the handler in a warm sandbox, or a new one while below the concurrency limit. At the limit it throws
   * TooManyRequestsException at once, as Lambda does, unless `waitForSandboxMs` lets the caller wait that long for
   * a slot first (the API Gateway emulator's front door; see local-stack.ts). The handler's timeout starts only
   * once a sandbox has the event. Errors the handler throws come back with their own name, as Step Functions sees
   * them; a sandbox that died or timed out is never offered again.
   */
  async invoke(event: unknown, requestId: string = randomUUID(), options: InvokeOptions = {}): Promise<unknown> {
    if (this.#closed) throw new Error(`${this.config.functionName} has been closed`);
    await this.#acquire(options.waitForSandboxMs ?? 0);
    try {
      const sandbox = this.#takeIdle() ?? (await this.#coldStart());
      this.#busy.add(sandbox);
      const startedAt = performance.now();
      try {
        const result = await sandbox.invoke(requestId, JSON.stringify(event === undefined ? null : event), this.config.timeoutSeconds);
        return result === undefined ? null : JSON.parse(result);
      } finally {
        this.config.observer?.invoked(performance.now() - startedAt);
        this.#busy.delete(sandbox);
        if (!sandbox.ended) this.#park(sandbox);
      }
    } finally {
      this.#release();
    }
  }

  /** Terminates every sandbox, busy ones too: their invocations fail with Runtime.ExitError. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.refuse(new Error(`${this.config.functionName} has been closed`));
    for (const timer of this.#idleTimers.values()) clearTimeout(timer);
    this.#idleTimers.clear();
    const all = [...this.#idle, ...this.#busy];
    this.#idle = [];
    await Promise.all(all.map((sandbox) => sandbox.terminate()));
  }

  /** Takes a slot, waiting up to `waitMs` for one when all are in flight, or throws Lambda's throttle. */
  async #acquire(waitMs: number): Promise<void> {
    if (this.#inFlight < this.concurrency) {
      this.#inFlight += 1;
      return;
    }
    const throttle = () => {
      this.config.observer?.throttled();
      return new TooManyRequestsException(this.config.functionName, this.concurrency);
    };
    if (waitMs <= 0) throw throttle();
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
        refuse: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((other) => other !== waiter);
        reject(throttle());
      }, waitMs);
      this.#waiting.push(waiter);
    });
  }

  /** A finished invocation hands its slot straight to the longest waiter, so a throttled one cannot overtake it. */
  #release(): void {
    const next = this.#closed ? undefined : this.#waiting.shift();
    if (next) next.grant();
    else this.#inFlight -= 1;
  }

  #takeIdle(): Sandbox | undefined {
    const sandbox = this.#idle.pop();
    if (sandbox) {
      clearTimeout(this.#idleTimers.get(sandbox));
      this.#idleTimers.delete(sandbox);
    }
    return sandbox;
  }

  #park(sandbox: Sandbox): void {
    if (this.#closed) {
      void sandbox.terminate();
      return;
    }
    this.#idle.push(sandbox);
    const timer = setTimeout(() => this.#drop(sandbox), (this.config.idleSeconds ?? defaultIdleSeconds) * 1000);
    timer.unref();
    this.#idleTimers.set(sandbox, timer);
  }

  #drop(sandbox: Sandbox): void {
    clearTimeout(this.#idleTimers.get(sandbox));
    this.#idleTimers.delete(sandbox);
    this.#idle = this.#idle.filter((idle) => idle !== sandbox);
    void sandbox.terminate();
  }

  async #coldStart(): Promise<Sandbox> {
    const { functionName, timeoutSeconds, memorySizeMb, region, accountId } = this.config;
    const sandbox = await Sandbox.start({
      data: {
        handlerFile: await this.#bundle(),
        context: { functionName, timeoutSeconds, memorySizeMb, region, accountId },
        niceness: this.config.background ? backgroundNiceness : 0,
      },
      env: this.#environment(),
      memorySizeMb,
      initTimeoutSeconds,
    });
    // A sandbox that dies while warm (a late uncaught error) leaves the pool at once.
    sandbox.onEnd = () => {
      if (this.#idle.includes(sandbox)) this.#drop(sandbox);
    };
    return sandbox;
  }

  /**
   * The function's environment as Lambda assembles it: its configured variables, then the reserved ones the
   * runtime sets. NODE_PATH is where Lambda's runtime keeps the AWS SDK, which the bundles leave out. The
   * sandbox stands in for the Node 22 runtime, where the SDK has no Node-version warning to give.
   */
  #environment(): Record<string, string> {
    const { functionName, memorySizeMb, codeDirectory } = this.config;
    return {
      ...this.config.environment,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      LAMBDA_TASK_ROOT: codeDirectory,
      NODE_PATH: path.join(repositoryRoot, 'node_modules'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  /** The handler's bundle in its code directory, installed once per pool (lambda-bundles.ts). */
  #bundle(): Promise<string> {
    this.#handlerFile ??= installBundle(this.config.entry, this.config.codeDirectory).catch((error: Error) => {
      this.#handlerFile = undefined;
      throw new Error(`Bundling ${path.relative(repositoryRoot, this.config.entry)} failed: ${error.message}`);
    });
    return this.#handlerFile;
  }
}
