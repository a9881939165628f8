import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from './aws-client-config';
import { DependencyUnavailable } from './errors';

const dynamodb = new DynamoDBClient(awsClientConfig);

export interface SendRateOptions {
  /** The account's SES maximum send rate, messages per second; 0 means unlimited. */
  maxPerSecond: number;
  /** Holds one small counter item per second, expired by the table's TTL. */
  tableName: string;
  /** How long one send may wait for a free slot before the workflow's back-off takes over. */
  maxWaitMs?: number;
  client?: DynamoDBClient;
}

/**
 * The account's SES sending rate, shared by every sandbox of every function that sends email. Each send first
 * claims a slot in the current second with one conditional counter update; when the second is full it waits for
 * the next one (with jitter, so waiting senders do not all return at once), and past `maxWaitMs` gives up with
 * DependencyUnavailable so the workflow retries later with back-off. A claimed slot is never returned: a send
 * that then fails costs one slot, which only makes the shop send a little under the quota.
 */
export class SendRate {
  readonly #maxWaitMs: number;
  readonly #client: DynamoDBClient;

  constructor(private readonly options: SendRateOptions) {
    this.#maxWaitMs = options.maxWaitMs ?? 2_000;
    this.#client = options.client ?? dynamodb;
  }

  async acquire(): Promise<void> {
    if (this.options.maxPerSecond <= 0) return;
    const giveUpAt = Date.now() + this.#maxWaitMs;
    for (;;) {
      const second = Math.floor(Date.now() / 1000);
      if (await this.#claim(second)) return;
      const nextSecond = (second + 1) * 1000 + Math.random() * 200;
      if (nextSecond > giveUpAt) {
        throw new DependencyUnavailable(`Email (SES) is at its maximum send rate of ${this.options.maxPerSecond}/s`);
      }
      await sleep(nextSecond - Date.now());
    }
  }

  async #claim(second: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { id: { S: `ses-send-rate#${second}` } },
          UpdateExpression: 'ADD sends :one SET expiration = :expiration',
          ConditionExpression: 'attribute_not_exists(sends) OR sends < :max',
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':max': { N: String(this.options.maxPerSecond) },
            ':expiration': { N: String(second + 3600) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
