/**
 * dynalite in a worker thread of its own, started by dynamodb.ts: every DynamoDB request the handlers make is
 * parsed, evaluated and written to LevelDB here, off the thread that runs the engine and the API.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface DynamoDbWorkerData {
  /** Absolute path of the dynalite package, which the bundle leaves out. */
  dynalite: string;
  path: string;
  host: string;
  port: number;
  /** One counter per name in `operations`, shared with the stack's thread, counting the requests received. */
  counters: SharedArrayBuffer;
  operations: string[];
}

export type DynamoDbWorkerMessage = { type: 'listening'; port: number } | { type: 'listen-error'; code?: string; message: string };

if (!parentPort) throw new Error('dynamodb-worker runs only in a worker thread started by dynamodb.ts');
const stack = parentPort;
const data = workerData as DynamoDbWorkerData;
const post = (message: DynamoDbWorkerMessage) => stack.postMessage(message);

// dynalite ships no type declarations.
const dynalite = require(data.dynalite) as (options: { path?: string; createTableMs?: number }) => Server;
// Tables become ACTIVE at once: nothing here needs to rehearse CREATING.
const server = dynalite({ path: data.path, createTableMs: 0 });

const counters = new Int32Array(data.counters);
// A fault for tests: every request waits this long before dynalite sees it, as a DynamoDB answering slowly would.
let delayMs = 0;
const [answer] = server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[];
server.removeAllListeners('request');
server.on('request', (request: IncomingMessage, response: ServerResponse) => {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  const index = data.operations.indexOf(operation);
  if (index !== -1) Atomics.add(counters, index, 1);
  if (delayMs > 0) setTimeout(() => answer(request, response), delayMs);
  else answer(request, response);
});

server.once('error', (error: NodeJS.ErrnoException) => post({ type: 'listen-error', code: error.code, message: error.message }));
server.listen(data.port, data.host, () => {
  const address = server.address();
  post({ type: 'listening', port: typeof address === 'object' && address ? address.port : data.port });
});

// Closing the server closes dynalite's LevelDB too; the thread then ends on its own.
stack.on('message', (message: string | { delayMs: number }) => {
  if (typeof message === 'object') {
    delayMs = message.delayMs;
    return;
  }
  if (message !== 'close') return;
  server.close();
  server.closeAllConnections();
  stack.close();
});
