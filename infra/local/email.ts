import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import startSesServer from 'aws-ses-v2-local';
import { getStoreReadonly, type Email, type Store } from 'aws-ses-v2-local/dist/store';
import { closeServer, listen, localHost, portSpecs } from './ports';
import { accessKeyOf, readAndReplay, type LocalIam } from './iam';
import type { UsageMeter } from './usage';

/**
 * aws-ses-v2-local keeps emails in memory. This makes its store durable: every email is appended to a JSON-lines
 * file before SES answers, and the file is read back on start, so the viewer and `GET /store` still list every
 * email after a restart, and a restart that sent an email twice shows it twice.
 */
function makeStoreDurable(mailboxFile: string): void {
  const store = getStoreReadonly() as Store;
  const durable = (emails: Email[]): Email[] => {
    Object.defineProperty(emails, 'push', {
      value(...added: Email[]) {
        fs.appendFileSync(mailboxFile, added.map((email) => `${JSON.stringify(email)}\n`).join(''));
        return Array.prototype.push.apply(this, added);
      },
    });
    return emails;
  };
  const saved = fs.existsSync(mailboxFile)
    ? fs
        .readFileSync(mailboxFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Email)
    : [];
  let emails = durable(saved);
  // The viewer's "clear" replaces the array; the file is cleared with it.
  Object.defineProperty(store, 'emails', {
    get: () => emails,
    set: (replacement: Email[]) => {
      fs.writeFileSync(mailboxFile, replacement.map((email) => `${JSON.stringify(email)}\n`).join(''));
      emails = durable([...replacement]);
    },
  });
}

/**
 * SES's maximum send rate, as this account's quota: at most `maxPerSecond` SendEmail calls are accepted in any
 * one second, and the rest are refused as SES refuses them ("Errors related to the sending quotas" in the SES
 * guide: a ThrottlingException saying "Maximum sending rate exceeded"), with HTTP 429, and nothing is stored.
 */
export class SendingQuota {
  #second = 0;
  #accepted = 0;

  constructor(readonly maxPerSecond: number) {}

  /** True when the send may go ahead, counting it; unlimited when maxPerSecond is 0. */
  take(now = Date.now()): boolean {
    if (this.maxPerSecond <= 0) return true;
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#accepted = 0;
    }
    if (this.#accepted >= this.maxPerSecond) return false;
    this.#accepted += 1;
    return true;
  }
}

const sendPaths = new Set(['/v2/email/outbound-emails', '/v2/email/outbound-bulk-emails']);

/** Who may send, as SES authorizes SendEmail: against the identity of the From address. */
export interface EmailAuthorization {
  iam: LocalIam;
  region: string;
  accountId: string;
}

function refuse(res: ServerResponse, status: number, errorType: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType });
  res.end(JSON.stringify({ message }));
}

/**
 * Puts IAM and the quota in front of aws-ses-v2-local's own request handler, in the order SES checks them, and
 * meters what it accepts and refuses.
 */
function guardSending(server: Server, quota: SendingQuota, meter: UsageMeter | undefined, auth: EmailAuthorization | undefined): void {
  const [app] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const send = (req: IncomingMessage, res: ServerResponse) => {
    if (!quota.take()) {
      meter?.emailThrottled();
      req.resume();
      refuse(res, 429, 'ThrottlingException', 'Maximum sending rate exceeded.');
      return;
    }
    res.once('finish', () => res.statusCode === 200 && meter?.emailSent());
    app(req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || !sendPaths.has(path)) return app(req, res);
    const accessKeyId = accessKeyOf(req.headers.authorization);
    if (!auth?.iam.governs(accessKeyId)) return send(req, res);
    readAndReplay(req).then(
      ({ body, replay }) => {
        let from = '';
        try {
          from = (JSON.parse(body) as { FromEmailAddress?: string }).FromEmailAddress ?? '';
        } catch {
          // Not JSON: the service answers it as SES would.
        }
        const identity = from.replace(/^.*<([^>]+)>$/, '$1');
        const denied = auth.iam.denial(accessKeyId, 'ses:SendEmail', `arn:aws:ses:${auth.region}:${auth.accountId}:identity/${identity}`);
        if (denied) refuse(res, 403, 'AccessDeniedException', denied);
        else send(replay, res);
      },
      // A request its caller gave up on ends here.
      () => res.destroy(),
    );
  });
}

export interface LocalEmailOptions {
  /** The account's maximum send rate, emails per second; 0 (the default) accepts every send. */
  maxSendRate?: number;
  meter?: UsageMeter;
  authorization?: EmailAuthorization;
}

/**
 * The email service, which can be stopped and started again on the same port while the stack runs, so the
 * shop can be seen riding out an email outage.
 */
export class LocalEmailService {
  #server: Server | undefined;
  #port: number;
  readonly #quota: SendingQuota;
  readonly #meter: UsageMeter | undefined;
  readonly #authorization: EmailAuthorization | undefined;
  static #durableFile: string | undefined;

  constructor(port: number, dataDir: string, options: LocalEmailOptions = {}) {
    this.#port = port;
    this.#quota = new SendingQuota(options.maxSendRate ?? 0);
    this.#meter = options.meter;
    this.#authorization = options.authorization;
    const mailboxFile = path.join(dataDir, 'emails.jsonl');
    // The store is a module singleton, so there is one durable mailbox per process.
    if (LocalEmailService.#durableFile === undefined) {
      makeStoreDurable(mailboxFile);
      LocalEmailService.#durableFile = mailboxFile;
    } else if (LocalEmailService.#durableFile !== mailboxFile) {
      throw new Error(`This process already keeps its emails in ${LocalEmailService.#durableFile}`);
    }
  }

  get endpoint(): string {
    return `http://${localHost}:${this.#port}`;
  }

  get running(): boolean {
    return this.#server?.listening ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const server = await startSesServer({ host: localHost, port: this.#port });
    if (!server.listening) {
      // aws-ses-v2-local swallows the listen error; a plain listen on the same port names the real cause.
      const probe = createServer();
      await listen(probe, this.#port, portSpecs.email);
      await closeServer(probe);
      throw new Error(`${portSpecs.email.service} could not listen on port ${this.#port}`);
    }
    guardSending(server, this.#quota, this.#meter, this.#authorization);
    const address = server.address();
    if (typeof address === 'object' && address) this.#port = address.port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    if (!this.#server) return;
    await closeServer(this.#server);
    this.#server = undefined;
  }
}
