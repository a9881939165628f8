import { App, type AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CakeShopStack, settingsFromContext, type CakeShopStackProps } from '../../infra/cake-shop-stack';
import synthContext from './synth-context.json';

/** The context CI synthesizes with (.ci/run): a sandbox account, SES mailbox simulator recipients, one shop origin. */
export const deployable = settingsFromContext(synthContext);

/**
 * An app that bundles no stack, as `cdk synth --exclusively` does for the stacks it leaves out: each handler's code
 * becomes a placeholder asset instead of an esbuild run. The infra tests read the template and the construct tree,
 * which differ only in the assets' S3 keys.
 */
export const appWithoutBundling = (props: AppProps = {}): App =>
  new App({ ...props, context: { ...props.context, 'aws:cdk:bundling-stacks': [] } });

/** The CakeShop stack and its template, synthesized without bundling. */
export function synthesize(
  props: Pick<CakeShopStackProps, 'settings' | 'email'> = deployable,
  app: App = appWithoutBundling(),
): { stack: CakeShopStack; template: Template } {
  const stack = new CakeShopStack(app, 'CakeShop', props);
  return { stack, template: Template.fromStack(stack) };
}
