import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { awsClientConfig } from './aws-client-config';

const idempotencyClient = new DynamoDBClient(awsClientConfig);

export interface IdempotentStepOptions {
  tableName: string;
  /**
   * Names the step in the record key. Explicit because AWS_LAMBDA_FUNCTION_NAME, Powertools' default prefix,
   * is not set on the local target, where steps would otherwise share keys.
   */
  step: string;
  expiresAfterSeconds?: number;
  /** JMESPath into the first argument whose hash must match on a replay (a different payload is an error). */
  payloadValidationJmesPath?: string;
  /** JMESPath into the first argument that forms the key; by default the whole first argument. */
  eventKeyJmesPath?: string;
}

export interface IdempotentStep<Key, Rest extends unknown[], Result> {
  run: (key: Key, ...rest: Rest) => Promise<Result>;
  /** Lets Powertools expire an in-progress record when this invocation's time runs out. */
  registerContext: (context: Context | undefined) => void;
}

/**
 * Runs `fn` at most once per key. The key is always a small object of stable fields (order id and step),
 * never a whole event: task events carry a task token that changes on every attempt.
 */
export function idempotentStep<Key extends Record<string, unknown>, Rest extends unknown[], Result>(
  fn: (key: Key, ...rest: Rest) => Promise<Result>,
  options: IdempotentStepOptions,
): IdempotentStep<Key, Rest, Result> {
  const config = new IdempotencyConfig({
    expiresAfterSeconds: options.expiresAfterSeconds ?? 24 * 3600,
    ...(options.eventKeyJmesPath ? { eventKeyJmesPath: options.eventKeyJmesPath, throwOnNoIdempotencyKey: true } : {}),
    ...(options.payloadValidationJmesPath ? { payloadValidationJmesPath: options.payloadValidationJmesPath } : {}),
  });
  // One persistence layer per step: Powertools configures a layer once and ignores later configs.
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: idempotencyClient });
  const run = makeIdempotent(fn, { persistenceStore, config, keyPrefix: `cake-shop.${options.step}` }) as (
    key: Key,
    ...rest: Rest
  ) => Promise<Result>;
  return {
    run,
    registerContext: (context) => {
      if (context) config.registerLambdaContext(context);
    },
  };
}
