import { randomUUID } from 'node:crypto';
import type { Json } from './asl';
import { lambdaFunctionArn, type Partition } from './arns';

export interface LambdaInvocation {
  functionName: string;
  invokedFunctionArn: string;
  awsRequestId: string;
}

/** An in-process Lambda function: what it returns is the function's response payload; what it throws, its error. */
export type LambdaHandler = (payload: Json, invocation: LambdaInvocation) => unknown;

/** Local Lambda functions by ARN (`arn:aws:lambda:us-east-1:000000000000:function:<name>`) or by bare name. */
export type LambdaRegistry = Readonly<Record<string, LambdaHandler>>;

export class LambdaFunctionError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/**
 * What a registered function throws when the Invoke call itself fails, before or instead of running the handler:
 * a throttle (`TooManyRequestsException`, 429), for instance. Step Functions reports these as
 * `Lambda.<name>` with the Lambda service's cause, not as errors of the function.
 */
export class LambdaServiceException extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

const FUNCTION_ARN = /^arn:aws:lambda:([^:]+):(\d{12}):function:([^:]+)(?::[^:]+)?$/;

/** Resolves a FunctionName as Lambda accepts it (name, ARN, qualified ARN) to the registered handler. */
export function findFunction(
  registry: LambdaRegistry,
  partition: Partition,
  functionName: string,
): { arn: string; name: string; handler?: LambdaHandler } {
  const match = FUNCTION_ARN.exec(functionName);
  const name = match ? match[3] : functionName.split(':')[0];
  const arn = match ? `arn:aws:lambda:${match[1]}:${match[2]}:function:${name}` : lambdaFunctionArn(partition, name);
  return { arn, name, handler: registry[arn] ?? registry[name] };
}

export const isFunctionArn = (resource: string) => FUNCTION_ARN.test(resource);

/**
 * Calls the handler as Lambda would: it gets its own copy of the payload and its response must be JSON.
 * A thrown error becomes the Step Functions error named after it, with the Cause Lambda reports; a
 * LambdaServiceException becomes `Lambda.<name>` with the service's cause, as a throttled Invoke does on AWS.
 */
export async function invokeFunction(registry: LambdaRegistry, partition: Partition, functionName: string, payload: Json): Promise<{ payload: Json; requestId: string }> {
  const target = findFunction(registry, partition, functionName);
  const requestId = randomUUID();
  if (!target.handler) {
    throw new LambdaFunctionError(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${target.arn} (Service: Lambda, Status Code: 404, Request ID: ${requestId})`,
    );
  }
  let response: unknown;
  try {
    response = await target.handler(JSON.parse(JSON.stringify(payload)) as Json, {
      functionName: target.name,
      invokedFunctionArn: target.arn,
      awsRequestId: requestId,
    });
  } catch (thrown) {
    if (thrown instanceof LambdaServiceException) {
      throw new LambdaFunctionError(
        `Lambda.${thrown.name}`,
        `${thrown.message} (Service: Lambda, Status Code: ${thrown.statusCode}, Request ID: ${requestId})`,
      );
    }
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const errorType = error.name || 'Error';
    const trace = (error.stack ?? '').split('\n');
    throw new LambdaFunctionError(errorType, JSON.stringify({ errorType, errorMessage: error.message, trace }));
  }
  return { payload: response === undefined ? null : (JSON.parse(JSON.stringify(response)) as Json), requestId };
}

/** The result `arn:aws:states:::lambda:invoke` hands to the state, shaped as on AWS. */
export function invokeResult(payload: Json, requestId: string): Json {
  const headers = {
    Connection: 'keep-alive',
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}
