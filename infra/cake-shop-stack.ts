import { Aws, CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { OpsAlarms } from './constructs/ops-alarms';
import { OrderEventBus } from './constructs/order-event-bus';
import { OrderWorkflow } from './constructs/order-workflow';
import { EventSubscription } from './constructs/event-subscription';
import { ShopApi } from './constructs/shop-api';
import { resolveEmailDeployment, ShopEmail, type EmailDeployment } from './constructs/shop-email';
import { ShopFunction } from './constructs/shop-function';
import { orderEvents, stuckExecutionStatuses } from './order-events';
import { salesViewEventTypes } from '../functions/lib/sales-view';
import { shopOrigins } from './cors';
import { routes } from './routes';
import { commonEnv } from '../functions/lib/config';
import { resolveSettings, settings as settingSpecs, settingsEnvironment, type Settings } from './settings';
import { tables, type TableName, type TableSpec } from './tables';
import { handlers, type Access, type HandlerName, type HandlerSpec } from './wiring';

export interface CakeShopStackProps extends StackProps {
  settings: Settings;
  /** How the account's SES is set up; the defaults are a new account's: sandbox, sender identity created. */
  email?: EmailDeployment;
  /** False only for the local target, whose email service delivers to any address; see ShopEmailProps. */
  verifyEmailAddresses?: boolean;
}

/**
 * The stack's settings from the `cakeShop` context: an object in cdk.json, a JSON string from `-c cakeShop='{…}'`.
 * Its `ses` object describes the AWS account, so only CDK reads it; the other keys are the settings both targets read.
 */
export function settingsFromContext(context: unknown): Pick<CakeShopStackProps, 'settings' | 'email'> {
  const { ses, ...overrides } = typeof context === 'string' ? JSON.parse(context) : (context ?? {});
  return { settings: resolveSettings(overrides), email: resolveEmailDeployment(ses) };
}

const pascalCase = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** The whole shop on AWS: tables, handlers, the order workflow, the HTTP API and the alarms that watch them. */
export class CakeShopStack extends Stack {
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly email: ShopEmail;
  readonly webhookSecret: secretsmanager.Secret;
  readonly api: ShopApi;
  readonly functions: Record<HandlerName, ShopFunction>;
  readonly workflow: OrderWorkflow;
  readonly orderEvents: OrderEventBus;
  readonly salesView: EventSubscription;
  readonly orderStuck: EventSubscription;
  readonly alarms: OpsAlarms;

  constructor(scope: Construct, id: string, props: CakeShopStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.tables = {
      orders: this.table('OrdersTable', tables.orders),
      idempotency: this.table('IdempotencyTable', tables.idempotency),
      salesView: this.table('SalesViewTable', tables.salesView),
    };

    // Before email: bounces and complaints go to the ops topic.
    this.alarms = new OpsAlarms(this, 'OpsAlarms', { opsEmail: settings.opsEmail });
    this.email = new ShopEmail(this, 'Email', {
      settings,
      deployment: props.email ?? resolveEmailDeployment(),
      alarms: this.alarms,
      verifyAddresses: props.verifyEmailAddresses,
    });

    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookSigningSecret', {
      description: 'HMAC key that signs the webhooks sent to the delivery company and customer service',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The receivers hold a copy of this key, so rotating it is a change agreed with them, not a schedule.',
    });

    // The API exists before the handlers so each can be told its public URL; routes are added once they exist.
    this.api = new ShopApi(this, 'Api', { shopOrigins: shopOrigins(settings.shopOrigins) });

    const handlerSpecs = Object.entries(handlers) as [HandlerName, HandlerSpec][];
    this.functions = {} as Record<HandlerName, ShopFunction>;
    for (const [name, spec] of handlerSpecs) {
      this.functions[name] = new ShopFunction(this, `${pascalCase(name)}Function`, {
        entry: spec.entry,
        timeoutSeconds: spec.timeoutSeconds,
        environment: { [commonEnv.publicBaseUrl]: this.api.url, ...settingsEnvironment(settings, spec.settings ?? []) },
      });
    }

    this.orderEvents = new OrderEventBus(this, 'OrderEvents');
    this.workflow = new OrderWorkflow(this, 'OrderWorkflow', { functions: this.functions, settings, eventBus: this.orderEvents.bus });

    // Bound after the workflow exists: starting and answering executions needs its ARN. No handler the
    // workflow invokes holds a workflow grant, so this creates no dependency cycle.
    for (const [name, spec] of handlerSpecs) {
      for (const access of spec.access) this.bind(this.functions[name], access, settings);
    }

    this.api.addRoutes(routes, this.functions);
    this.salesView = new EventSubscription(this, 'SalesView', {
      bus: this.orderEvents.bus,
      description: 'Order events the sales view counts',
      eventPattern: { source: [orderEvents.source], detailType: [...salesViewEventTypes] },
      handler: this.functions.updateSalesView,
      alarms: this.alarms,
      deadLetterAlarm: 'An order event could not be applied to the sales view',
    });
    // Step Functions sends its executions' status changes to the account's default bus.
    this.orderStuck = new EventSubscription(this, 'OrderStuck', {
      bus: events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default'),
      description: 'Order executions that stopped FAILED, TIMED_OUT or ABORTED, published as OrderStuck',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.workflow.stateMachine.stateMachineArn], status: [...stuckExecutionStatuses] },
      },
      handler: this.functions.publishOrderStuck,
      alarms: this.alarms,
      deadLetterAlarm: 'A stopped order execution could not be published as OrderStuck',
    });

    this.alarms.watchStateMachine(this.workflow.stateMachine);
    for (const [name] of handlerSpecs) this.alarms.watchFunction(pascalCase(name), this.functions[name]);

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the shop API', value: this.api.url });
    const stepFunctionsConsole = `https://${Aws.REGION}.console.aws.amazon.com/states/home?region=${Aws.REGION}`;
    new CfnOutput(this, 'StateMachineConsoleUrl', {
      description: 'The order workflow in the Step Functions console',
      value: `${stepFunctionsConsole}#/statemachines/view/${this.workflow.stateMachine.stateMachineArn}`,
    });
  }

  private table(id: string, spec: TableSpec): dynamodb.Table {
    return new dynamodb.Table(this, id, {
      partitionKey: { name: spec.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: spec.sortKey === undefined ? undefined : { name: spec.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: spec.timeToLiveAttribute,
    });
  }

  private bind(fn: ShopFunction, access: Access, settings: Settings): void {
    switch (access) {
      case 'orders:read':
        return fn.bindTable(this.tables.orders, tables.orders, 'read');
      case 'orders:write':
        return fn.bindTable(this.tables.orders, tables.orders, 'write');
      case 'idempotency':
        return fn.bindTable(this.tables.idempotency, tables.idempotency, 'write');
      case 'salesView:update':
        return fn.bindTable(this.tables.salesView, tables.salesView, 'update');
      case 'email':
        return fn.bindEmailSender(this.email, settingSpecs.senderEmail.env, settings.senderEmail);
      case 'workflow:start':
        return fn.bindWorkflowStart(this.workflow.stateMachine, commonEnv.stateMachineArn);
      case 'workflow:callback':
        return fn.bindWorkflowCallback(this.workflow.stateMachine);
      case 'webhook:secret':
        return fn.bindSecret(this.webhookSecret, commonEnv.webhookSecretArn);
      case 'orderEvents:publish':
        return fn.bindEventPublisher(this.orderEvents.bus, commonEnv.orderEventBusArn);
    }
  }
}

