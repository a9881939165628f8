import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RuntimeError, SandboxData, SandboxMessage } from './lambda-context';
import { workerCode } from './worker-code';

/** The error Lambda reports when a handler outlives its timeout; Step Functions sees it as `Sandbox.Timedout`. */
export class LambdaTimeout extends Error {
  override name = 'Sandbox.Timedout' as const;

  constructor(requestId: string, timeoutSeconds: number) {
    super(`RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  }
}

/** The sandbox ended mid-invocation without an answer: `process.exit` in the handler, or the runtime killed. */
export class RuntimeExitError extends Error {
  override name = 'Runtime.ExitError' as const;

  constructor(requestId: string, exitCode: number) {
    super(
      exitCode === 0
        ? `RequestId: ${requestId} Error: Runtime exited without providing a reason`
        : `RequestId: ${requestId} Error: Runtime exited with error: exit status ${exitCode}`,
    );
  }
}

/** The sandbox went over its memory size: Lambda stops the runtime and names the invocation's error so. */
export class RuntimeOutOfMemory extends Error {
  override name = 'Runtime.OutOfMemory' as const;

  constructor(requestId: string) {
    super(`RequestId: ${requestId} Error: Runtime exited with error: signal: killed`);
  }
}

const warned = new Set<string>();

/**
 * Node's process warnings from the sandboxes (a deprecation, say, that each copy of a library gives as it
 * loads), printed once per stack and not once per sandbox.
 */
function warnOnce(name: string, message: string): void {
  const key = `${name}: ${message}`;
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, name);
}

/** The handler's own error, rebuilt on this side with its name, message and stack, as Lambda reports it. */
function handlerError(error: RuntimeError): Error {
  const rebuilt = new Error(error.errorMessage);
  rebuilt.name = error.errorType;
  rebuilt.stack = error.trace.join('\n');
  return rebuilt;
}

export interface SandboxOptions {
  data: SandboxData;
  /** The whole environment of the sandbox: the worker sees this and nothing of the stack's own. */
  env: Record<string, string>;
  memorySizeMb: number;
  /** Lambda's init phase has its own limit; a handler module that hangs while loading must not hold a slot forever. */
  initTimeoutSeconds: number;
}

interface Pending {
  requestId: string;
  resolve: (payload: string | undefined) => void;
  reject: (error: Error) => void;
}

/**
 * One Lambda execution environment: a worker thread with its own event loop, module registry and environment,
 * serving one invocation at a time. A handler that busy-loops, leaks or crashes affects only its own thread; the
 * stack's thread, which runs the engine, the API and the pool, keeps answering.
 */
export class Sandbox {
  #pending: Pending | undefined;
  #ended = false;
  #exited: Promise<void>;
  /** Called once when the sandbox can serve no more invocations, so the pool stops offering it. */
  onEnd: () => void = () => undefined;

  private constructor(private readonly worker: Worker) {
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: SandboxMessage) => this.#receive(message));
    // Errors the runtime could not report itself, such as running out of heap.
    worker.on('error', (error: Error & { code?: string }) => {
      const pending = this.#pending;
      this.#end();
      if (!pending) return;
      pending.reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new RuntimeOutOfMemory(pending.requestId) : error);
    });
    worker.on('exit', (exitCode) => {
      const pending = this.#pending;
      this.#end();
      pending?.reject(new RuntimeExitError(pending.requestId, exitCode));
    });
  }

  /** Starts the worker and waits until the handler module has loaded (the cold start), or throws its init error. */
  static async start(options: SandboxOptions): Promise<Sandbox> {
    const worker = new Worker(await workerCode(path.join(__dirname, 'lambda-sandbox-runtime.ts')), {
      eval: true,
      workerData: options.data,
      env: options.env,
      // NodejsFunction ships a source map and sets --enable-source-maps, so stack traces name the TypeScript lines.
      // Warnings come to the pool as messages instead (warnOnce). A profiled stack profiles its sandboxes too.
      execArgv: ['--enable-source-maps', '--no-warnings', ...process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'))],
      resourceLimits: { maxOldGenerationSizeMb: options.memorySizeMb },
    });
    const sandbox = new Sandbox(worker);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        void sandbox.terminate();
        reject(new Error(`${options.data.handlerFile} did not finish loading within ${options.initTimeoutSeconds} seconds`));
      }, options.initTimeoutSeconds * 1000);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (message: SandboxMessage) => {
        if (message.type === 'ready') settle();
        else if (message.type === 'init-error') settle(handlerError(message.error));
      };
      const onError = (error: Error) => settle(error);
      const onExit = (exitCode: number) => settle(new Error(`The sandbox for ${options.data.handlerFile} exited while loading it (exit status ${exitCode})`));
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
    // An idle sandbox must not keep the process alive; a busy one does, as an invocation in flight should.
    worker.unref();
    return sandbox;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Runs one invocation with its payload as JSON text. The timeout counts from the moment the sandbox has the
   * event, so it covers only the handler's own running time; when it passes, the worker is terminated, so the
   * handler really stops, and only then does the invocation fail with `Sandbox.Timedout`.
   */
  invoke(requestId: string, payload: string, timeoutSeconds: number): Promise<string | undefined> {
    if (this.#ended || this.#pending) throw new Error('A sandbox serves one invocation at a time, and only while it runs');
    this.worker.ref();
    return new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        this.terminate().then(() => reject(new LambdaTimeout(requestId, timeoutSeconds)), reject);
      }, timeoutSeconds * 1000);
      const settled = () => {
        clearTimeout(timer);
        this.#pending = undefined;
        if (!this.#ended) this.worker.unref();
      };
      this.#pending = {
        requestId,
        resolve: (result) => {
          settled();
          resolve(result);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      };
      this.worker.postMessage({ type: 'invoke', requestId, payload });
    });
  }

  /**
   * Kills the runtime as a failing host would: the invocation in flight fails with Runtime.ExitError, as when the
   * handler exits, and the sandbox is never used again.
   */
  async kill(): Promise<void> {
    await this.worker.terminate();
    await this.#exited;
  }

  /** Stops the worker, whatever it is doing, and resolves once its thread has exited. */
  async terminate(): Promise<void> {
    this.#end();
    await this.worker.terminate();
    await this.#exited;
  }

  #receive(message: SandboxMessage): void {
    if (message.type === 'warning') {
      warnOnce(message.name, message.message);
      return;
    }
    const pending = this.#pending;
    if (message.type !== 'result' && message.type !== 'error') return;
    if (!pending || pending.requestId !== message.requestId) return;
    if (message.type === 'result') {
      pending.resolve(message.payload);
      return;
    }
    // The runtime exits right after a fatal error; nothing more may be sent to it.
    if (message.fatal) this.#end();
    pending.reject(handlerError(message.error));
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.onEnd();
  }
}
