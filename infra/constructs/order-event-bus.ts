import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { orderEvents } from '../order-events';

/**
 * The custom bus the order workflow publishes the order's domain events on, and an archive of every one of them, so
 * a consumer that starts later is backfilled by replaying the archive rather than by reading the orders table.
 */
export class OrderEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: orderEvents.busName,
      description: `The cake shop's order events (source ${orderEvents.source}); schemas in infra/events/`,
    });
    this.archive = this.bus.archive('Archive', {
      description: 'Every order event, to replay for a new consumer',
      eventPattern: { source: [orderEvents.source] },
      retention: Duration.days(orderEvents.archiveRetentionDays),
    });
  }
}
