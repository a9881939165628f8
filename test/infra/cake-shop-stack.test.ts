import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { settingsFromContext, type CakeShopStack } from '../../infra/cake-shop-stack';
import { shopCors, shopOrigins } from '../../infra/cors';
import { routes } from '../../infra/routes';
import { orderEvents } from '../../infra/order-events';
import { subscriptionDelivery } from '../../infra/constructs/event-subscription';
import { salesViewEventTypes } from '../../functions/lib/sales-view';
import { settings as settingSpecs } from '../../infra/settings';
import { taskTokenPattern } from '../../infra/constructs/task-token-masking';
import { tables, type TableName } from '../../infra/tables';
import {
  eventBusPlaceholder,
  functionPlaceholders,
  handlers,
  orderStateMachineFile,
  settingPlaceholders,
  type Access,
  type HandlerName,
  type HandlerSpec,
} from '../../infra/wiring';
import synthContext from './synth-context.json';
import { deployable, synthesize } from './synth';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type PolicyResource = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: unknown[] } };

/** Actions AWS documents as supporting no resource-level permissions: the only ones allowed on "*". */
const actionsWithoutResourceLevelPermissions = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

const handlerNames = Object.keys(handlers) as HandlerName[];
const spec = (name: HandlerName): HandlerSpec => handlers[name];
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

const logicalId = (construct: IConstruct): string => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnResource);

describe('the cake shop stack', () => {
  const { settings } = deployable;
  let stack: CakeShopStack;
  let template: Template;
  let policies: Record<string, PolicyResource>;

  beforeAll(() => {
    ({ stack, template } = synthesize(deployable));
    policies = template.findResources('AWS::IAM::Policy') as Record<string, PolicyResource>;
  });

  const functionId = (name: HandlerName): string => logicalId(stack.functions[name]);
  const roleId = (name: HandlerName): string => {
    const role = stack.functions[name].role;
    if (!role) throw new Error(`Handler ${name} has no execution role`);
    return logicalId(role);
  };
  const statementsOfRole = (id: string): Statement[] =>
    Object.values(policies)
      .filter((policy) => policy.Properties.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: id })))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);

  describe('order workflow', () => {
    it('runs each order as a STANDARD execution', () => {
      // GIVEN the synthesized stack, THEN its one state machine is STANDARD
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    });

    it('logs every event with execution data to its own log group', () => {
      // GIVEN the state machine, THEN it logs at level ALL, including inputs and outputs
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: true,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrderWorkflowLogs'), 'Arn'] } } },
          ],
        },
      });
    });

    it('masks task tokens in its execution log and in every handler log', () => {
      // GIVEN the state machine's log group and each handler's log group
      const logGroups = template.findResources('AWS::Logs::LogGroup');
      const functions = template.findResources('AWS::Lambda::Function');
      const ids = [
        ...Object.keys(logGroups).filter((id) => id.startsWith('OrderWorkflowLogs')),
        ...handlerNames.map((name) => functions[functionId(name)].Properties.LoggingConfig.LogGroup.Ref as string),
      ];
      // THEN each redacts what the task token pattern matches
      expect(ids).toHaveLength(handlerNames.length + 1);
      for (const id of ids) {
        expect(logGroups[id].Properties.DataProtectionPolicy).toEqual(
          expect.objectContaining({ Configuration: { CustomDataIdentifier: [{ Name: 'TaskToken', Regex: taskTokenPattern }] } }),
        );
      }
    });

    it('names its execution log group after the stack id, under the vendedlogs prefix', () => {
      // GIVEN the state machine's log group, THEN its name is unique to this stack's creation
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: {
          'Fn::Join': [
            '',
            [
              Match.stringLikeRegexp('^/aws/vendedlogs/states/.+-$'),
              { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
            ],
          ],
        },
      });
    });

    it('traces executions with X-Ray', () => {
      // GIVEN the state machine, THEN X-Ray tracing is on
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
    });

    it('substitutes every placeholder of the ASL file, and nothing else', () => {
      // GIVEN the placeholders written in statemachines/order.asl.json
      const asl = fs.readFileSync(path.join(__dirname, '..', '..', orderStateMachineFile), 'utf8');
      const placeholders = [...new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]))].sort();
      // WHEN the state machine's substitutions are read
      const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
      const substituted = Object.keys(machine.Properties.DefinitionSubstitutions).sort();
      // THEN each placeholder has a substitution and each substitution has a placeholder
      expect(placeholders.length).toBeGreaterThan(0);
      expect(substituted).toEqual(placeholders);
    });

    it('fills each function placeholder with the ARN of the handler infra/wiring.ts names', () => {
      // GIVEN functionPlaceholders in infra/wiring.ts, THEN each placeholder carries its handler's ARN
      const expected = Object.fromEntries(
        Object.entries(functionPlaceholders).map(([placeholder, handler]) => [
          placeholder,
          { 'Fn::GetAtt': [functionId(handler), 'Arn'] },
        ]),
      );
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', { DefinitionSubstitutions: Match.objectLike(expected) });
    });

    it('hands CloudFormation the retry fields as bare placeholders, so its text substitution leaves JSON numbers', () => {
      // GIVEN the definition the template carries
      const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
      const definition = String(machine.Properties.DefinitionString);
      // THEN each retry placeholder appears unquoted and never quoted, as a number needs
      for (const placeholder of ['RetryIntervalSeconds', 'RetryBackoffRate', 'RetryMaxDelaySeconds', 'RetryMaxAttempts']) {
        expect(definition).toContain(`: \${${placeholder}}`);
        expect(definition).not.toContain(`"\${${placeholder}}"`);
      }
    });

    it('fills each setting placeholder with the setting written as a string', () => {
      // GIVEN settingPlaceholders in infra/wiring.ts, THEN each carries its setting, which the ASL turns back into a number
      const expected = Object.fromEntries(
        Object.entries(settingPlaceholders).map(([placeholder, setting]) => [placeholder, String(settings[setting])]),
      );
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', { DefinitionSubstitutions: Match.objectLike(expected) });
    });

    it('may invoke exactly the functions its definition names', () => {
      // GIVEN the state machine role's statements
      const statements = statementsOfRole(logicalId(stack.workflow.stateMachine.role));
      // WHEN the Lambda ones are collected
      const lambdaStatements = statements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('lambda:')),
      );
      const invocable = lambdaStatements.flatMap((statement) =>
        [statement.Resource].flat().map((resource) => JSON.stringify(resource)),
      );
      // THEN they name the placeholder functions and no other
      const named = [...new Set(Object.values(functionPlaceholders))].map((handler) =>
        JSON.stringify({ 'Fn::GetAtt': [functionId(handler), 'Arn'] }),
      );
      expect(lambdaStatements.flatMap(actionsOf).filter((action) => action !== 'lambda:InvokeFunction')).toEqual([]);
      expect(invocable.sort()).toEqual(named.sort());
    });
  });

  describe('order events', () => {
    const busId = () => logicalId(stack.orderEvents.bus);

    it('creates the custom bus the workflow publishes on, by the name consumers subscribe to', () => {
      // GIVEN the synthesized stack, THEN it has one event bus, named as infra/order-events.ts says
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.hasResourceProperties('AWS::Events::EventBus', { Name: orderEvents.busName });
    });

    it('archives every event of the shop on that bus for a year, so a new consumer can be backfilled by replay', () => {
      // GIVEN the synthesized stack, THEN one archive keeps the bus's events with the shop's source, with a retention
      template.resourceCountIs('AWS::Events::Archive', 1);
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [busId(), 'Arn'] },
        EventPattern: { source: [orderEvents.source] },
        RetentionDays: orderEvents.archiveRetentionDays,
      });
    });

    it('fills the bus placeholder of the ASL with the bus ARN', () => {
      // GIVEN the state machine's substitutions, THEN the bus placeholder carries the bus's ARN
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        DefinitionSubstitutions: Match.objectLike({ [eventBusPlaceholder]: { 'Fn::GetAtt': [busId(), 'Arn'] } }),
      });
    });

    it('lets the state machine role, the re-publish handler and the OrderStuck publisher, and no other, put events, and only on the order events bus', () => {
      // GIVEN every statement of every policy, WHEN those granting an events: action are collected by role
      const workflowRoleId = logicalId(stack.workflow.stateMachine.role);
      const eventStatements = Object.values(policies).flatMap((policy) =>
        policy.Properties.PolicyDocument.Statement.filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:'))).map(
          (statement) => ({ roles: policy.Properties.Roles, statement }),
        ),
      );
      // THEN there are three: events:PutEvents on the bus, for the state machine's role, ops' re-publish handler and the OrderStuck publisher
      const onTheBus = expect.objectContaining({ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId(), 'Arn'] } });
      expect(eventStatements).toEqual(
        expect.arrayContaining([
          { roles: [{ Ref: workflowRoleId }], statement: onTheBus },
          { roles: [{ Ref: roleId('republishOrderEvent') }], statement: onTheBus },
          { roles: [{ Ref: roleId('publishOrderStuck') }], statement: onTheBus },
        ]),
      );
      expect(eventStatements).toHaveLength(3);
    });
  });

  describe('IAM', () => {
    it('grants "*" only for actions that support no resource-level permissions', () => {
      // GIVEN every statement of every IAM policy in the stack
      const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      // WHEN the actions granted on "*" are collected
      const onAnyResource = statements
        .filter((statement) => [statement.Resource].flat().includes('*'))
        .flatMap(actionsOf);
      // THEN X-Ray and log delivery are the only ones
      expect(onAnyResource.filter((action) => !actionsWithoutResourceLevelPermissions.has(action))).toEqual([]);
    });

    const grantsByAccess: Partial<Record<Access, string>> = {
      'workflow:start': 'states:StartExecution',
      'workflow:callback': 'states:SendTaskSuccess',
      email: 'ses:SendEmail',
      'webhook:secret': 'secretsmanager:GetSecretValue',
      'orderEvents:publish': 'events:PutEvents',
    };

    it.each(handlerNames)('handler %s holds the workflow, email and secret grants its wiring lists, and no others', (name) => {
      // GIVEN the handler's access list in infra/wiring.ts
      const access: readonly Access[] = spec(name).access;
      // WHEN its role's actions are read
      const actions = statementsOfRole(roleId(name)).flatMap(actionsOf);
      // THEN each guarded action is granted exactly when the access list asks for it
      for (const [kind, action] of Object.entries(grantsByAccess)) {
        expect({ kind, granted: actions.includes(action) }).toEqual({ kind, granted: access.includes(kind as Access) });
      }
    });

    const itemWrites = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    it.each(handlerNames)('handler %s may make only the item calls its wiring implies, table by table', (name) => {
      // GIVEN the handler's access list in infra/wiring.ts
      const access: readonly Access[] = spec(name).access;
      const expected = {
        orders: access.includes('orders:write') ? itemWrites : access.includes('orders:read') ? ['dynamodb:GetItem'] : [],
        idempotency: access.includes('idempotency') ? itemWrites : [],
        salesView: access.includes('salesView:update') ? ['dynamodb:GetItem', 'dynamodb:UpdateItem'] : [],
      };
      // WHEN the actions its role holds on each table are read
      const actionsOn = (table: TableName): string[] =>
        statementsOfRole(roleId(name))
          .filter((statement) => JSON.stringify(statement.Resource).includes(`"${logicalId(stack.tables[table])}"`))
          .flatMap(actionsOf)
          .sort();
      // THEN they are exactly those: no Scan, Query or batch access to orders, idempotency records or the sales view
      expect({ orders: actionsOn('orders'), idempotency: actionsOn('idempotency'), salesView: actionsOn('salesView') }).toEqual(expected);
    });

    it('lets callback handlers answer task tokens of the order state machine only', () => {
      // GIVEN each handler wired with workflow:callback, THEN it may send task results to the order state machine and nowhere else
      const callbacks = handlerNames.filter((name) => spec(name).access.includes('workflow:callback'));
      for (const name of callbacks) {
        const answering = statementsOfRole(roleId(name)).filter((statement) =>
          actionsOf(statement).includes('states:SendTaskSuccess'),
        );
        expect(answering).toEqual([
          expect.objectContaining({
            Action: expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']),
            Resource: { Ref: logicalId(stack.workflow.stateMachine) },
          }),
        ]);
      }
    });
  });

  describe('email', () => {
    const sending = (): Statement[] =>
      Object.values(policies)
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => actionsOf(statement).includes('ses:SendEmail'));

    it('creates the sender identity with the configuration set as its default', () => {
      // GIVEN senderIdentity "create", THEN the sender's identity exists and sends through the configuration set
      template.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: settings.senderEmail,
        ConfigurationSetAttributes: { ConfigurationSetName: { Ref: logicalId(stack.email.configurationSet) } },
      });
    });

    it('lets handlers make only the SendEmail call, as the sender, through its configuration set', () => {
      // GIVEN the statements that allow sending
      const statements = sending();
      // THEN each allows SendEmail alone and names the sender identity and the configuration set
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Action).toBe('ses:SendEmail');
        const resources = JSON.stringify(statement.Resource);
        expect(resources).toContain(`"Ref":"${logicalId(stack.email.identity as ses.EmailIdentity)}"`);
        expect(resources).toContain(':configuration-set/');
        expect(resources).toContain(`"Ref":"${logicalId(stack.email.configurationSet)}"`);
      }
    });

    it('in the sandbox, also allows each recipient identity: the partners and the test customers', () => {
      // GIVEN a sandbox account, where SES authorizes a send against the recipients' identities too
      const recipients = [synthContext.cakeMakerEmail, synthContext.deliveryEmail, synthContext.customerServiceEmail, ...synthContext.ses.testCustomerEmails];
      // THEN every sending statement names each of them
      for (const statement of sending()) {
        for (const recipient of recipients) expect(JSON.stringify(statement.Resource)).toContain(`:identity/${recipient}`);
      }
    });

    it('reports bounces and complaints to the ops topic', () => {
      // GIVEN the configuration set, THEN its event destination sends those two events to ops
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: { Ref: logicalId(stack.email.configurationSet) },
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: ['bounce', 'complaint'],
          SnsDestination: { TopicARN: { Ref: logicalId(stack.alarms.topic) } },
        },
      });
    });

    it('lets SES publish to the encrypted ops topic for this configuration set only', () => {
      // GIVEN the ops topic's policy and its key's policy
      const fromThisConfigurationSet = Match.objectLike({
        ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':configuration-set/'])] }) },
      });
      // THEN SES may publish and use the key, on behalf of the configuration set
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish' }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'ses.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Condition: fromThisConfigurationSet,
            }),
          ]),
        },
      });
    });
  });

  describe('handlers', () => {
    it('run on Node.js 22 on arm64 with X-Ray active tracing', () => {
      // GIVEN one function per handler in infra/wiring.ts, THEN every one has the shared runtime defaults
      template.resourceCountIs('AWS::Lambda::Function', handlerNames.length);
      template.allResourcesProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    });

    it('map stack traces through source maps and name the Powertools service', () => {
      // GIVEN every function, THEN Node reads the bundled source maps and Powertools knows the service
      template.allResourcesProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: Match.anyValue() }),
        },
      });
    });

    it('log to log groups that expire', () => {
      // GIVEN each function's log group
      for (const name of handlerNames) {
        const fn = template.findResources('AWS::Lambda::Function')[functionId(name)];
        const logGroupId: string = fn.Properties.LoggingConfig.LogGroup.Ref;
        // THEN it has a retention period
        expect(template.findResources('AWS::Logs::LogGroup')[logGroupId].Properties.RetentionInDays).toEqual(expect.any(Number));
      }
    });

    it.each(handlerNames)('handler %s receives the variables its wiring entry implies, and no others', (name) => {
      // GIVEN the handler's wiring entry
      const { access, settings: readsSettings = [] } = spec(name);
      const expected = new Set(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'PUBLIC_BASE_URL']);
      if (access.includes('orders:read') || access.includes('orders:write')) expected.add(tables.orders.env);
      if (access.includes('idempotency')) expected.add(tables.idempotency.env);
      if (access.includes('salesView:update')) expected.add(tables.salesView.env);
      if (access.includes('email')) expected.add(settingSpecs.senderEmail.env);
      if (access.includes('workflow:start')) expected.add('STATE_MACHINE_ARN');
      if (access.includes('webhook:secret')) expected.add('WEBHOOK_SECRET_ARN');
      if (access.includes('orderEvents:publish')) expected.add('ORDER_EVENT_BUS_ARN');
      for (const setting of readsSettings) {
        const settingSpec = settingSpecs[setting];
        if ('env' in settingSpec) expected.add(settingSpec.env);
      }
      // WHEN its synthesized environment is read
      const fn = template.findResources('AWS::Lambda::Function')[functionId(name)];
      // THEN it holds exactly those variables
      expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual([...expected].sort());
    });

    it('tell every handler the API URL, without a trailing slash', () => {
      // GIVEN every function, THEN PUBLIC_BASE_URL is the API endpoint, which API Gateway gives without a trailing slash
      template.allResourcesProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ PUBLIC_BASE_URL: { 'Fn::GetAtt': [logicalId(stack.api.httpApi), 'ApiEndpoint'] } }),
        },
      });
    });

    it('give the order-placing handler the ARN of the state machine it starts', () => {
      // GIVEN the handler wired with workflow:start, THEN it knows which state machine to start
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: { Ref: logicalId(stack.workflow.stateMachine) } }) },
      });
    });
  });

  describe('log groups', () => {
    it('are retained only under names a stack created again cannot collide with', () => {
      // GIVEN every log group the stack keeps after a rollback or destroy
      const retained = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(
        ([, logGroup]) => logGroup.DeletionPolicy === 'Retain',
      );
      // THEN each has a generated name, or a name made unique by the stack id
      expect(retained.length).toBeGreaterThan(0);
      for (const [id, logGroup] of retained) {
        const name = logGroup.Properties.LogGroupName;
        expect({ id, unique: name === undefined || JSON.stringify(name).includes('"Ref":"AWS::StackId"') }).toEqual({ id, unique: true });
      }
    });
  });

  describe('tables', () => {
    it('keeps orders by orderId, billed on demand, encrypted, with point-in-time recovery', () => {
      // GIVEN the orders table spec in infra/tables.ts, THEN the table matches it and is protected
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: tables.orders.partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('keeps idempotency records by id and expires them on their expiration attribute', () => {
      // GIVEN the idempotency table spec, THEN Powertools' key and expiry attribute are used
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });
  });

  describe('sales view', () => {
    const ruleId = (): string => logicalId(stack.salesView.rule);
    const queueArn = (): unknown => ({ 'Fn::GetAtt': [logicalId(stack.salesView.deadLetterQueue), 'Arn'] });

    it('keeps the view in its own table, by partition and sort key, billed on demand, encrypted, with point-in-time recovery', () => {
      // GIVEN the sales view table spec in infra/tables.ts, THEN its table has both keys and is protected
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: tables.salesView.partitionKey, KeyType: 'HASH' },
          { AttributeName: tables.salesView.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('subscribes on the order events bus to the shop source and exactly the detail types the view counts', () => {
      // GIVEN the synthesized rule, THEN it is on the order events bus with the view's pattern
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalId(stack.orderEvents.bus) },
        State: 'ENABLED',
        EventPattern: { source: [orderEvents.source], 'detail-type': [...salesViewEventTypes] },
      });
    });

    it('targets the update-sales-view handler with a retry policy and the dead-letter queue', () => {
      // GIVEN the rule's target, THEN it invokes the handler, retries as set and dead-letters to the queue
      expect(template.findResources('AWS::Events::Rule')[ruleId()].Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [functionId('updateSalesView'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: subscriptionDelivery.ruleRetryAttempts, MaximumEventAgeInSeconds: subscriptionDelivery.ruleMaxEventAge.toSeconds() },
          DeadLetterConfig: { Arn: queueArn() },
        }),
      ]);
    });

    it('sends events the handler failed on to the same dead-letter queue once Lambda gives up', () => {
      // GIVEN the handler's asynchronous invocation config, THEN Lambda retries as set and then sends to the queue
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId('updateSalesView') },
        MaximumRetryAttempts: subscriptionDelivery.asyncRetryAttempts,
        MaximumEventAgeInSeconds: subscriptionDelivery.asyncMaxEventAge.toSeconds(),
        DestinationConfig: { OnFailure: { Destination: queueArn() } },
      });
    });

    it('encrypts the dead-letter queue and refuses it over plain HTTP', () => {
      // GIVEN the queue and its policy, THEN it is SQS-encrypted, and the policy denies requests without TLS
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: subscriptionDelivery.deadLetterRetention.toSeconds() });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(stack.salesView.deadLetterQueue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId(), 'Arn'] } } },
            }),
          ]),
        },
      });
    });

    it('pages ops when the dead-letter queue holds a message', () => {
      // GIVEN the queue's visible messages metric, THEN an alarm on it notifies the ops topic
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.salesView.deadLetterQueue), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: logicalId(stack.alarms.topic) }],
      });
    });

    it('lets the handler write the view table and its dead-letter queue, and nothing else', () => {
      // GIVEN the handler's role, WHEN its statements are read, THEN beyond X-Ray it may only update the view and send to the queue
      const statements = statementsOfRole(roleId('updateSalesView')).filter((statement) => !actionsOf(statement).every((action) => action.startsWith('xray:')));
      expect(statements).toEqual([
        expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: [{ 'Fn::GetAtt': [logicalId(stack.tables.salesView), 'Arn'] }] }),
        // Lambda sends a failed event to the on-failure destination as the function's role.
        expect.objectContaining({ Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: queueArn() }),
      ]);
    });

    it('gives no other handler access to the view table', () => {
      // GIVEN every handler but the view's, THEN none of its statements names the view table
      for (const name of handlerNames.filter((candidate) => candidate !== 'updateSalesView')) {
        expect({ name, statements: statementsOfRole(roleId(name)).filter((statement) => JSON.stringify(statement.Resource).includes(logicalId(stack.tables.salesView))) }).toEqual({ name, statements: [] });
      }
    });
  });

  describe('OrderStuck', () => {
    const rule = () => template.findResources('AWS::Events::Rule')[logicalId(stack.orderStuck.rule)].Properties;

    it("subscribes on the account's default bus to the order state machine's FAILED, TIMED_OUT and ABORTED status changes", () => {
      // GIVEN the synthesized rule, THEN it is on the default bus, where Step Functions sends, and matches only those
      expect(rule().EventBusName).toBe('default');
      expect(rule().EventPattern).toEqual({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: logicalId(stack.workflow.stateMachine) }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      });
    });

    it('targets the OrderStuck publisher with a retry policy and a dead-letter queue that pages ops', () => {
      // GIVEN the rule's target and the queue's alarm, THEN it invokes the publisher, retries, dead-letters and alarms
      const queueArn = { 'Fn::GetAtt': [logicalId(stack.orderStuck.deadLetterQueue), 'Arn'] };
      expect(rule().Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [functionId('publishOrderStuck'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: subscriptionDelivery.ruleRetryAttempts, MaximumEventAgeInSeconds: subscriptionDelivery.ruleMaxEventAge.toSeconds() },
          DeadLetterConfig: { Arn: queueArn },
        }),
      ]);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: functionId('publishOrderStuck') }, DestinationConfig: { OnFailure: { Destination: queueArn } } });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.orderStuck.deadLetterQueue), 'QueueName'] } }],
        AlarmActions: [{ Ref: logicalId(stack.alarms.topic) }],
      });
    });
  });

  describe('HTTP API', () => {
    const routeTable = routes.map((route) => [`${route.method} ${route.path}`, route.handler]);
    it.each(routeTable)('routes %s to handler %s', (routeKey, handler) => {
      // GIVEN the route's integration
      const [route] = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
      const integrationId: string = route.Properties.Target['Fn::Join'][1][1].Ref;
      const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId];
      // THEN it proxies to the handler infra/routes.ts names
      expect(integration.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionId(handler as HandlerName), 'Arn'] });
    });

    it('has no routes beyond infra/routes.ts', () => {
      // GIVEN infra/routes.ts, THEN the API has no route it does not list
      template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    });

    it('answers preflights from the configured shop origins, for POST with JSON and an idempotency key', () => {
      // GIVEN the shopOrigins setting, THEN API Gateway's CORS configuration admits exactly those origins
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: {
          AllowOrigins: shopOrigins(settings.shopOrigins),
          AllowMethods: ['POST'],
          AllowHeaders: ['content-type', 'idempotency-key'],
          MaxAge: shopCors.maxAgeSeconds,
        },
      });
    });

    it('throttles every route by default', () => {
      // GIVEN the $default stage, THEN it limits the rate and burst of every route
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      });
    });

    it('writes access logs that never record the path or query string', () => {
      // GIVEN the stage's access log format
      const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
      const format: string = stage.Properties.AccessLogSettings.Format;
      // THEN it records requests by route template and leaves out what links carry
      expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      expect(JSON.parse(format)).toEqual(
        expect.objectContaining({ requestId: '$context.requestId', routeKey: '$context.routeKey' }),
      );
      expect(format).not.toMatch(/\$context\.path|querystring|\$request\.|\$context\.requestOverride/i);
    });
  });

  describe('alarms', () => {
    const topicRef = (): unknown => ({ Ref: logicalId(stack.alarms.topic) });

    it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])('pages ops on %s of the order workflow', (metric) => {
      // GIVEN the state machine metric, THEN an alarm on it notifies the ops topic
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(stack.workflow.stateMachine) } }],
        AlarmActions: [topicRef()],
      });
    });

    it.each(handlerNames)('pages ops when handler %s throws', (name) => {
      // GIVEN the handler's Errors metric, THEN an alarm on it notifies the ops topic
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        AlarmActions: [topicRef()],
      });
    });

    const alarmArnsOfThisAccount = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*'],
      ],
    };
    const fromAlarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': alarmArnsOfThisAccount },
    };

    it('lets CloudWatch publish to the ops topic for alarms of this account only', () => {
      // GIVEN the ops topic's policy, which replaces SNS's default one
      // THEN it allows the CloudWatch service to publish, on behalf of this account's alarms
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topicRef()],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicRef(),
              Condition: fromAlarmsOfThisAccount,
            }),
          ]),
        },
      });
    });

    it('still refuses to take messages over plain HTTP', () => {
      // GIVEN the ops topic's policy, THEN publishing without TLS is denied to everyone
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topicRef()],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('encrypts the ops topic with a rotated key CloudWatch may use for alarms of this account only', () => {
      // GIVEN the ops topic and its key
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.alarms.key), 'Arn'] },
      });
      // THEN CloudWatch may make the data key calls SNS makes for a publisher, with the topic policy's conditions
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Condition: fromAlarmsOfThisAccount,
            }),
          ]),
        },
      });
    });

    it('subscribes no one when no ops email is set', () => {
      // GIVEN the default settings, where opsEmail is empty, THEN the topic has no subscription
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  describe('outputs', () => {
    it('prints the API URL', () => {
      // GIVEN the stack outputs, THEN ApiUrl is the API endpoint
      template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [logicalId(stack.api.httpApi), 'ApiEndpoint'] } });
    });

    it('links to the state machine in the Step Functions console', () => {
      // GIVEN the stack outputs, THEN the console link names the region and the state machine ARN
      template.hasOutput('StateMachineConsoleUrl', {
        Value: {
          'Fn::Join': [
            '',
            [
              'https://',
              { Ref: 'AWS::Region' },
              '.console.aws.amazon.com/states/home?region=',
              { Ref: 'AWS::Region' },
              '#/statemachines/view/',
              { Ref: logicalId(stack.workflow.stateMachine) },
            ],
          ],
        },
      });
    });
  });

  describe('cdk-nag AwsSolutions checks', () => {
    it('find nothing that is neither fixed nor acknowledged', () => {
      // GIVEN the synthesized stack, WHEN the AwsSolutions pack checks it
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
      // THEN there is no error and no warning left
      const findings = report.violations.map(
        (violation) => `${violation.severity} ${violation.ruleName}: ${violation.description}`,
      );
      expect(findings).toEqual([]);
    });

    it('acknowledge each finding with a reason, and IAM findings one by one', () => {
      // GIVEN every acknowledgement recorded in the construct tree
      const acknowledgements = stack.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
      // THEN each gives a reason and wildcard IAM findings name the exact wildcard
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const [id, reason] of acknowledgements) {
        expect({ id, reason: reason.length > 20 }).toEqual({ id, reason: true });
        if (/AwsSolutions-IAM[45]/.test(id)) expect(id).toMatch(/AwsSolutions-IAM[45]\[.+\]$/);
      }
    });
  });
});

describe('the cake shop stack with an ops email', () => {
  it('subscribes the ops email to the alarm topic', () => {
    // GIVEN an ops email in the cakeShop context
    const context = { ...synthContext, opsEmail: 'ops@cake-shop-orders.net' };
    // WHEN the stack is synthesized
    const { template } = synthesize(settingsFromContext(context));
    // THEN the topic has that email subscription
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@cake-shop-orders.net',
      TopicArn: { Ref: Match.stringLikeRegexp('^OpsAlarmsTopic') },
    });
  });
});

describe('the cake shop stack on an SES account', () => {
  const withContext = (changes: Record<string, unknown>, ses: Record<string, unknown> = {}) =>
    settingsFromContext({ ...synthContext, ...changes, ses: { ...synthContext.ses, ...ses } });
  const sendingStatements = (template: Template): Statement[] =>
    Object.values(template.findResources('AWS::IAM::Policy') as Record<string, PolicyResource>)
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => actionsOf(statement).includes('ses:SendEmail'));

  it('in production, lets handlers send through the sender identity and configuration set only', () => {
    // GIVEN an account with SES production access
    const { template } = synthesize(withContext({}, { account: 'production' }));
    // WHEN the statements that allow sending are read
    const sending = sendingStatements(template);
    // THEN they name no recipient identity
    expect(sending.length).toBeGreaterThan(0);
    for (const statement of sending) {
      expect(JSON.stringify(statement.Resource)).not.toContain('simulator.amazonses.com');
      expect([statement.Resource].flat()).toHaveLength(2);
    }
  });

  it('with an identity already verified, creates none and grants sending as that address', () => {
    // GIVEN a sender address verified before the deploy
    const { template } = synthesize(withContext({}, { senderIdentity: 'existing' }));
    // THEN no identity is created, sending is granted on the existing one's ARN, and the configuration set to attach
    // to it is an output
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    for (const statement of sendingStatements(template)) {
      expect(JSON.stringify(statement.Resource)).toContain(`:identity/${synthContext.senderEmail}`);
    }
    template.hasOutput('EmailConfigurationSetName', { Value: { Ref: Match.stringLikeRegexp('^EmailConfigurationSet') } });
  });

  it('does not mail a partner reached by webhook, so its example address is no obstacle', () => {
    // GIVEN the delivery company on a webhook, with its email left at the example default
    const props = withContext({ deliveryEmail: 'dispatch@delivery.example.com', deliveryWebhookUrl: 'https://dispatch.cake-shop-orders.net/hook' });
    // WHEN the stack is synthesized
    const { template } = synthesize(props);
    // THEN it builds, and no grant names that address
    for (const statement of sendingStatements(template)) {
      expect(JSON.stringify(statement.Resource)).not.toContain('delivery.example.com');
    }
  });

  it('refuses to synthesize while the shop still has example.com addresses, naming each setting', () => {
    // GIVEN the defaults of infra/settings.ts, which are example.com addresses
    const props = settingsFromContext({ ses: synthContext.ses });
    // WHEN the stack is built, THEN it fails before any resource exists, naming what to change and where
    expect(() => synthesize(props)).toThrow(
      /cakeShop\.senderEmail "orders@cake-shop\.example\.com" is at cake-shop\.example\.com, a domain reserved for examples/,
    );
    expect(() => synthesize(props)).toThrow(/cakeShop\.cakeMakerEmail .*\n.*cakeShop\.deliveryEmail .*\n.*cakeShop\.customerServiceEmail/);
    expect(() => synthesize(props)).toThrow(/README "Deploying to AWS"/);
  });

  it('refuses a sandbox account with no test customers, whose every order would fail', () => {
    // GIVEN a sandbox account and no verified customer addresses
    const props = withContext({}, { testCustomerEmails: [] });
    // WHEN the stack is built, THEN it fails and says what to list
    expect(() => synthesize(props)).toThrow(/cakeShop\.ses\.testCustomerEmails is empty/);
  });

  it('refuses the mailbox simulator as the sender', () => {
    // GIVEN the simulator, which can receive without verification but never send
    const props = withContext({ senderEmail: 'success@simulator.amazonses.com' });
    // THEN the stack is refused
    expect(() => synthesize(props)).toThrow(/cakeShop\.senderEmail .* cannot be a sender/);
  });

  it('rejects an ses setting it does not know, naming the values it takes', () => {
    // GIVEN a typo in the account kind, THEN reading the context fails with the choices
    expect(() => withContext({}, { account: 'prod' })).toThrow('Setting cakeShop.ses.account must be "sandbox" or "production", got "prod"');
    expect(() => withContext({}, { sandbox: true })).toThrow(/unknown keys sandbox/);
  });
});

describe('the cake shop stack without shop origins', () => {
  it('configures no CORS, so no other site may call the API from a browser', () => {
    // GIVEN no shopOrigins setting
    const { template } = synthesize(settingsFromContext({ ...synthContext, shopOrigins: '' }));
    // THEN the API has no CORS configuration
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });
});
