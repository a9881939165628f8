import './quiet-sdk-warning';
import * as readline from 'node:readline';
import { orderEvents } from '../order-events';
import { handlers, type HandlerName } from '../wiring';
import { optionsFromEnvironment, startLocalStack, type RunningStack } from './local-stack';

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** What a restart picked up, so a developer sees their orders came back. */
function found({ orders, runningExecutions }: RunningStack['found']): string {
  if (orders === 0 && runningExecutions === 0) return 'No orders yet.';
  return `Found ${plural(orders, 'order')} and resumed ${plural(runningExecutions, 'running execution')} from the last run.`;
}

function banner(stack: RunningStack, testClock: boolean): string {
  const order = JSON.stringify({
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    address: '12 Analytical Row, London',
    productId: 'carrot-cake',
    quantity: 1,
    message: 'Happy birthday!',
  });
  return [
    `Cake shop running on this machine${testClock ? ' (test clock: time moves only with LocalStepFunctions.AdvanceClock)' : ''}.`,
    `  Shop API:       ${stack.urls.shop}   (demo shop page at /, ops console at /ops)`,
    `  Email viewer:   ${stack.urls.email}`,
    `  Step Functions: ${stack.urls.stepFunctions}`,
    `  DynamoDB:       ${stack.urls.dynamodb}`,
    `  Secrets:        ${stack.urls.secretsManager}   (Secrets Manager: the webhook signing key)`,
    `  EventBridge:    ${stack.urls.eventBridge}   (the order events bus ${orderEvents.busName}, and its archive)`,
    `  State machine:  ${stack.stateMachineArn}`,
    found(stack.found),
    'Place an order:',
    `  curl -X POST ${stack.urls.shop}/order -H 'content-type: application/json' -d '${order}'`,
    `Ctrl-C stops everything; orders and waiting executions are kept in ${stack.dataDir}`,
  ].join('\n');
}

/**
 * The e2e tests cause faults through stdin: `email off` and `email on`, `dynamodb delay <ms>` (0 ends it), and
 * `lambda kill <handler>` (one busy sandbox dies mid-invocation). Only the test clock or LOCAL_TEST_COMMANDS=1
 * enables them, so an ordinary `npm start` never reads the terminal.
 */
function acceptTestCommands(stack: RunningStack): void {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = line.trim();
    const done = (message: string) => () => console.log(message);
    const failed = (error: unknown) => console.error(`${command} failed: ${String(error)}`);
    const [verb, argument = ''] = command.split(/\s+/).slice(1);
    if (command === 'email off') stack.email.stop().then(done('Email service stopped'), failed);
    else if (command === 'email on') stack.email.start().then(done('Email service started'), failed);
    else if (command.startsWith('dynamodb ') && verb === 'delay' && /^\d+$/.test(argument)) {
      stack.faults.delayDynamoDb(Number(argument));
      console.log(`DynamoDB delay ${argument} ms`);
    } else if (command.startsWith('lambda ') && verb === 'kill' && argument in handlers) {
      stack.faults.killBusySandbox(argument as HandlerName).then((killed) => console.log(`Killed sandboxes of ${argument}: ${killed ? 1 : 0}`), failed);
    } else if (command !== '') {
      console.error(`Unknown command ${JSON.stringify(command)}: use "email off", "email on", "dynamodb delay <ms>" or "lambda kill <handler>"`);
    }
  });
}

/** Signals this close together are one press of Ctrl-C. */
const sameSignalMs = 500;

async function main(): Promise<void> {
  const options = await optionsFromEnvironment();
  const stack = await startLocalStack({ ...options, log: (line) => console.error(line) });

  let stoppingSince: number | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Under `npm start` one Ctrl-C arrives twice, from the terminal and passed on by npm, milliseconds apart.
      if (Date.now() - stoppingSince < sameSignalMs) return;
      // A second Ctrl-C means the clean stop is stuck; leave at once rather than hang the terminal.
      process.exit(130);
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping the cake shop...`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  if (options.testClock || process.env.LOCAL_TEST_COMMANDS === '1') acceptTestCommands(stack);
  console.log(banner(stack, options.testClock));
}

/** Errors that say what to change: their message is the whole story, a stack trace would only bury it. */
const actionableErrors = new Set(['PortInUse', 'PortSettingInvalid']);

main().catch((error: unknown) => {
  console.error(error instanceof Error && actionableErrors.has(error.name) ? error.message : error);
  process.exit(1);
});
