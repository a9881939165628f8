import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OpsAlarmsProps {
  /** Subscribed to the topic when set; an empty string leaves the topic for ops to subscribe to. */
  opsEmail: string;
}

/** Any failed order or handler error pages ops: in a small shop each one is a customer waiting for a cake. */
export class OpsAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);

    this.key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the cake shop ops alarm topic',
      enableKeyRotation: true,
    });
    // The AWS managed SNS key cannot be used by CloudWatch alarms, so the topic has its own key.
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Cake shop ops alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, and a topic policy replaces SNS's default one, so every publisher the
    // default used to let in must now be allowed by name.
    const stack = Stack.of(this);
    this.allowPublishing(
      'cloudwatch.amazonaws.com',
      stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    );
    if (props.opsEmail) this.topic.addSubscription(new EmailSubscription(props.opsEmail));
    this.action = new SnsAction(this.topic);
  }

  /**
   * Lets an AWS service publish to the topic on behalf of resources in this account only, conditioned on
   * aws:SourceAccount and aws:SourceArn against the confused deputy ("Example cases for Amazon SNS access control").
   */
  allowPublishing(servicePrincipal: string, sourceArnPattern: string): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: sourceConditions(Stack.of(this).account, sourceArnPattern),
      }),
    );
    this.allowEncrypting(servicePrincipal, sourceArnPattern);
  }

  /**
   * A publisher to an encrypted topic also needs the topic's key: SNS generates and decrypts data keys on its
   * behalf ("Managing Amazon SNS encryption keys and costs"). On its own for publishers whose topic statement CDK
   * already writes.
   */
  allowEncrypting(servicePrincipal: string, sourceArnPattern: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: sourceConditions(Stack.of(this).account, sourceArnPattern),
      }),
    );
  }

  watchStateMachine(stateMachine: sfn.StateMachine): void {
    this.alarm('OrderExecutionsFailed', 'An order execution failed', stateMachine.metricFailed());
    this.alarm('OrderExecutionsTimedOut', 'An order execution timed out', stateMachine.metricTimedOut());
    this.alarm('OrderExecutionsAborted', 'An order execution was stopped by hand', stateMachine.metricAborted());
  }

  watchFunction(id: string, fn: lambda.IFunction): void {
    this.alarm(`${id}Errors`, `The ${id} handler threw an error`, fn.metricErrors());
  }

  /** A message in a dead-letter queue is an event some consumer never took: its most visible in five minutes. */
  watchDeadLetterQueue(id: string, description: string, queue: sqs.IQueue): void {
    this.alarm(id, description, queue.metricApproximateNumberOfMessagesVisible(), cloudwatch.Stats.MAXIMUM);
  }

  private alarm(id: string, description: string, metric: cloudwatch.Metric, statistic: string = cloudwatch.Stats.SUM): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric: metric.with({ statistic, period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
  }
}

const sourceConditions = (account: string, sourceArnPattern: string): Record<string, Record<string, string>> => ({
  StringEquals: { 'aws:SourceAccount': account },
  ArnLike: { 'aws:SourceArn': sourceArnPattern },
});
