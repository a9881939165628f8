import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repositoryRoot = path.join(__dirname, '..', '..');

/** The line start.ts prints once every service answers. */
const readyLine = 'Ctrl-C stops everything';

export interface LocalStackUrls {
  shop: string;
  email: string;
  stepFunctions: string;
  dynamodb: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * `npm start` as a child process on free ports, a temporary data directory and the test clock, with the
 * local-only powers a scenario may use: advance the clock, take email down, kill and restart the whole stack.
 */
export class LocalStack {
  #child: ChildProcessWithoutNullStreams | undefined;
  #output = '';
  #exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    private readonly ports: Record<'shop' | 'email' | 'stepFunctions' | 'dynamodb', number>,
    private readonly ownsDataDir: boolean,
  ) {}

  static async start(options: { dataDir?: string } = {}): Promise<LocalStack> {
    const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'cake-shop-e2e-'));
    const ports = { shop: await freePort(), email: await freePort(), stepFunctions: await freePort(), dynamodb: await freePort() };
    const stack = new LocalStack(dataDir, ports, options.dataDir === undefined);
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
    return { shop: url(this.ports.shop), email: url(this.ports.email), stepFunctions: url(this.ports.stepFunctions), dynamodb: url(this.ports.dynamodb) };
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
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('infra', 'local', 'start.ts')], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        SHOP_PORT: String(this.ports.shop),
        SES_PORT: String(this.ports.email),
        SFN_PORT: String(this.ports.stepFunctions),
        DYNAMODB_PORT: String(this.ports.dynamodb),
        LOCAL_DATA_DIR: this.dataDir,
        LOCAL_TEST_CLOCK: '1',
      },
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
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

  /** Moves the engine's test clock forward, firing every timeout, wait and retry that falls due. */
  async advanceClock(seconds: number): Promise<void> {
    const response = await fetch(this.urls.stepFunctions, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'LocalStepFunctions.AdvanceClock' },
      body: JSON.stringify({ seconds }),
    });
    if (!response.ok) throw new Error(`AdvanceClock answered ${response.status}: ${await response.text()}`);
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
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      await this.#exited;
    }
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
