import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, explainListenError, portSpecs } from '../ports';
import { StepFunctionsApiError } from './api-errors';
import type { Engine } from './engine';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_BODY_BYTES = 1024 * 1024;

type Action = (engine: Engine, input: never) => Promise<unknown>;

/** `X-Amz-Target: AWSStepFunctions.<Action>` -> the engine method that answers it. */
const actions: Record<string, Action> = {
  'AWSStepFunctions.CreateStateMachine': (engine, input) => engine.createStateMachine(input),
  'AWSStepFunctions.DescribeStateMachine': (engine, input) => engine.describeStateMachine(input),
  'AWSStepFunctions.ListStateMachines': (engine, input) => engine.listStateMachines(input),
  'AWSStepFunctions.DeleteStateMachine': (engine, input) => engine.deleteStateMachine(input),
  'AWSStepFunctions.UpdateStateMachine': (engine, input) => engine.updateStateMachine(input),
  'AWSStepFunctions.PublishStateMachineVersion': (engine, input) => engine.publishStateMachineVersion(input),
  'AWSStepFunctions.ListStateMachineVersions': (engine, input) => engine.listStateMachineVersions(input),
  'AWSStepFunctions.DeleteStateMachineVersion': (engine, input) => engine.deleteStateMachineVersion(input),
  'AWSStepFunctions.CreateStateMachineAlias': (engine, input) => engine.createStateMachineAlias(input),
  'AWSStepFunctions.DescribeStateMachineAlias': (engine, input) => engine.describeStateMachineAlias(input),
  'AWSStepFunctions.UpdateStateMachineAlias': (engine, input) => engine.updateStateMachineAlias(input),
  'AWSStepFunctions.DeleteStateMachineAlias': (engine, input) => engine.deleteStateMachineAlias(input),
  'AWSStepFunctions.ListStateMachineAliases': (engine, input) => engine.listStateMachineAliases(input),
  'AWSStepFunctions.DescribeStateMachineForExecution': (engine, input) => engine.describeStateMachineForExecution(input),
  'AWSStepFunctions.ValidateStateMachineDefinition': (engine, input) => engine.validateStateMachineDefinition(input),
  'AWSStepFunctions.TestState': (engine, input) => engine.testState(input),
  'AWSStepFunctions.StartExecution': (engine, input) => engine.startExecution(input),
  'AWSStepFunctions.DescribeExecution': (engine, input) => engine.describeExecution(input),
  'AWSStepFunctions.ListExecutions': (engine, input) => engine.listExecutions(input),
  'AWSStepFunctions.GetExecutionHistory': (engine, input) => engine.getExecutionHistory(input),
  'AWSStepFunctions.StopExecution': (engine, input) => engine.stopExecution(input),
  'AWSStepFunctions.RedriveExecution': (engine, input) => engine.redriveExecution(input),
  'AWSStepFunctions.SendTaskSuccess': (engine, input) => engine.sendTaskSuccess(input),
  'AWSStepFunctions.SendTaskFailure': (engine, input) => engine.sendTaskFailure(input),
  'AWSStepFunctions.SendTaskHeartbeat': (engine, input) => engine.sendTaskHeartbeat(input),
  // Not AWS: lets a test in another process move a ManualClock. Without one these answer UnknownOperationException.
  'LocalStepFunctions.AdvanceClock': (engine, input: { seconds?: unknown }) => engine.advanceClock(input.seconds as number),
  'LocalStepFunctions.GetClock': (engine) => engine.getClock(),
};

/**
 * Decides whether the caller whose request carries this SigV4 `Authorization` header may make the call, e.g.
 * `states:StartExecution`: undefined allows it, a message denies it with AccessDeniedException.
 */
export type Authorize = (authorization: string | undefined, action: string, input: Record<string, unknown>) => string | undefined;

export interface StepFunctionsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the engine over the Step Functions JSON protocol, so `@aws-sdk/client-sfn` and the AWS CLI work with
 * an endpoint override. It authenticates no one (listen on loopback only); `authorize` may still refuse a call.
 */
export async function startStepFunctionsServer(
  engine: Engine,
  options: { port?: number; host?: string; authorize?: Authorize } = {},
): Promise<StepFunctionsServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? portSpecs.stepFunctions.default;
  const server = createServer((request, response) => {
    handle(engine, request, response, options.authorize).catch((error: unknown) => {
      send(response, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(explainListenError(error, port, portSpecs.stepFunctions)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host}:${boundPort}`, close: () => closeServer(server) };
}

async function handle(engine: Engine, request: IncomingMessage, response: ServerResponse, authorize?: Authorize): Promise<void> {
  if (request.method !== 'POST') {
    send(response, 405, { __type: 'UnknownOperationException', message: 'The Step Functions API takes POST requests only' });
    return;
  }
  const target = request.headers['x-amz-target'];
  const action = typeof target === 'string' ? actions[target] : undefined;
  if (!action) {
    send(response, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${JSON.stringify(target ?? null)}: set X-Amz-Target to AWSStepFunctions.<Action>` });
    return;
  }
  let input: unknown;
  try {
    const body = await readBody(request);
    input = body.length === 0 ? {} : JSON.parse(body);
  } catch (error) {
    send(response, 400, { __type: 'SerializationException', message: `The request body is not JSON: ${(error as Error).message}` });
    return;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    send(response, 400, { __type: 'SerializationException', message: 'The request body must be a JSON object' });
    return;
  }
  const denied = authorize?.(request.headers.authorization, `states:${String(target).split('.')[1]}`, input as Record<string, unknown>);
  if (denied) {
    send(response, 400, { __type: 'AccessDeniedException', message: denied });
    return;
  }
  try {
    send(response, 200, await action(engine, input as never));
  } catch (error) {
    if (error instanceof StepFunctionsApiError) {
      send(response, error.statusCode, { __type: error.code, message: error.message });
      return;
    }
    throw error;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('the body is larger than 1 MiB'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  // The JSON protocol carries timestamps as epoch seconds.
  const text = JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
  const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(text)) };
  if (status >= 400) headers['x-amzn-ErrorType'] = (body as { __type: string }).__type;
  response.writeHead(status, headers);
  response.end(text);
}
