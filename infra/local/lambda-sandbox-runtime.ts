/**
 * The Lambda runtime inside one sandbox (a worker thread), as the Node.js runtime interface client is inside a
 * Lambda execution environment: it imports the handler bundle once, with the function's environment already in
 * place, then runs one invocation at a time for as long as the pool keeps the sandbox.
 * Bundled and started by lambda-sandbox.ts; it runs nowhere else.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Handler } from 'aws-lambda';
import { LambdaContext, toRuntimeError, type InvokeMessage, type RuntimeError, type SandboxData, type SandboxMessage } from './lambda-context';

if (!parentPort) throw new Error('The Lambda sandbox runtime runs only in a worker thread started by the pool');
const pool = parentPort;
const { handlerFile, context: contextConfig, niceness } = workerData as SandboxData;
const post = (message: SandboxMessage) => pool.postMessage(message);

// Linux schedules each thread on its own nice value; /proc/thread-self names this thread's id.
if (niceness !== 0 && process.platform === 'linux') setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), niceness);

let ready = false;
let inFlight: string | undefined;

/**
 * As the Node.js runtime does, an error nothing catches fails the invocation in flight and ends the sandbox: its
 * state can no longer be trusted. The exit codes are the ones that runtime uses.
 */
function die(error: RuntimeError, exitCode: number): never {
  if (!ready) post({ type: 'init-error', error });
  else if (inFlight) post({ type: 'error', requestId: inFlight, error, fatal: true });
  process.exit(exitCode);
}

process.on('uncaughtException', (error) => die(toRuntimeError(error), 129));
process.on('unhandledRejection', (reason) => {
  const described = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  die({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: described, trace: toRuntimeError(reason).trace }, 128);
});

// The pool prints each distinct warning once for the whole stack, rather than once per sandbox.
process.on('warning', (warning) => post({ type: 'warning', name: warning.name, message: warning.message }));

/** An async handler's promise wins; a callback handler settles through its callback. */
function runHandler(handler: Handler, payload: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const returned = handler(payload, context, (error, result) => (error ? reject(error) : resolve(result))) as PromiseLike<unknown> | undefined;
    if (typeof returned?.then === 'function') returned.then(resolve, reject);
  });
}

function loadHandler(): Handler {
  // The bundle is CommonJS, as NodejsFunction ships it; require keeps it out of the ESM loader.
  const loaded = require(handlerFile) as Record<string, unknown>;
  if (typeof loaded.handler !== 'function') {
    const error = new Error(`${handlerFile} has no exported function named handler`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return loaded.handler as Handler;
}

let handler: Handler;
try {
  handler = loadHandler();
} catch (error) {
  die(toRuntimeError(error), 1);
}
ready = true;
post({ type: 'ready' });

pool.on('message', (message: InvokeMessage) => {
  const { requestId } = message;
  inFlight = requestId;
  const context = new LambdaContext(contextConfig, requestId, Date.now());
  runHandler(handler, JSON.parse(message.payload), context).then(
    (result) => {
      let payload: string | undefined;
      try {
        payload = result === undefined ? undefined : JSON.stringify(result);
      } catch (error) {
        inFlight = undefined;
        post({ type: 'error', requestId, error: { ...toRuntimeError(error), errorType: 'Runtime.MarshalError' }, fatal: false });
        return;
      }
      inFlight = undefined;
      post({ type: 'result', requestId, payload });
    },
    (error: unknown) => {
      inFlight = undefined;
      post({ type: 'error', requestId, error: toRuntimeError(error), fatal: false });
    },
  );
});
