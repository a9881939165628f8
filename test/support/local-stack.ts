import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { paginateScan } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../infra/local/dynamodb';
import { readArchive, type EventBridgeEvent } from '../../infra/local/eventbridge';
import { localIdentity, localTableNames } from '../../infra/local/lambda-functions';
import { claimPorts, PortInUse, portSpecs, type PortName, type Ports } from '../../infra/local/ports';

const repositoryRoot = path.join(__dirname, '..', '..');

/** The line start.ts prints once every service answers. */
const readyLine = 'Ctrl-C stops everything';

const portsPerStack = Object.keys(portSpecs).length;
let nextStack = 0;

/**
 * Free ports for one more stack of this jest worker. A stack binds its ports seconds after they are chosen, so they
 * come from below the kernel's ephemeral range (32768 up), where no outgoing connection of any stack can take one
 * meanwhile, and from a block of 1,000 of this worker's own, so two workers never choose the same port.
 */
export async function freeStackPorts(): Promise<Ports> {
  const base = 20_000 + (Number(process.env.JEST_WORKER_ID ?? '1') - 1) * 1_000;
  for (let attempt = 0; attempt < 1_000 / portsPerStack; attempt += 1) {
    const first = base + ((nextStack * portsPerStack) % 1_000);
    nextStack += 1;
    const chosen = Object.fromEntries(Object.keys(portSpecs).map((name, index) => [name, first + index])) as Ports;
    try {
      return await claimPorts(chosen);
    } catch (error) {
      if (!(error instanceof PortInUse)) throw error;
    }
  }
  throw new Error(`No ${portsPerStack} free ports from ${base} up`);
}

/** A server holding the email port that takes requests and never answers them. */
export interface HangingEmail {
  /** Resolves when a handler's SendEmail request has arrived: that handler is now mid-invocation. */
  requestArrived: Promise<void>;
  /** Drops the held requests and frees the port. */
  release(): Promise<void>;
}

export interface LocalStackUrls {
  shop: string;
  email: string;
  stepFunctions: string;
  dynamodb: string;
  secretsManager: string;
  eventBridge: string;
}

/**
 * `npm start` as a child process on free ports, a temporary data directory and the test clock, with the
 * local-only powers a scenario may use: advance the clock, take email down or leave it hanging, press Ctrl-C,
 * kill and restart the whole stack.
 */
export class LocalStack {
  #child: ChildProcessWithoutNullStreams | undefined;
  #output = '';
  #exited: Promise<number | null> = Promise.resolve(null);
  #hangingEmail: HangingEmail | undefined;

  private constructor(
    readonly dataDir: string,
    private readonly ports: Ports,
    private readonly ownsDataDir: boolean,
    private readonly environment: Record<string, string>,
    /** Extra arguments for the stack's Node, such as --cpu-prof. */
    private readonly nodeArgs: string[],
  ) {}

  /**
   * Starts on free ports, or on `ports` where given, such as one a test holds to see the stack refuse it. The test
   * clock is on unless `realClock` is set, as the load benchmark needs retries and back-off to run in real time;
   * `environment` adds variables such as LOCAL_SES_MAX_SEND_RATE.
   */
  static async start(
    options: { dataDir?: string; ports?: Partial<Ports>; realClock?: boolean; environment?: Record<string, string>; nodeArgs?: string[] } = {},
  ): Promise<LocalStack> {
    const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'cake-shop-e2e-'));
    const ports = { ...(await freeStackPorts()), ...options.ports };
    const environment = { LOCAL_TEST_CLOCK: options.realClock ? '0' : '1', LOCAL_TEST_COMMANDS: '1', ...options.environment };
    const stack = new LocalStack(dataDir, ports, options.dataDir === undefined, environment, options.nodeArgs ?? []);
    try {
      await stack.launch();
    } catch (error) {
      await stack.kill();
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get urls(): LocalStackUrls {
    const url = (port: number) => `http://127.0.0.1:${port}`;
    return {
      shop: url(this.ports.shop),
      email: url(this.ports.email),
      stepFunctions: url(this.ports.stepFunctions),
      dynamodb: url(this.ports.dynamodb),
      secretsManager: url(this.ports.secretsManager),
      eventBridge: url(this.ports.eventBridge),
    };
  }

  /**
   * Every event the local EventBridge's archives have kept, oldest first: what reached the order events bus. Read
   * from the data directory, as AWS has no API that lists an archive's events.
   */
  archivedEvents(): EventBridgeEvent[] {
    const dir = path.join(this.dataDir, 'eventbridge', 'eventbridge-archives');
    return readdirSync(dir)
      .filter((file) => file.endsWith('.jsonl'))
      .flatMap((file) => readArchive(path.join(dir, file)));
  }

  /** Everything the stack printed, for failure messages. */
  get output(): string {
    return this.#output;
  }

  get stateMachineArn(): string {
    const match = /State machine:\s+(\S+)/.exec(this.#output);
    if (!match) throw new Error(`The stack did not print its state machine ARN:\n${this.#output}`);
    return match[1];
  }

  private launch(): Promise<void> {
    this.#output = '';
    // Node with the tsx loader rather than the tsx CLI, so signals reach the stack itself and not a wrapper.
    const child = spawn(process.execPath, [...this.nodeArgs, '--import', 'tsx', path.join('infra', 'local', 'start.ts')], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        ...Object.fromEntries((Object.entries(this.ports) as [PortName, number][]).map(([name, port]) => [portSpecs[name].env, String(port)])),
        LOCAL_DATA_DIR: this.dataDir,
        ...this.environment,
      },
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Both streams are always drained: a full pipe would block the stack.
    child.stdout.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString();
    });
    return this.waitForOutput(readyLine, 60_000);
  }

  private waitForOutput(text: string, timeoutMs: number, from = 0): Promise<void> {
    const child = this.#child;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.#output.indexOf(text, from) !== -1) {
          finish();
          resolve();
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        finish();
        reject(new Error(`The local stack exited (${signal ?? code}) before printing "${text}":\n${this.#output}`));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`The local stack did not print "${text}" within ${timeoutMs} ms:\n${this.#output}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        child?.stdout.off('data', check);
        child?.stderr.off('data', check);
        child?.off('exit', onExit);
      };
      child?.stdout.on('data', check);
      child?.stderr.on('data', check);
      child?.once('exit', onExit);
      check();
    });
  }

  /** Sends a line to the stack's test console and waits for its acknowledgement. */
  private async command(line: string, acknowledgement: string): Promise<void> {
    const from = this.#output.length;
    this.#child?.stdin.write(`${line}\n`);
    await this.waitForOutput(acknowledgement, 10_000, from);
  }

  /** Stops the email service; the rest of the stack keeps running. */
  emailDown(): Promise<void> {
    return this.command('email off', 'Email service stopped');
  }

  emailUp(): Promise<void> {
    return this.command('email on', 'Email service started');
  }

  /** Holds every DynamoDB request `ms` before answering it, as a slow DynamoDB would; 0 ends it. */
  delayDynamoDb(ms: number): Promise<void> {
    return this.command(`dynamodb delay ${ms}`, `DynamoDB delay ${ms} ms`);
  }

  /** Kills one sandbox of the function mid-invocation, if one is busy; resolves whether one was. */
  async killBusySandbox(handler: string): Promise<boolean> {
    const from = this.output.length;
    await this.command(`lambda kill ${handler}`, `Killed sandboxes of ${handler}: `);
    return this.output.slice(from).includes(`Killed sandboxes of ${handler}: 1`);
  }

  /**
   * Takes the email service down and holds its port with a server that never answers, so the next handler that
   * sends email stays mid-invocation, as one cut off by a crash would be.
   */
  async emailHangs(): Promise<HangingEmail> {
    await this.emailDown();
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = createHttpServer(() => arrived());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.ports.email, '127.0.0.1', () => resolve());
    });
    this.#hangingEmail = {
      requestArrived,
      release: () =>
        new Promise<void>((resolve) => {
          this.#hangingEmail = undefined;
          if (!server.listening) {
            resolve();
            return;
          }
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
    return this.#hangingEmail;
  }

  /** Moves the engine's test clock forward, firing every timeout, wait and retry that falls due. */
  async advanceClock(seconds: number): Promise<void> {
    const response = await fetch(this.urls.stepFunctions, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'LocalStepFunctions.AdvanceClock' },
      body: JSON.stringify({ seconds }),
    });
    if (!response.ok) throw new Error(`AdvanceClock answered ${response.status}: ${await response.text()}`);
  }

  /**
   * Waits out the idempotency records that invocations cut off by a kill left in progress. Powertools runs such a
   * step again only once the killed invocation's Lambda timeout has passed in real time, which the test clock does
   * not move.
   */
  async killedInvocationsExpire(): Promise<void> {
    const client = localDynamoDbClient(this.urls.dynamodb, localIdentity.region);
    try {
      let latest = 0;
      const pages = paginateScan(
        { client },
        {
          TableName: localTableNames().idempotency,
          FilterExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': { S: 'INPROGRESS' } },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) latest = Math.max(latest, Number(item.in_progress_expiration?.N ?? Infinity));
      }
      if (latest === Infinity) throw new Error('An idempotency record is in progress with no expiry: its step can never run again');
      if (latest > Date.now()) await new Promise((resolve) => setTimeout(resolve, latest - Date.now() + 1));
    } finally {
      client.destroy();
    }
  }

  /** Ctrl-C: SIGINT, as a terminal sends it. Resolves with the exit code once the stack has stopped. */
  interrupt(): Promise<number | null> {
    this.#child?.kill('SIGINT');
    return this.#exited;
  }

  /** SIGKILL: no clean shutdown, as when the machine loses power. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  /** Starts the stack again on the same ports and data directory. */
  restart(): Promise<void> {
    return this.launch();
  }

  /** SIGTERM, as Ctrl-C would; removes the data directory if this harness made it. */
  async stop(): Promise<void> {
    // A scenario that failed before releasing the email port must not keep jest from exiting.
    await this.#hangingEmail?.release();
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      await this.#exited;
    }
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
