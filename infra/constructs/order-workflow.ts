import { Aws, Fn, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Settings } from '../settings';
import { eventBusPlaceholder, functionPlaceholders, type HandlerName } from '../wiring';
import { orderDefinitionTemplate, settingSubstitutions } from '../order-definition';
import { taskTokenMasking } from './task-token-masking';

export interface OrderWorkflowProps {
  functions: Record<HandlerName, lambda.IFunction>;
  settings: Settings;
  /** Where the workflow publishes the order's domain events. */
  eventBus: events.IEventBus;
}

/** One STANDARD execution per order, defined by statemachines/order.asl.json. */
export class OrderWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OrderWorkflowProps) {
    super(scope, id);

    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    const definitionSubstitutions: Record<string, string> = {};

    // The definition adds no IAM of its own: each function the ASL names is granted here, beside the
    // substitution that puts its ARN into the definition, and nothing else is invocable.
    for (const [placeholder, handler] of Object.entries(functionPlaceholders)) {
      const fn = props.functions[handler];
      definitionSubstitutions[placeholder] = fn.functionArn;
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
      );
    }
    // The Publish states put events on this bus only (the optimized events:putEvents integration); no other role may.
    definitionSubstitutions[eventBusPlaceholder] = props.eventBus.eventBusArn;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));
    Object.assign(definitionSubstitutions, settingSubstitutions(props.settings));

    // A name is needed for the vendedlogs prefix, which keeps Step Functions from growing the account's CloudWatch
    // Logs resource policy ("Avoiding Amazon CloudWatch Logs resource policy size restrictions"). The group is
    // retained, so the name ends in the stack's own id: a stack created again after a rollback or a destroy gets a
    // new id and a new group, while updates keep the one the orders so far were logged to.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${this.node.path.replace(/\//g, '-')}-${stackUuid}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      dataProtectionPolicy: taskTokenMasking(),
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Inline rather than fromFile: the number placeholders are unquoted first (see orderDefinitionTemplate).
      definitionBody: sfn.DefinitionBody.fromString(orderDefinitionTemplate()),
      definitionSubstitutions,
      role,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery and X-Ray actions support no resource-level permissions; ' +
        'this is the policy Step Functions documents for logging and tracing.',
    });
  }
}
