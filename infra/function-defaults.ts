/**
 * The Lambda defaults every shop handler shares, defined once without CDK imports so the local Lambda runner
 * and the bundle benchmark read the same numbers as the `ShopFunction` construct.
 */
import * as path from 'node:path';

/** Entries in infra/wiring.ts are relative to the repository root, whatever directory a tool runs from. */
export const repositoryRoot = path.join(__dirname, '..');

export const powertoolsServiceName = 'cake-shop-orders';

export const functionDefaults = {
  timeoutSeconds: 10,
  memorySizeMb: 256,
  bundling: {
    minify: true,
    sourceMap: true,
    // Stack traces only need file and line; leaving the sources out of the map keeps the package small.
    sourcesContent: false,
    target: 'node22',
    // The Node.js 22 Lambda runtime provides the AWS SDK v3, so NodejsFunction leaves it out of the bundle.
    external: ['@aws-sdk/*'],
  },
} as const;
