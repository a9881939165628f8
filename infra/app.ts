import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CakeShopStack, settingsFromContext } from './cake-shop-stack';

const app = new App();

new CakeShopStack(app, 'CakeShop', {
  description: 'Cake shop orders: one Step Functions execution per order',
  // Left undefined without credentials, which keeps `cdk synth` offline and the stack environment-agnostic.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  ...settingsFromContext(app.node.tryGetContext('cakeShop')),
});

// A finding that is neither fixed nor acknowledged with a reason stops the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
