import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import startSesServer from 'aws-ses-v2-local';
import { getStoreReadonly, type Email, type Store } from 'aws-ses-v2-local/dist/store';
import { closeServer, listen, localHost, portSpecs } from './ports';

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
 * The email service, which can be stopped and started again on the same port while the stack runs, so the
 * shop can be seen riding out an email outage.
 */
export class LocalEmailService {
  #server: Server | undefined;
  #port: number;
  static #durableFile: string | undefined;

  constructor(port: number, dataDir: string) {
    this.#port = port;
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
