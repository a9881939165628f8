import { GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { localDynamoDbClient } from '../../infra/local/dynamodb';
import { localIdentity, localTableNames } from '../../infra/local/lambda-functions';
import { localPowers, shopSettings, type Shop } from './shop';
import { executionArnOf, historyOf, theExecution } from './then';

/**
 * Faults a scenario injects through the stack's real services: a stored order overwritten in DynamoDB, so a
 * handler meets an error it does not expect, or the email service down for longer than the retry budget.
 */

/** Overwrites one attribute of the stored order, as a bad deploy or a stray script would; returns the undo. */
export async function theStoredOrderIsCorrupted(shop: Shop, orderId: string, attribute: string, value: AttributeValue): Promise<() => Promise<void>> {
  const client = localDynamoDbClient(localPowers(shop).urls.dynamodb, localIdentity.region);
  const TableName = localTableNames().orders;
  const Key = { orderId: { S: orderId } };
  try {
    const { Item } = await client.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }));
    const original = Item?.[attribute];
    if (!original) throw new Error(`Order ${orderId} has no ${attribute} to corrupt`);
    const put = (to: AttributeValue) =>
      new UpdateItemCommand({ TableName, Key, UpdateExpression: 'SET #a = :v', ExpressionAttributeNames: { '#a': attribute }, ExpressionAttributeValues: { ':v': to } });
    await client.send(put(value));
    return async () => {
      const undo = localDynamoDbClient(localPowers(shop).urls.dynamodb, localIdentity.region);
      try {
        await undo.send(put(original));
      } finally {
        undo.destroy();
      }
    };
  } finally {
    client.destroy();
  }
}

/**
 * Moves the test clock one longest back-off at a time until the execution stops retrying: each AdvanceClock
 * answers once the retry that fell due has run, so this walks the whole retry budget without waiting on time.
 */
export async function theRetriesRunOut(shop: Shop, orderId: string): Promise<void> {
  const budget = shopSettings();
  for (let hop = 0; hop <= budget.retryMaxAttempts; hop++) {
    if ((await theExecution(shop, orderId)).status !== 'RUNNING') return;
    await localPowers(shop).advanceClock(budget.retryMaxDelaySeconds);
  }
  throw new Error(`Execution order-${orderId} was still running after ${budget.retryMaxAttempts} longest back-offs`);
}

/** The state the execution failed in: the last one it entered. */
export async function theStateItFailedIn(shop: Shop, orderId: string): Promise<string | undefined> {
  const entered = (await historyOf(shop, orderId)).filter((event) => event.type?.endsWith('StateEntered'));
  return entered.at(-1)?.stateEnteredEventDetails?.name;
}

/** What ops do after fixing the cause: RedriveExecution through the public Step Functions API. */
export async function opsRedrive(shop: Shop, orderId: string): Promise<void> {
  await shop.stepFunctions.send(new RedriveExecutionCommand({ executionArn: executionArnOf(shop, orderId) }));
}
