/**
 * dynalite in a worker thread of its own, started by dynamodb.ts: every DynamoDB request the handlers make is
 * parsed, evaluated and written to LevelDB here, off the thread that runs the engine and the API.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { accessKeyOf, LocalIam, readAndReplay, type LocalPrincipal } from './iam';

export interface DynamoDbWorkerData {
  /** Absolute path of the dynalite package, which the bundle leaves out. */
  dynalite: string;
  path: string;
  host: string;
  port: number;
  /** One counter per name in `operations`, shared with the stack's thread, counting the requests received. */
  counters: SharedArrayBuffer;
  operations: string[];
  /** The functions' roles by access key, whose calls are checked against IAM; every other caller is let through. */
  principals: Record<string, LocalPrincipal>;
  region: string;
  accountId: string;
}

export type DynamoDbWorkerMessage =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; code?: string; message: string }
  | { type: 'access-denied'; message: string };

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
const iam = new LocalIam(data.principals, (message) => post({ type: 'access-denied', message }));
const tableArn = (name: string) => (name.startsWith('arn:') ? name : `arn:aws:dynamodb:${data.region}:${data.accountId}:table/${name}`);

/** The tables a request names (one, or several for the batch and transaction calls); `*` for none (ListTables). */
function tablesOf(body: string): string[] {
  let input: { TableName?: unknown; RequestItems?: object; TransactItems?: Record<string, { TableName?: unknown }>[] };
  try {
    input = JSON.parse(body || '{}');
  } catch {
    return ['*'];
  }
  const names = new Set<string>();
  if (typeof input.TableName === 'string') names.add(input.TableName);
  for (const name of Object.keys(input.RequestItems ?? {})) names.add(name);
  for (const item of input.TransactItems ?? []) {
    for (const part of Object.values(item)) if (typeof part?.TableName === 'string') names.add(part.TableName);
  }
  return names.size === 0 ? ['*'] : [...names].map(tableArn);
}

/** AWS's AccessDenied for a function whose role lacks the grant; otherwise the request goes on to dynalite. */
async function authorize(request: IncomingMessage, response: ServerResponse, operation: string): Promise<IncomingMessage | undefined> {
  const { body, replay } = await readAndReplay(request);
  const accessKeyId = accessKeyOf(request.headers.authorization);
  for (const resource of tablesOf(body)) {
    const denied = iam.denial(accessKeyId, `dynamodb:${operation}`, resource);
    if (!denied) continue;
    const payload = JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: denied });
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(payload) });
    response.end(payload);
    return undefined;
  }
  return replay;
}

server.on('request', (request: IncomingMessage, response: ServerResponse) => {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  const index = data.operations.indexOf(operation);
  if (index !== -1) Atomics.add(counters, index, 1);
  const go = () => {
    if (!iam.governs(accessKeyOf(request.headers.authorization))) return answer(request, response);
    // A request its caller gave up on (a timed-out SDK call) ends here, as it would in dynalite.
    authorize(request, response, operation).then(
      (checked) => checked && answer(checked, response),
      () => response.destroy(),
    );
  };
  if (delayMs > 0) setTimeout(go, delayMs);
  else go();
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
