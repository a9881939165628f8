import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { functionDefaults, powertoolsServiceName, repositoryRoot } from '../function-defaults';
import type { TableSpec } from '../tables';
import type { ShopEmail } from './shop-email';
import { taskTokenMasking } from './task-token-masking';

export type TableAccess = 'read' | 'write' | 'update';

// Exactly the calls the order repository, Powertools idempotency and the sales view make: no Scan, Query or batch access.
const tableActions: Record<TableAccess, readonly string[]> = {
  read: ['dynamodb:GetItem'],
  write: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  update: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
};

export interface ShopFunctionProps {
  /** Handler source file, relative to the repository root. */
  entry: string;
  timeoutSeconds?: number;
  environment?: Record<string, string>;
}

/**
 * Every shop handler, with the defaults held in one place. The `bind*` methods grant access to a resource and
 * set the variable that names it in the same call, so a handler can never hold a grant without knowing the
 * resource, or the other way round.
 */
export class ShopFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ShopFunctionProps) {
    const entry = path.join(repositoryRoot, props.entry);
    if (!fs.existsSync(entry)) {
      throw new Error(`Handler ${id} has no source file at ${props.entry} (see infra/wiring.ts)`);
    }
    super(scope, id, {
      entry,
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: path.join(repositoryRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: functionDefaults.memorySizeMb,
      timeout: Duration.seconds(props.timeoutSeconds ?? functionDefaults.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      // Callback handlers receive task tokens in their events; masking keeps a logged event from leaking one.
      logGroup: new logs.LogGroup(scope, `${id}LogGroup`, {
        retention: logs.RetentionDays.ONE_MONTH,
        dataProtectionPolicy: taskTokenMasking(),
      }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: powertoolsServiceName,
        ...props.environment,
      },
      bundling: {
        minify: functionDefaults.bundling.minify,
        sourceMap: functionDefaults.bundling.sourceMap,
        sourcesContent: functionDefaults.bundling.sourcesContent,
        target: functionDefaults.bundling.target,
        externalModules: [...functionDefaults.bundling.external],
        format: OutputFormat.CJS,
      },
    });

    // Acknowledged on the function, so each covers exactly this function's role and default policy.
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWSLambdaBasicExecutionRole only lets the function write to its own log streams.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'The shop targets Node.js 22, the runtime its handlers and the local runner are tested on.',
      },
    );
  }

  bindTable(table: dynamodb.ITable, spec: TableSpec, access: TableAccess): void {
    table.grant(this, ...tableActions[access]);
    this.addEnvironment(spec.env, table.tableName);
  }

  /** Sending is scoped to the verified sender identity, so a handler cannot mail as anyone else. */
  bindEmailSender(email: ShopEmail, senderEnv: string, senderEmail: string): void {
    email.grantSend(this);
    this.addEnvironment(senderEnv, senderEmail);
  }

  bindWorkflowStart(stateMachine: sfn.IStateMachine, env: string): void {
    stateMachine.grantStartExecution(this);
    this.addEnvironment(env, stateMachine.stateMachineArn);
  }

  /** The task token in the request names the execution, so callbacks need the grant but no variable. */
  bindWorkflowCallback(stateMachine: sfn.IStateMachine): void {
    stateMachine.grantTaskResponse(this);
  }

  /** PutEvents on this bus alone: the grant names the bus's ARN, so the handler can publish nowhere else. */
  bindEventPublisher(bus: events.IEventBus, env: string): void {
    bus.grantPutEventsTo(this);
    this.addEnvironment(env, bus.eventBusArn);
  }

  bindSecret(secret: secretsmanager.ISecret, env: string): void {
    secret.grantRead(this);
    this.addEnvironment(env, secret.secretArn);
  }
}
