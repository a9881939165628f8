import { App, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CakeShopStack, settingsFromContext } from '../../infra/cake-shop-stack';
import { handlerEnvironment, localTableNames, sdkEnvironment } from '../../infra/local/lambda-functions';
import { resolveSettings } from '../../infra/settings';
import { handlers, type HandlerName } from '../../infra/wiring';
import synthContext from './synth-context.json';

/**
 * The only variable names one target may give a handler and the other not. Each applies to every handler.
 * - NODE_OPTIONS, AWS only: turns on source maps for the esbuild bundle CDK deploys; locally the handlers run
 *   from their TypeScript sources inside the stack's own process, so there is no bundle to map.
 * - AWS_*, local only: the SDK's region, credentials and per-service endpoints. In AWS the Lambda runtime supplies
 *   the region and credentials itself and the SDK uses the real endpoints; locally they point at the emulators.
 */
const documentedDifferences = {
  awsOnly: ['NODE_OPTIONS'],
  localOnly: [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ENDPOINT_URL_SFN',
    'AWS_ENDPOINT_URL_SESV2',
  ],
} as const;

type LambdaFunctionResource = { Properties: { Environment?: { Variables?: Record<string, unknown> } } };

const handlerNames = Object.keys(handlers) as HandlerName[];
const sortedUnion = (...names: (readonly string[])[]): string[] => [...new Set(names.flat())].sort();

/** What the local stack gives each handler: its own variables plus the SDK variables every handler shares. */
function localVariableNames(name: HandlerName): string[] {
  const environment = {
    ...sdkEnvironment({ dynamodb: 'http://127.0.0.1:1', stepFunctions: 'http://127.0.0.1:2', email: 'http://127.0.0.1:3' }),
    ...handlerEnvironment(handlers[name], {
      tableNames: localTableNames(),
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:cake-shop-order',
      publicBaseUrl: 'http://127.0.0.1:4',
      webhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cake-shop-webhook',
      settings: resolveSettings(),
    }),
  };
  return Object.keys(environment);
}

describe('the AWS and one-machine targets', () => {
  let awsVariableNames: Record<HandlerName, string[]>;

  // One synth bundles all sixteen handlers with esbuild, so it is done once.
  beforeAll(() => {
    // Deployable addresses: the stack refuses example.com ones, which the local stack is happy with.
    const stack = new CakeShopStack(new App(), 'CakeShop', settingsFromContext(synthContext));
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<string, LambdaFunctionResource>;
    awsVariableNames = {} as Record<HandlerName, string[]>;
    for (const name of handlerNames) {
      const logicalId = stack.getLogicalId(stack.functions[name].node.defaultChild as CfnResource);
      const fn = functions[logicalId];
      if (!fn) throw new Error(`Handler ${name} has no AWS::Lambda::Function ${logicalId} in the template`);
      awsVariableNames[name] = Object.keys(fn.Properties.Environment?.Variables ?? {});
    }
  });

  it('give every handler the same environment variable names, apart from the documented differences', () => {
    // GIVEN each handler's variable names in the synthesized template and in the local stack
    // WHEN each side is completed with the names only the other side is documented to have
    const completed = (side: (name: HandlerName) => string[], othersOnly: readonly string[]) =>
      Object.fromEntries(handlerNames.map((name) => [name, sortedUnion(side(name), othersOnly)]));
    const aws = completed((name) => awsVariableNames[name], documentedDifferences.localOnly);
    const local = completed(localVariableNames, documentedDifferences.awsOnly);
    // THEN both targets name the same variables for every handler
    expect(local).toEqual(aws);
  });
});
