import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { appWithoutBundling, deployable, synthesize } from './synth';

jest.setTimeout(180_000);

let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'cake-shop-cfn-lint-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the synthesized template', () => {
  test('cfn-lint, which checks it against the CloudFormation resource specification, finds no errors', () => {
    // GIVEN the stack as CI synthesizes it, with bundling skipped: cfn-lint reads the template, not the code
    const app = appWithoutBundling({ outdir });
    const { stack } = synthesize(deployable, app);
    const templateFile = app.synth().getStackArtifact(stack.artifactId).templateFullPath;

    // WHEN cfn-lint reads it
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', templateFile], { encoding: 'utf8' });

    // THEN it ran, and reported no errors (warnings, such as CDK's own DependsOn on a role, are allowed)
    if (lint.error) throw new Error(`cfn-lint could not run (${lint.error.message}); install it with pip install cfn-lint`);
    const errors = lint.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(lint.status! & 2).toBe(0);
  });
});
