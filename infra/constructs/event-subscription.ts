import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OpsAlarms } from './ops-alarms';

export interface EventSubscriptionProps {
  bus: events.IEventBus;
  description: string;
  eventPattern: events.EventPattern;
  handler: lambda.Function;
  alarms: OpsAlarms;
  /** What the dead-letter alarm tells ops when it goes off. */
  deadLetterAlarm: string;
}

/** How long and how often an event is offered to a subscribed function before it is dead-lettered. */
export const subscriptionDelivery = {
  /** EventBridge's retries of a delivery Lambda refused (throttled, or the service unavailable). */
  ruleRetryAttempts: 10,
  ruleMaxEventAge: Duration.hours(6),
  /** Lambda's own retries of an event the handler failed on: EventBridge invokes asynchronously. */
  asyncRetryAttempts: 2,
  asyncMaxEventAge: Duration.hours(6),
  /** Long enough for ops to look after a weekend; SQS keeps a message at most 14 days. */
  deadLetterRetention: Duration.days(14),
} as const;

/**
 * A function's subscription to events: a rule with an event pattern on a bus, targeting the function. An event no
 * retry could deliver lands in one dead-letter queue, whichever side gave up: EventBridge (the target's DLQ, for
 * deliveries Lambda refused) or Lambda (the function's on-failure destination, for events the handler failed on,
 * which EventBridge counts as delivered). An alarm pages ops on its first message.
 */
export class EventSubscription extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventSubscriptionProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SQS-managed keys: EventBridge and Lambda can send to the queue without a key policy of their own.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: subscriptionDelivery.deadLetterRetention,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of a rule target and of its function; nothing reads it but ops.',
    });

    this.rule = new events.Rule(this, 'Rule', { eventBus: props.bus, description: props.description, eventPattern: props.eventPattern });
    this.rule.addTarget(
      new targets.LambdaFunction(props.handler, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: subscriptionDelivery.ruleRetryAttempts,
        maxEventAge: subscriptionDelivery.ruleMaxEventAge,
      }),
    );
    props.handler.configureAsyncInvoke({
      retryAttempts: subscriptionDelivery.asyncRetryAttempts,
      maxEventAge: subscriptionDelivery.asyncMaxEventAge,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    props.alarms.watchDeadLetterQueue(`${id}DeadLetters`, props.deadLetterAlarm, this.deadLetterQueue);
  }
}
