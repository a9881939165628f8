import type { CfnResource } from 'aws-cdk-lib';
import { localDeployment } from '../../infra/local/cloud-assembly';
import { functionArn } from '../../infra/local/lambda-context';
import { createLambdaFunctions, localFunctionName, localIdentity, localTableNames } from '../../infra/local/lambda-functions';
import { resolveSettings } from '../../infra/settings';
import { handlers, type HandlerName } from '../../infra/wiring';
import { deployable, synthesize } from './synth';

/**
 * The only variable names one target gives a handler and the other not, each for every handler: the local stack
 * adds the SDK's region, credentials and per-service endpoints. In AWS the Lambda runtime supplies the region and
 * credentials itself and the SDK uses the real endpoints; locally they point at the emulators. A handler flagged
 * linksToOpsConsole also gets OPS_CONSOLE_URL locally, where /ops is (AWS has no such console).
 */
const localOnly = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
] as const;

type LambdaFunctionResource = { Properties: { Environment?: { Variables?: Record<string, unknown> } } };

const handlerNames = Object.keys(handlers) as HandlerName[];
const sortedUnion = (...names: (readonly string[])[]): string[] => [...new Set(names.flat())].sort();

/** What the local stack gives each handler: the variables of its synthesized function, plus the SDK's. */
function localVariableNames(): Record<HandlerName, string[]> {
  const deployment = localDeployment(resolveSettings(), {
    ...localIdentity,
    tableNames: localTableNames(),
    functionArns: Object.fromEntries(handlerNames.map((name) => [name, functionArn({ functionName: localFunctionName(name), ...localIdentity })])) as Record<HandlerName, string>,
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:cake-shop-order',
    publicBaseUrl: 'http://127.0.0.1:4',
    webhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cake-shop-webhook',
  });
  const functions = createLambdaFunctions({
    deployment: deployment.functions,
    endpoints: { dynamodb: 'http://127.0.0.1:1', stepFunctions: 'http://127.0.0.1:2', email: 'http://127.0.0.1:3', secretsManager: 'http://127.0.0.1:5' },
    codeRoot: '/tmp/cake-shop/lambda',
    opsConsoleUrl: 'http://127.0.0.1:4/ops',
  });
  return Object.fromEntries(handlerNames.map((name) => [name, Object.keys(functions[name].config.environment)])) as Record<HandlerName, string[]>;
}

describe('the AWS and one-machine targets', () => {
  let awsVariableNames: Record<HandlerName, string[]>;

  beforeAll(() => {
    // Deployable addresses: the stack refuses example.com ones, which the local stack is happy with.
    const { stack, template } = synthesize(deployable);
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, LambdaFunctionResource>;
    awsVariableNames = {} as Record<HandlerName, string[]>;
    for (const name of handlerNames) {
      const logicalId = stack.getLogicalId(stack.functions[name].node.defaultChild as CfnResource);
      const fn = functions[logicalId];
      if (!fn) throw new Error(`Handler ${name} has no AWS::Lambda::Function ${logicalId} in the template`);
      awsVariableNames[name] = Object.keys(fn.Properties.Environment?.Variables ?? {});
    }
  });

  it('give every handler the same environment variable names, apart from the variables only the local stack sets', () => {
    // GIVEN each handler's variable names in the deployable template and in the local stack
    // WHEN the deployable side is completed with the names only the local stack is documented to have
    const localOnlyOf = (name: HandlerName) => [...localOnly, ...('linksToOpsConsole' in handlers[name] ? ['OPS_CONSOLE_URL'] : [])];
    const aws = Object.fromEntries(handlerNames.map((name) => [name, sortedUnion(awsVariableNames[name], localOnlyOf(name))]));
    const local = Object.fromEntries(Object.entries(localVariableNames()).map(([name, names]) => [name, sortedUnion(names)]));
    // THEN both targets name the same variables for every handler
    expect(local).toEqual(aws);
  });
});
