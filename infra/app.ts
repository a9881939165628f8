import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CakeShopStack } from './cake-shop-stack';
import { resolveSettings } from './settings';

const app = new App();

// cdk.json gives the context as an object; `-c cakeShop='{"opsEmail":"…"}'` gives it as a JSON string.
const cakeShopContext: unknown = app.node.tryGetContext('cakeShop');
const overrides = typeof cakeShopContext === 'string' ? JSON.parse(cakeShopContext) : (cakeShopContext ?? {});

new CakeShopStack(app, 'CakeShop', {
  description: 'Cake shop orders: one Step Functions execution per order',
  // Left undefined without credentials, which keeps `cdk synth` offline and the stack environment-agnostic.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  settings: resolveSettings(overrides),
});

// A finding that is neither fixed nor acknowledged with a reason stops the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
