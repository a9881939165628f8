import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { orderEvents, type OrderEventType } from '../../infra/order-events';
import { awsClientConfig } from './aws-client-config';
import { DependencyUnavailable } from './errors';

const eventBridge = new EventBridgeClient(awsClientConfig);

/** Puts one order event on the order events bus; an entry EventBridge refuses is DependencyUnavailable, to retry. */
export async function publishOrderEvent(busArn: string, type: OrderEventType, detail: object): Promise<void> {
  const response = await eventBridge.send(
    new PutEventsCommand({ Entries: [{ EventBusName: busArn, Source: orderEvents.source, DetailType: type, Detail: JSON.stringify(detail) }] }),
  );
  const failed = response.Entries?.[0];
  if ((response.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode !== undefined) {
    throw new DependencyUnavailable(`EventBridge refused the event: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim());
  }
}
