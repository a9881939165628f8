import * as fs from 'node:fs';
import * as path from 'node:path';

const functionsDir = path.join(__dirname, '..', '..', '..', 'functions');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * What an `if local` branch or a local-only client would need to mention. The local stack reaches handlers only
 * through the SDK's standard endpoint variables, which the SDK reads itself.
 */
const localKnowledge = [
  /AWS_ENDPOINT_URL/,
  /\bIS_(LOCAL|OFFLINE)\b/,
  /\bLOCAL_[A-Z_]+/,
  /127\.0\.0\.1|localhost/,
  /dynalite|aws-ses-v2-local|infra\/local/,
  /\bendpoint\s*:/,
];

describe('the handlers in functions/', () => {
  test('never ask whether they run locally, nor name a local service', () => {
    // GIVEN every source file under functions/
    const files = sourceFiles(functionsDir);

    // WHEN each is searched for knowledge of the local stack
    const found = files.flatMap((file) => {
      const source = fs.readFileSync(file, 'utf8');
      return localKnowledge.filter((pattern) => pattern.test(source)).map((pattern) => `${path.relative(functionsDir, file)}: ${pattern}`);
    });

    // THEN there is none, and the search did read the handlers
    expect(files.length).toBeGreaterThan(10);
    expect(found).toEqual([]);
  });
});
