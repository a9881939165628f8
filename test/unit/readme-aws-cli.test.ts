import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe("the README's AWS CLI commands", () => {
  it('GIVEN every export in the README that sets AWS_REGION WHEN AWS CLI v1, which reads only AWS_DEFAULT_REGION, runs the commands after it THEN AWS_DEFAULT_REGION is set to the same region', () => {
    const exports = [...readme.matchAll(/export [^`\n]*\bAWS_REGION=(\S+)[^`\n]*/g)];

    expect(exports.length).toBeGreaterThan(0);
    expect(exports.filter(([line, region]) => !line.includes(`AWS_DEFAULT_REGION=${region}`)).map(([line]) => line)).toEqual([]);
  });
});
