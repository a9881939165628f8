import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portSpecs, type PortName } from '../../infra/local/ports';
import { LocalStack } from '../support/local-stack';

jest.setTimeout(120_000);

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' });
const scenario = awsCli.status === 0 ? test : (name: string, fn: () => Promise<void>) => test.skip(`${name} [needs the AWS CLI on PATH]`, fn);

/** The shell blocks of the README that drive the local stack with the AWS CLI. */
const cliBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block).filter((block) => /^aws .*--endpoint-url http:\/\/127\.0\.0\.1/m.test(block));

/** The commands of a block, a backslash-continued line joined to the next. */
const commandsOf = (block: string) => block.replace(/\\\n\s*/g, '').split('\n').filter((line) => line.trim() !== '');

let stack: LocalStack;

beforeAll(async () => {
  stack = await LocalStack.start();
});

afterAll(() => stack?.stop());

/** The README's line as a developer would run it against this stack: the documented default ports moved to the stack's. */
function onThisStack(line: string): string {
  let moved = line;
  for (const [name, spec] of Object.entries(portSpecs) as [PortName, (typeof portSpecs)[PortName]][]) {
    moved = moved.replaceAll(`127.0.0.1:${spec.default}`, `127.0.0.1:${new URL(stack.urls[name]).port}`);
  }
  return moved;
}

describe("the README's commands, run as written", () => {
  scenario('GIVEN the quick start order and the AWS CLI lines WHEN a developer runs them against npm start THEN each succeeds and answers what the README says', async () => {
    // GIVEN the README's curl order from the quick start
    const curl = /^\$ (curl -s -X POST http:\/\/127\.0\.0\.1:3000\/order [^\n]*\\\n[^\n]*)$/m.exec(readme)?.[1];
    expect(curl).toBeDefined();

    // WHEN it is run, the order is placed
    const placed = JSON.parse(execFileSync('bash', ['-c', onThisStack((curl as string).replace(/\\\n\s*/g, ''))], { encoding: 'utf8' })) as { orderId: string; status: string };
    expect(placed.status).toBe('PLACED');
    const executionArn = `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:order-${placed.orderId}`;

    // AND every AWS CLI line of the README runs with the export before it, answering JSON about that order
    expect(cliBlocks.length).toBeGreaterThan(0);
    for (const block of cliBlocks) {
      const [exportLine, ...commands] = commandsOf(block);
      expect(exportLine).toMatch(/^export /);
      for (const command of commands) {
        const line = onThisStack(command).replace('<arn from above>', executionArn);
        const run = spawnSync('bash', ['-c', `${exportLine}\n${line}`], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
        expect({ command, status: run.status, stderr: run.stderr }).toEqual({ command, status: 0, stderr: '' });
        expect(() => JSON.parse(run.stdout)).not.toThrow();
        if (command.includes('list-executions') || command.includes('get-execution-history') || command.includes('dynamodb scan')) {
          expect(run.stdout).toContain(placed.orderId);
        }
      }
    }
  });
});
