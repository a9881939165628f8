import * as fs from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { paginateScan } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { repositoryRoot } from '../function-defaults';
import { resolveSettings, type Settings } from '../settings';
import { handlers, type HandlerName } from '../wiring';
import { localDeployment } from './cloud-assembly';
import { createApiServer, type Mount } from './api-gateway';
import { createConsole } from './console';
import { ensureTables, localDynamoDbClient, startDynamoDb, type LocalDynamoDb } from './dynamodb';
import { LocalEmailService } from './email';
import { LocalEventBridge } from './eventbridge';
import { LambdaServiceException, ManualClock, openEngine, startStepFunctionsServer, type Engine, type LambdaRegistry } from './engine';
import { accessKeyOf, localAccessKeyId, LocalIam, revokeGrants, revokedGrantsFrom, type RevokedGrant } from './iam';
import { functionArn } from './lambda-context';
import { createLambdaFunctions, localFunctionName, localIdentity, localTableNames } from './lambda-functions';
import { claimPorts, closeServer, listen, localHost, portSpecs, resolvePorts, type Ports } from './ports';
import { deployStateMachine } from './state-machine';
import { LocalSecretsManager } from './secrets-manager';
import { UsageMeter, usageMount } from './usage';

export const stateMachineName = 'cake-shop-order';

/**
 * How long an API request waits for a free sandbox of its function before it is answered 503 with Retry-After.
 * On AWS a function scales out to the account's concurrency (1,000), so 50 customers at once are never throttled;
 * here each function has only a few sandboxes, and throttling the rest made a client sleep a whole Retry-After
 * second per refusal (POST /order p99 10 s at 50 clients). A request served a moment later is nearer what AWS
 * does. The handler's timeout still starts only once a sandbox has the event. Workflow tasks are throttled at once,
 * as Lambda throttles them, and the workflow retries.
 */
export const apiSandboxWaitMs = 3000;

export interface LocalStackOptions {
  ports: Ports;
  dataDir: string;
  /** Run the engine on a ManualClock that only LocalStepFunctions.AdvanceClock moves. */
  testClock: boolean;
  /** Invocations in flight per function before it throttles; lambda-runner's defaultConcurrency when unset. */
  lambdaConcurrency?: number;
  settings: Settings;
  /**
   * Grants taken out of the synthesized roles, as if infra/ never made them (`LOCAL_IAM_WITHOUT`), to see what a
   * function does without one.
   */
  withoutGrants?: RevokedGrant[];
  log?: (line: string) => void;
}

export interface RunningStack {
  urls: { shop: string; ops: string; email: string; stepFunctions: string; dynamodb: string; secretsManager: string; eventBridge: string };
  stateMachineArn: string;
  dataDir: string;
  email: LocalEmailService;
  /** What the data directory held at start: orders, and executions the engine resumed. */
  found: { orders: number; runningExecutions: number };
  /** Faults a test can cause: DynamoDB answering slowly, a sandbox of a function dying mid-invocation. */
  faults: {
    delayDynamoDb(ms: number): void;
    killBusySandbox(handler: HandlerName): Promise<boolean>;
  };
  stop(): Promise<void>;
}

/**
 * The shop settings from cdk.json's `cakeShop` context, the same keys the CDK app reads, with any given as JSON in
 * LOCAL_CAKE_SHOP_SETTINGS over them, as `-c cakeShop='{...}'` overrides them for CDK.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const cdkJson = path.join(repositoryRoot, 'cdk.json');
  const context = fs.existsSync(cdkJson)
    ? ((JSON.parse(fs.readFileSync(cdkJson, 'utf8')) as { context?: { cakeShop?: object } }).context?.cakeShop ?? {})
    : {};
  let overrides: object = {};
  try {
    overrides = JSON.parse(env.LOCAL_CAKE_SHOP_SETTINGS || '{}') as object;
  } catch (error) {
    throw new Error(`LOCAL_CAKE_SHOP_SETTINGS must be a JSON object like '{"deliveryWebhookUrl":"http://127.0.0.1:9000/hook"}': ${(error as Error).message}`);
  }
  return resolveSettings({ ...context, ...overrides });
}

/**
 * The local account's SES quota. cakeShop.maxSendRate describes the AWS account's quota; this machine's is
 * LOCAL_SES_MAX_SEND_RATE, unlimited when unset, and the handlers shape their sending to the same figure.
 */
function localSendRate(env: NodeJS.ProcessEnv): number {
  const value = env.LOCAL_SES_MAX_SEND_RATE ?? '0';
  const rate = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(rate)) {
    throw new Error(`LOCAL_SES_MAX_SEND_RATE must be a whole number of emails per second (0 for no limit), got ${JSON.stringify(value)}`);
  }
  return rate;
}

/** LOCAL_LAMBDA_CONCURRENCY, checked here so a typo stops start-up with a message rather than throttling everything. */
function lambdaConcurrencyFrom(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.LOCAL_LAMBDA_CONCURRENCY;
  if (raw === undefined || raw === '') return undefined;
  const concurrency = Number(raw);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new LocalSettingInvalid(`LOCAL_LAMBDA_CONCURRENCY must be a whole number of invocations per function, 1 or more, got ${JSON.stringify(raw)}`);
  }
  return concurrency;
}

/** A local stack variable that cannot work as set; the message says which and why. */
export class LocalSettingInvalid extends Error {
  override name = 'LocalSettingInvalid' as const;
}

/** Options from the environment: every port, the data directory, the test clock and Lambda concurrency can be set there. */
export async function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<LocalStackOptions> {
  return {
    ports: await claimPorts(resolvePorts(env)),
    dataDir: path.resolve(env.LOCAL_DATA_DIR || path.join(repositoryRoot, '.local')),
    testClock: env.LOCAL_TEST_CLOCK === '1',
    lambdaConcurrency: lambdaConcurrencyFrom(env),
    settings: { ...readSettings(env), maxSendRate: localSendRate(env) },
    withoutGrants: revokedGrantsFrom(env.LOCAL_IAM_WITHOUT),
  };
}

/**
 * Starts the whole shop in this process: dynalite, aws-ses-v2-local, the Step Functions engine with every
 * handler registered as a local Lambda function, and the API Gateway emulator with the ops console mounted.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => undefined);
  const { ports, dataDir } = options;
  fs.mkdirSync(dataDir, { recursive: true });
  const url = (port: number) => `http://${localHost}:${port}`;
  const urls = {
    shop: url(ports.shop),
    ops: `${url(ports.shop)}/ops`,
    email: url(ports.email),
    stepFunctions: url(ports.stepFunctions),
    dynamodb: url(ports.dynamodb),
    secretsManager: url(ports.secretsManager),
    eventBridge: url(ports.eventBridge),
  };
  const usage = new UsageMeter();
  const tableNames = localTableNames();
  const stateMachineArn = `arn:aws:states:${localIdentity.region}:${localIdentity.accountId}:stateMachine:${stateMachineName}`;
  const functionArns = Object.fromEntries(
    (Object.keys(handlers) as HandlerName[]).map((name) => [name, functionArn({ functionName: localFunctionName(name), ...localIdentity })]),
  ) as Record<HandlerName, string>;
  const webhookSecretArn = `arn:aws:secretsmanager:${localIdentity.region}:${localIdentity.accountId}:secret:cake-shop-webhook`;
  const unknown = (options.withoutGrants ?? []).filter((grant) => !(grant.handler in handlers));
  if (unknown.length > 0) throw new Error(`LOCAL_IAM_WITHOUT names no handler ${unknown.map((grant) => grant.handler).join(', ')}; see infra/wiring.ts`);
  const deployment = localDeployment(options.settings, { ...localIdentity, tableNames, functionArns, stateMachineArn, webhookSecretArn, publicBaseUrl: urls.shop });
  // Each denial is logged, as CloudTrail records each AccessDenied.
  const logDenial = (message: string) => log(`AccessDenied: ${message}`);
  const iam = new LocalIam(
    Object.fromEntries(
      (Object.keys(handlers) as HandlerName[]).map((name) => {
        const functionName = localFunctionName(name);
        const role = revokeGrants(deployment.functions[name].role, (options.withoutGrants ?? []).filter((grant) => grant.handler === name));
        return [localAccessKeyId(functionName), { ...role, sessionName: functionName }];
      }),
    ),
    logDenial,
  );
  const workflowPrincipal = { ...deployment.stateMachine.role, sessionName: stateMachineName };
  const functions = createLambdaFunctions({
    deployment: deployment.functions,
    endpoints: { dynamodb: urls.dynamodb, stepFunctions: urls.stepFunctions, email: urls.email, secretsManager: urls.secretsManager, eventBridge: urls.eventBridge },
    codeRoot: path.join(dataDir, 'lambda'),
    opsConsoleUrl: urls.ops,
    concurrency: options.lambdaConcurrency,
    meter: usage,
  });

  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch((error: unknown) => log(`While stopping: ${String(error)}`));
    stops.length = 0;
  };
  // Stopped last, once the engine is closed: a sandbox terminated under a running engine would fail its task.
  stops.push(async () => {
    await Promise.all(Object.values(functions).map((fn) => fn.close()));
  });

  try {
    // Cold-start every handler now, so a missing variable or a broken import stops `npm start` with its message
    // instead of failing the first order.
    await Promise.all(Object.values(functions).map((fn) => fn.load()));

    const dynamodb: LocalDynamoDb = await startDynamoDb(ports.dynamodb, dataDir, { principals: iam.principals, ...localIdentity, onDenied: logDenial });
    usage.watchDynamoDb(dynamodb.requestCounts);
    stops.push(() => dynamodb.close());
    const dynamodbClient = localDynamoDbClient(dynamodb.endpoint, localIdentity.region);
    await ensureTables(dynamodbClient, tableNames);
    let orders = 0;
    for await (const page of paginateScan({ client: dynamodbClient }, { TableName: tableNames.orders, Select: 'COUNT' })) orders += page.Count ?? 0;
    dynamodbClient.destroy();

    const email = new LocalEmailService(ports.email, dataDir, {
      maxSendRate: options.settings.maxSendRate,
      meter: usage,
      authorization: { iam, ...localIdentity },
    });
    await email.start();
    stops.push(() => email.stop());

    const secretsManager = new LocalSecretsManager({ port: ports.secretsManager, dataDir, secrets: deployment.secrets, iam });
    await secretsManager.start();
    stops.push(() => secretsManager.stop());

    // The buses and archives of the template. Rules deliver to the shop's functions; any other target is refused
    // without retries, as EventBridge refuses a target that does not exist.
    const eventBridge = new LocalEventBridge({
      port: ports.eventBridge,
      dataDir: path.join(dataDir, 'eventbridge'),
      accountId: localIdentity.accountId,
      region: localIdentity.region,
      iam,
      archives: deployment.eventBuses.flatMap((bus) => bus.archives.map((archive) => ({ ...archive, busName: bus.name }))),
      deliver: async (targetArn, _event, input) => {
        const target = Object.values(functions).find((fn) => fn.arn === targetArn);
        if (!target) throw Object.assign(new Error(`No local function ${targetArn}`), { name: 'ResourceNotFoundException', retryable: false });
        await target.invoke(JSON.parse(input) as unknown);
      },
    });
    await eventBridge.start();
    stops.push(() => eventBridge.stop());
    for (const bus of deployment.eventBuses) {
      eventBridge.ensureEventBus(bus.name);
      // The template's rules, such as the sales view's, deliver to the local functions; an event no retry could
      // deliver goes to the local dead-letter store, which /ops/dead-letters shows, where AWS would use the target's queue.
      for (const rule of bus.rules) {
        eventBridge.ensureRule(bus.name, {
          name: rule.name,
          eventPattern: rule.eventPattern,
          state: rule.state,
          targets: rule.targets.map((target) => ({
            Id: target.id,
            Arn: target.arn,
            RetryPolicy: target.retryPolicy,
            DeadLetterConfig: target.deadLetterArn === undefined ? undefined : { Arn: target.deadLetterArn },
          })),
        });
      }
    }

    // Each task invokes its function as the state machine's role; AWS reports a missing grant as below.
    const lambdas: LambdaRegistry = Object.fromEntries(
      Object.values(functions).map((fn) => [
        fn.arn,
        (payload: unknown, invocation: { awsRequestId: string }) => {
          const denied = iam.principalDenial(workflowPrincipal, 'lambda:InvokeFunction', fn.arn);
          if (denied) throw new LambdaServiceException('AWSLambdaException', denied, 403);
          return fn.invoke(payload, invocation.awsRequestId);
        },
      ]),
    );
    // Opening the engine resumes executions cut off by the last stop, so everything they call is up by now.
    const engine: Engine = await openEngine({
      dataDir: path.join(dataDir, 'step-functions'),
      clock: options.testClock ? new ManualClock(Date.now()) : undefined,
      lambdas,
      // The Publish states put events as the state machine's role, which must be allowed events:PutEvents on the bus.
      eventBridge: async (request, caller) => {
        if (caller.roleArn !== workflowPrincipal.roleArn) throw Object.assign(new Error(`No local role ${caller.roleArn}`), { name: 'AccessDeniedException' });
        return eventBridge.putEvents(request as unknown as Record<string, unknown>, (busArn) => iam.principalDenial(workflowPrincipal, 'events:PutEvents', busArn));
      },
      // As Step Functions does for Standard workflows, each status change goes to the default bus, where the
      // OrderStuck rule of the template picks up the stopped ones.
      executionStatus: (change) => {
        eventBridge.putServiceEvent('aws.states', 'Step Functions Execution Status Change', [change.executionArn], { ...change });
      },
      region: localIdentity.region,
      accountId: localIdentity.accountId,
    });
    stops.push(() => engine.close());
    const stepFunctions = await startStepFunctionsServer(engine, {
      port: ports.stepFunctions,
      host: localHost,
      // SendTask* is authorized against the state machine whose task holds the token; a token no task holds is
      // let through for the engine to answer TaskTimedOut or InvalidToken, as a replayed click gets.
      authorize: (authorization, action, input) => {
        const resource = input.stateMachineArn ?? input.executionArn ?? (action.startsWith('states:SendTask') ? engine.taskTokenOwner(input.taskToken) : '*');
        return resource === undefined ? undefined : iam.denial(accessKeyOf(authorization), action, String(resource));
      },
    });
    stops.push(() => stepFunctions.close());

    const deployedArn = await deployStateMachine(
      engine,
      stateMachineName,
      deployment.stateMachine.definition,
      deployment.stateMachine.role.roleArn,
    );
    if (deployedArn !== stateMachineArn) throw new Error(`The engine named the state machine ${deployedArn}, expected ${stateMachineArn}`);

    const mounts: Mount[] = [
      usageMount(usage),
      createConsole({
        shopApiBase: urls.shop,
        sfnEndpoint: urls.stepFunctions,
        dynamodbEndpoint: urls.dynamodb,
        ordersTable: tableNames.orders,
        region: localIdentity.region,
        stateMachineArn,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        resendUnsentMessage: (request) => functions.resendUnsentMessage.invoke(request),
        republishOrderEvent: (request) => functions.republishOrderEvent.invoke(request),
        salesViewTable: tableNames.salesView,
        deadLetters: () => eventBridge.deadLetters(),
      }),
    ];
    const api: Server = createApiServer({
      routes: deployment.api.routes,
      cors: deployment.api.cors,
      domainName: `local.execute-api.${localIdentity.region}.localhost`,
      accountId: localIdentity.accountId,
      invoke: (route, event: APIGatewayProxyEventV2) => {
        usage.apiRequest();
        return functions[route.handler].invoke(event, undefined, { waitForSandboxMs: apiSandboxWaitMs });
      },
      mounts,
      onError: (error, routeKey, requestId) =>
        log(`${routeKey} failed (request ${requestId}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`),
    });
    await listen(api, ports.shop, portSpecs.shop);
    stops.push(() => closeServer(api));

    let runningExecutions = 0;
    let nextToken: string | undefined;
    do {
      const page = await engine.listExecutions({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken });
      runningExecutions += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);

    const faults = {
      delayDynamoDb: (ms: number) => dynamodb.delayRequests(ms),
      killBusySandbox: (handler: HandlerName) => functions[handler].killBusySandbox(),
    };
    return { urls, stateMachineArn, dataDir, email, found: { orders, runningExecutions }, faults, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
