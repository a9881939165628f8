import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the local account has used, counted as AWS bills it; the local stand-in for the services' metrics. */
export interface Usage {
  lambda: { invocations: number; throttles: number; billedMs: number; gbSeconds: number };
  dynamodb: { readRequests: number; writeRequests: number };
  email: { sent: number; throttled: number };
  api: { requests: number };
}

const readOperations = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const writeOperations = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Counts the billable work of the one-machine stack: Lambda invocations and their billed duration, DynamoDB
 * read and write requests (control-plane calls such as CreateTable are free on AWS and are not counted), emails
 * sent or refused, and API requests. `GET /ops/usage` serves a snapshot, which `npm run bench:load` prices.
 */
export class UsageMeter {
  readonly #usage: Usage = {
    lambda: { invocations: 0, throttles: 0, billedMs: 0, gbSeconds: 0 },
    dynamodb: { readRequests: 0, writeRequests: 0 },
    email: { sent: 0, throttled: 0 },
    api: { requests: 0 },
  };
  #dynamoDbCounts: () => Record<string, number> = () => ({});

  /** Lambda bills each invocation's duration rounded up to the millisecond, times its memory. */
  lambdaInvoked(durationMs: number, memorySizeMb: number): void {
    const billedMs = Math.max(1, Math.ceil(durationMs));
    this.#usage.lambda.invocations += 1;
    this.#usage.lambda.billedMs += billedMs;
    this.#usage.lambda.gbSeconds += (billedMs / 1000) * (memorySizeMb / 1024);
  }

  lambdaThrottled(): void {
    this.#usage.lambda.throttles += 1;
  }

  emailSent(): void {
    this.#usage.email.sent += 1;
  }

  emailThrottled(): void {
    this.#usage.email.throttled += 1;
  }

  apiRequest(): void {
    this.#usage.api.requests += 1;
  }

  /** Reads DynamoDB's request counts, by operation, whenever a snapshot is taken. */
  watchDynamoDb(requestCounts: () => Record<string, number>): void {
    this.#dynamoDbCounts = requestCounts;
  }

  snapshot(): Usage {
    const usage = structuredClone(this.#usage);
    for (const [operation, count] of Object.entries(this.#dynamoDbCounts())) {
      if (readOperations.has(operation)) usage.dynamodb.readRequests += count;
      else if (writeOperations.has(operation)) usage.dynamodb.writeRequests += count;
    }
    return usage;
  }
}

/** `GET /ops/usage`: the meter's snapshot as JSON, beside the ops console. */
export function usageMount(meter: UsageMeter) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if ((request.url ?? '').split('?')[0] !== '/ops/usage') return false;
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET', 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'GET /ops/usage only reads the usage.' }));
      return true;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(meter.snapshot()));
    return true;
  };
}
