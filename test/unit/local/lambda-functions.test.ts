import { resolveSettings } from '../../../infra/settings';
import { resolveOrderDefinition } from '../../../infra/order-definition';
import { routes, type Route } from '../../../infra/routes';
import { handlers, type HandlerName } from '../../../infra/wiring';
import { localDeployment, type LocalNames } from '../../../infra/local/cloud-assembly';
import { functionArn } from '../../../infra/local/lambda-context';
import { createLambdaFunctions, localFunctionName, localIdentity, localTableNames, sdkEnvironment } from '../../../infra/local/lambda-functions';
import { localAccessKeyId } from '../../../infra/local/iam';
import { defaultConcurrency } from '../../../infra/local/lambda-runner';

jest.setTimeout(60_000);

const names: LocalNames = {
  ...localIdentity,
  tableNames: localTableNames(),
  functionArns: Object.fromEntries(
    (Object.keys(handlers) as HandlerName[]).map((name) => [name, functionArn({ functionName: localFunctionName(name), ...localIdentity })]),
  ) as Record<HandlerName, string>,
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:cake-shop-order',
  publicBaseUrl: 'http://127.0.0.1:3000',
  webhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cake-shop-webhook',
};
const settings = resolveSettings({ deliveryWebhookUrl: 'https://delivery.example.com/hook' });
const byRouteKey = (a: Route, b: Route) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`);
// Synthesized once (or read from the cache of an earlier run) for the whole file.
const deployment = localDeployment(settings, names);

describe('the local deployment, read from the synthesized stack', () => {
  test('gives placeOrder the tables and state machine CDK binds to it', () => {
    // GIVEN placeOrder, which writes orders, records idempotency and starts the workflow
    // WHEN its environment is read from the template
    const { environment } = deployment.functions.placeOrder;

    // THEN it carries exactly the variables CDK sets, resolved to the local resources
    expect(environment).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'cake-shop-orders',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      ORDERS_TABLE_NAME: 'cake-shop-orders',
      IDEMPOTENCY_TABLE_NAME: 'cake-shop-idempotency',
      STATE_MACHINE_ARN: names.stateMachineArn,
    });
  });

  test('passes the settings a handler reads under their variable names', () => {
    // GIVEN notifyDeliveryCompany, which reads the email settings and the delivery webhook
    // WHEN its environment is read from the template
    const { environment } = deployment.functions.notifyDeliveryCompany;

    // THEN the settings and the webhook secret are there
    expect(environment).toMatchObject({
      SENDER_EMAIL: 'orders@cake-shop.example.com',
      DELIVERY_EMAIL: 'dispatch@delivery.example.com',
      DELIVERY_WEBHOOK_URL: 'https://delivery.example.com/hook',
      WEBHOOK_SECRET_ARN: names.webhookSecretArn,
    });
  });

  test('gives a read-only handler no idempotency table', () => {
    // GIVEN getOrder, which only reads orders
    // WHEN its environment is read from the template
    const { environment } = deployment.functions.getOrder;

    // THEN it has the orders table and nothing it does not use
    expect(environment.ORDERS_TABLE_NAME).toBe('cake-shop-orders');
    expect(environment).not.toHaveProperty('IDEMPOTENCY_TABLE_NAME');
    expect(environment).not.toHaveProperty('STATE_MACHINE_ARN');
  });

  test('runs the definition CloudFormation would deploy: the ASL with the function ARNs and settings substituted', () => {
    // GIVEN the state machine's DefinitionString and DefinitionSubstitutions in the template
    // WHEN they are read
    // THEN they make the same definition as substituting the ASL file directly, the order events bus its local ARN
    const busArn = `arn:aws:events:${names.region}:${names.accountId}:event-bus/cake-shop-orders`;
    expect(JSON.parse(deployment.stateMachine.definition)).toEqual(JSON.parse(resolveOrderDefinition(names.functionArns, settings, busArn)));
  });

  test('serves the HTTP API routes of the template, each traced through its integration to its function', () => {
    // GIVEN the template's AWS::ApiGatewayV2::Route and Integration resources
    // THEN they are the routes infra/routes.ts defines, and no CORS is configured without shop origins
    expect([...deployment.api.routes].sort(byRouteKey)).toEqual([...routes].sort(byRouteKey));
    expect(deployment.api.cors).toBeUndefined();
  });

  test('gives a stack on another port its own public URL', () => {
    // GIVEN a second stack whose shop listens elsewhere
    const elsewhere = localDeployment(settings, { ...names, publicBaseUrl: 'http://127.0.0.1:40123' });

    // THEN its functions link to that shop, and the first stack's still to its own
    expect(elsewhere.functions.placeOrder.environment.PUBLIC_BASE_URL).toBe('http://127.0.0.1:40123');
    expect(JSON.stringify(elsewhere)).not.toContain('http://127.0.0.1:3000');
    expect(deployment.functions.placeOrder.environment.PUBLIC_BASE_URL).toBe('http://127.0.0.1:3000');
  });

  test('takes CORS from the template when shop origins are set', () => {
    // GIVEN a shop page on another site
    const withStorefront = localDeployment(resolveSettings({ shopOrigins: 'https://shop.example.net' }), names);

    // THEN the local API answers that origin as API Gateway would
    expect(withStorefront.api.cors).toEqual({
      allowOrigins: ['https://shop.example.net'],
      allowMethods: ['POST'],
      allowHeaders: ['content-type', 'idempotency-key'],
      maxAgeSeconds: 3600,
    });
  });

  test('gives each role the grants CDK wrote, resolved to the local resources', () => {
    // GIVEN the roles of placeOrder and the state machine
    const statements = (policies: { Statement: unknown[] }[]) => policies.flatMap((policy) => policy.Statement) as { Action: string | string[]; Resource: unknown }[];

    // THEN placeOrder may start the local state machine, and the state machine may invoke the local functions
    expect(statements(deployment.functions.placeOrder.role.policies)).toContainEqual(
      expect.objectContaining({ Action: 'states:StartExecution', Resource: names.stateMachineArn }),
    );
    expect(statements(deployment.stateMachine.role.policies)).toContainEqual(
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: names.functionArns.askCakeMaker }),
    );
  });

  test('points the SDK at the local services through its standard endpoint variables', () => {
    // GIVEN the local endpoints
    // WHEN the SDK environment is derived
    const environment = sdkEnvironment({ dynamodb: 'http://127.0.0.1:8000', stepFunctions: 'http://127.0.0.1:8083', email: 'http://127.0.0.1:8005', secretsManager: 'http://127.0.0.1:8006' });

    // THEN each service has its endpoint variable, and there are credentials and a region
    expect(environment).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:8083',
      AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:8005',
      AWS_REGION: 'us-east-1',
    });
    expect(environment.AWS_ACCESS_KEY_ID).toBeTruthy();
    expect(environment.AWS_SECRET_ACCESS_KEY).toBeTruthy();
  });
});

describe('createLambdaFunctions', () => {
  const endpoints = { dynamodb: 'http://127.0.0.1:8000', stepFunctions: 'http://127.0.0.1:8083', email: 'http://127.0.0.1:8005', secretsManager: 'http://127.0.0.1:8006' };
  const functions = createLambdaFunctions({ deployment: deployment.functions, endpoints, codeRoot: '/tmp/cake-shop/lambda' });

  test('makes one function per handler with the CDK defaults and its own timeout', () => {
    // GIVEN the handlers of infra/wiring.ts
    // WHEN the local functions are created
    // THEN each one has a name, the repository entry and the template's 10 second, 256 MB
    expect(Object.keys(functions).sort()).toEqual(Object.keys(handlers).sort());
    expect(functions.askCakeMaker.config).toMatchObject({
      functionName: 'cake-shop-ask-cake-maker',
      entry: expect.stringMatching(/functions\/ask-cake-maker\.ts$/),
      timeoutSeconds: 10,
      memorySizeMb: 256,
      codeDirectory: '/tmp/cake-shop/lambda/cake-shop-ask-cake-maker',
    });
  });

  test('gives each function exactly its own variables and the local endpoints, as CDK gives each its own', () => {
    // GIVEN the local functions
    // WHEN their environments are compared
    // THEN getOrder, which only reads orders, has no idempotency table or state machine, and placeOrder has both
    expect(functions.getOrder.config.environment).toEqual({
      ...sdkEnvironment(endpoints),
      AWS_ACCESS_KEY_ID: localAccessKeyId('cake-shop-get-order'),
      ...deployment.functions.getOrder.environment,
    });
    expect(functions.getOrder.config.environment).not.toHaveProperty('STATE_MACHINE_ARN');
    expect(functions.placeOrder.config.environment).toMatchObject({ STATE_MACHINE_ARN: names.stateMachineArn, IDEMPOTENCY_TABLE_NAME: 'cake-shop-idempotency' });
  });

  test('runs only the functions no route invokes in the background, at a lower CPU priority', () => {
    // GIVEN the local functions
    // THEN those the API invokes are served first, and the workflow's tasks run in the background
    expect(functions.placeOrder.config.background).toBe(false);
    expect(functions.fulfilOrder.config.background).toBe(false);
    expect(functions.askCakeMaker.config.background).toBe(true);
    expect(functions.resendUnsentMessage.config.background).toBe(true);
  });

  test('limits each function to the default concurrency unless told otherwise', () => {
    // GIVEN functions created with and without a concurrency
    const limited = createLambdaFunctions({ deployment: deployment.functions, endpoints, codeRoot: '/tmp/cake-shop/lambda', concurrency: 2 });

    // THEN the limit is the default, or the one given
    expect(functions.placeOrder.concurrency).toBe(defaultConcurrency);
    expect(limited.placeOrder.concurrency).toBe(2);
  });
});
