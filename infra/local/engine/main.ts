import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolvePorts } from '../ports';
import { ManualClock, openEngine, startStepFunctionsServer, type LambdaRegistry } from './index';

const usage = `Usage: npx tsx infra/local/engine/main.ts --data-dir DIR --lambdas MODULE [options]

  --data-dir DIR             LevelDB directory; executions survive restarts of the process
  --lambdas MODULE           module whose \`lambdas\` (or default) export maps Lambda ARNs or names to handlers
  --state-machine NAME=FILE  create (or keep) a state machine from an ASL file; repeatable
  --port N                   HTTP port (default SFN_PORT or 8083; 0 picks a free one)
  --host HOST                address to listen on (default 127.0.0.1)
  --region REGION            region in ARNs (default us-east-1)
  --account-id ID            account in ARNs (default 000000000000)
  --manual-clock             run on a test clock moved by LocalStepFunctions.AdvanceClock; it resumes where it
                             was after a restart
  --clock-start ISO          where a new test clock starts (default now)

Prints one JSON line {"listening": URL} once it serves.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      lambdas: { type: 'string' },
      'state-machine': { type: 'string', multiple: true },
      port: { type: 'string' },
      host: { type: 'string' },
      region: { type: 'string' },
      'account-id': { type: 'string' },
      'manual-clock': { type: 'boolean' },
      'clock-start': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values['data-dir'] || !values.lambdas) {
    process.stderr.write(`${usage}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const module = (await import(pathToFileURL(resolve(values.lambdas)).href)) as { lambdas?: LambdaRegistry; default?: LambdaRegistry & { lambdas?: LambdaRegistry } };
  const lambdas = module.lambdas ?? module.default?.lambdas ?? module.default;
  if (!lambdas) throw new Error(`${values.lambdas} exports no \`lambdas\` registry`);
  const start = values['clock-start'] === undefined ? Date.now() : Date.parse(values['clock-start']);
  const clock = values['manual-clock'] ? new ManualClock(start) : undefined;
  const engine = await openEngine({ dataDir: values['data-dir'], lambdas, clock, region: values.region, accountId: values['account-id'] });
  for (const entry of values['state-machine'] ?? []) {
    const [name, file] = entry.split('=');
    if (!name || !file) throw new Error(`--state-machine takes NAME=FILE, got ${JSON.stringify(entry)}`);
    await engine.createStateMachine({ name, definition: readFileSync(file, 'utf8') }).catch((error: Error) => {
      if (error.name !== 'StateMachineAlreadyExists') throw error;
      process.stderr.write(`State machine ${name} exists with another definition; keeping the stored one\n`);
    });
  }
  const port = values.port === undefined ? resolvePorts().stepFunctions : Number(values.port);
  const server = await startStepFunctionsServer(engine, { port, host: values.host });
  process.stdout.write(`${JSON.stringify({ listening: server.url })}\n`);
  const stop = async () => {
    await server.close();
    await engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
