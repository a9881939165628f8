import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { closeServer, listen, portSpecs, type PortName } from '../../infra/local/ports';
import { freeStackPorts, LocalStack } from '../support/local-stack';
import { anOrderAwaitingTheCakeMaker } from '../steps/given';
import { localOnly, localShop, type Shop } from '../steps/shop';
import { anEmailArrives, theOrder, theWorkflowWaitsIn } from '../steps/then';
import { personFollowsLinkAndSubmits } from '../steps/when';

jest.setTimeout(120_000);

const scenario = localOnly('npm start on this machine');

/** Whether anything still answers at `url`. */
const answers = (url: string) => fetch(url).then(
  () => true,
  () => false,
);

describe('npm start', () => {
  let stack: LocalStack;
  let shop: Shop;

  beforeAll(async () => {
    stack = await LocalStack.start();
    shop = localShop(stack);
  });

  afterAll(async () => {
    shop?.stepFunctions.destroy();
    await stack?.stop();
  });

  scenario('prints where each service listens, and a curl that places an order', async () => {
    // GIVEN the stack has started
    // WHEN a newcomer reads what it printed and runs the sample curl
    const printed = stack.output;
    const curl = /curl -X POST (\S+) -H '([^:']+): ([^']+)' -d '([^']+)'/.exec(printed);
    expect(curl).not.toBeNull();
    const [, url, headerName, headerValue, body] = curl as RegExpExecArray;
    const placed = await fetch(url, { method: 'POST', headers: { [headerName]: headerValue }, body });

    // THEN it named the shop API, the email viewer, Step Functions and DynamoDB, and the curl placed an order
    expect(printed).toContain(`Shop API:       ${stack.urls.shop}`);
    expect(printed).toContain(`Email viewer:   ${stack.urls.email}`);
    expect(printed).toContain(`Step Functions: ${stack.urls.stepFunctions}`);
    expect(printed).toContain(`DynamoDB:       ${stack.urls.dynamodb}`);
    expect(url).toBe(`${stack.urls.shop}/order`);
    expect(placed.status).toBe(201);
    expect(await placed.json()).toMatchObject({ orderId: expect.any(String) });
  });

  scenario('Ctrl-C stops every service, and starting again keeps the order and its waiting execution', async () => {
    // GIVEN an order waiting for the cake maker, and the orders of the scenarios before, each with its execution
    const order = await anOrderAwaitingTheCakeMaker(shop);
    const running = (await shop.stepFunctions.send(new ListExecutionsCommand({ stateMachineArn: shop.stateMachineArn, statusFilter: 'RUNNING' }))).executions ?? [];
    const waiting = running.length;

    // WHEN Ctrl-C is pressed
    const exitCode = await stack.interrupt();

    // THEN the stack exits cleanly and nothing answers on its ports
    expect(stack.output).toContain('No orders yet.');
    expect(exitCode).toBe(0);
    for (const url of Object.values(stack.urls)) expect(await answers(url)).toBe(false);

    // WHEN it is started again
    await stack.restart();

    // THEN it says what it found, and the order still waits for the cake maker, whose emailed link still completes
    // the step
    expect(waiting).toBeGreaterThan(0);
    const plural = waiting === 1 ? '' : 's';
    expect(stack.output).toContain(`Found ${waiting} order${plural} and resumed ${waiting} running execution${plural} from the last run.`);
    expect((await theOrder(shop, order.orderId)).status).toBe('PLACED');
    await theWorkflowWaitsIn(shop, order.orderId, 'Ask Cake Maker');
    expect((await personFollowsLinkAndSubmits(order.fulfilLink)).status).toBe(200);
    await anEmailArrives(shop, { to: order.request.email, subject: 'is on its way', mentioning: order.orderId });
  });
});

describe('npm start under a process manager', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) scenario(`stops everything when ${signal} is sent to the pid of npm start, cleanly`, async () => {
    // GIVEN `npm start` itself, as a script or process manager runs it, on free ports and a fresh data directory
    const ports = await freeStackPorts();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cake-shop-npm-start-'));
    const npm = spawn('npm', ['start'], {
      cwd: path.join(__dirname, '..', '..'),
      env: {
        ...process.env,
        ...Object.fromEntries((Object.entries(ports) as [PortName, number][]).map(([name, port]) => [portSpecs[name].env, String(port)])),
        LOCAL_DATA_DIR: dataDir,
      },
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    try {
      while (!output.includes('Ctrl-C stops everything')) {
        if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // WHEN the signal goes to npm's pid only
      npm.kill(signal);
      await exited;

      // THEN the stack stopped cleanly and nothing answers on its ports
      expect(output).toContain(`${signal}: stopping the cake shop...`);
      for (const port of Object.values(ports)) expect(await answers(`http://127.0.0.1:${port}`)).toBe(false);
    } finally {
      npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start with a port already in use', () => {
  scenario('stops at once, naming the port, its service and the variable that moves it', async () => {
    // GIVEN another program holding a port
    const holder = createServer();
    const held = await listen(holder, 0, portSpecs.email);

    try {
      // WHEN the stack is asked to put its email service there
      const starting = LocalStack.start({ ports: { email: held } });

      // THEN it refuses with a message that says what to change, and no stack trace
      const refusal = await starting.then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(refusal).toContain(`Port ${held} for email (aws-ses-v2-local) is already in use`);
      expect(refusal).toContain(`SES_PORT=${held + 1} npm start`);
      expect(refusal).not.toMatch(/^\s+at /m);
    } finally {
      await closeServer(holder);
    }
  });
});
